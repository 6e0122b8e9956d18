"""The admin's ban and unban actions."""

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory, UserFactory
from marketmate.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(StaffFactory())
    return client


def test_ban_asks_for_a_reason_first(staff_client: Client) -> None:
    target = UserFactory()

    response = staff_client.post(
        "/admin/accounts/user/", {"action": "ban_users", "_selected_action": [target.pk]}
    )

    assert response.status_code == 200
    assert "Reason" in response.content.decode()
    target.refresh_from_db()
    assert target.is_active is True


def test_ban_with_a_reason_locks_the_user_out(staff_client: Client) -> None:
    target = UserFactory()

    response = staff_client.post(
        "/admin/accounts/user/",
        {
            "action": "ban_users",
            "_selected_action": [target.pk],
            "apply": "Ban users",
            "reason": "Fake reviews",
        },
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.is_active, target.is_banned) == (False, True)
    assert AuditLog.objects.get(action="user.banned").reason == "Fake reviews"


def test_unban_with_a_reason(staff_client: Client) -> None:
    target = UserFactory(is_active=False)

    staff_client.post(
        "/admin/accounts/user/",
        {
            "action": "unban_users",
            "_selected_action": [target.pk],
            "apply": "Unban users",
            "reason": "Appeal",
        },
    )

    target.refresh_from_db()
    assert target.is_active is True
    assert AuditLog.objects.get(action="user.unbanned").reason == "Appeal"


def test_the_user_change_page_shows_the_address_book(staff_client: Client) -> None:
    from accounts.tests.factories import AddressFactory

    address = AddressFactory(city="Gent")

    response = staff_client.get(f"/admin/accounts/user/{address.user.pk}/change/")

    assert response.status_code == 200
    assert 'value="Gent"' in response.content.decode()


def test_staff_filter_users_by_ban() -> None:
    from django.utils import timezone

    banned = UserFactory(banned_at=timezone.now())
    allowed = UserFactory()
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))

    only_banned = client.get("/admin/accounts/user/", {"banned": "yes"})
    not_banned = client.get("/admin/accounts/user/", {"banned": "no"})

    assert list(only_banned.context["cl"].result_list) == [banned]
    assert allowed in not_banned.context["cl"].result_list
    assert banned not in not_banned.context["cl"].result_list


def test_the_admin_home_has_one_accounts_section_with_e_mail_addresses_on_the_users_page() -> None:
    user = UserFactory(email="ada@example.com")
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))

    home = client.get("/admin/")
    page = client.get(f"/admin/accounts/user/{user.pk}/change/").text

    sections = [app["name"] for app in home.context["app_list"]]
    assert sections.count("Accounts") == 1
    assert 'name="emailaddress_set-0-verified"' in page
