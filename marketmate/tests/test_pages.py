import pytest
from django.test import Client

from accounts.models import User
from accounts.tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_home_page_is_served_with_the_layout(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1" in content
    assert content.count("<h1") == 1
    assert '<main id="main"' in content
    assert "Independent shops, one checkout." in content
    assert 'name="language"' in content


def test_home_page_is_translated_by_accept_language(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de")

    assert response.status_code == 200
    assert '<html lang="de">' in response.content.decode()


def test_the_admin_signs_in_through_the_site_sign_in(client: Client) -> None:
    response = client.get("/admin/", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/accounts/login/?next=%2Fadmin%2F"


def test_staff_see_the_admin_index(client: Client) -> None:
    client.force_login(StaffFactory())

    response = client.get("/admin/")

    assert response.status_code == 200
    assert b"Run the marketplace" in response.content


def test_api_docs_and_schema_are_served(client: Client) -> None:
    docs = client.get("/api/v1/docs/")
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn" not in docs.content.lower()
    assert schema.status_code == 200
    assert "/api/v1/users/me" in schema.json()["paths"]


def test_dashboard_asks_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_dashboard_is_served_to_a_logged_in_user(client: Client, user: User) -> None:
    client.force_login(user)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert b"You have no shop yet" in response.content
