"""users/me and the address book through the API."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from PIL import Image
from rest_framework.test import APIClient

from accounts.models import Address, User
from accounts.tests.factories import AddressFactory, UserFactory

pytestmark = pytest.mark.django_db

ADDRESS = {
    "full_name": "Ann Lee",
    "line1": "Torstraße 1",
    "city": "Berlin",
    "postal_code": "10119",
    "country": "DE",
    "phone": "+49 30 1234567",
}


def _png(size: tuple[int, int] = (40, 30)) -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    buffer.name = "me.png"
    buffer.seek(0)
    return buffer


def test_me_requires_authentication(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_shows_the_profile(user_api_client: APIClient, user: User) -> None:
    response = user_api_client.get("/api/v1/users/me")

    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "pending_email": None,
        "name": user.name,
        "role": "buyer",
        "verified": True,
        "avatar": None,
        "language": "",
        "currency": "USD",
        "created": user.created.isoformat().replace("+00:00", "Z"),
    }


def test_patch_me_changes_name_language_and_currency(
    user_api_client: APIClient, user: User
) -> None:
    response = user_api_client.patch(
        "/api/v1/users/me", {"name": "New Name", "language": "de", "currency": "EUR"}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.name, user.language, user.currency) == ("New Name", "de", "EUR")


def test_patch_me_ignores_role_and_verified(user_api_client: APIClient, user: User) -> None:
    response = user_api_client.patch(
        "/api/v1/users/me", {"role": "admin", "verified": False, "name": "Still Buyer"}
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert (user.role, user.verified, user.name) == ("buyer", True, "Still Buyer")


def test_patch_me_with_an_unknown_language_or_currency_is_a_field_error(
    user_api_client: APIClient,
) -> None:
    response = user_api_client.patch("/api/v1/users/me", {"language": "xx", "currency": "BTC"})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"language", "currency"}


def test_patch_me_uploads_an_avatar_that_a_job_shrinks(
    user: User, settings, tmp_path, django_capture_on_commit_callbacks
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = APIClient()
    client.force_authenticate(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            "/api/v1/users/me", {"avatar": _png((1200, 900))}, format="multipart"
        )

    assert response.status_code == 200
    user.refresh_from_db()
    with Image.open(user.avatar.path) as image:
        assert image.size == (512, 384)


def test_patch_me_refuses_a_file_that_is_not_an_image(user_api_client: APIClient) -> None:
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "me.png"

    response = user_api_client.patch("/api/v1/users/me", {"avatar": fake}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["avatar"]


def test_patch_me_with_a_new_email_waits_for_its_verification(
    api_client: APIClient, user: User, django_capture_on_commit_callbacks, sent_to
) -> None:
    api_client.force_authenticate(user)
    old_email = user.email

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.patch("/api/v1/users/me", {"email": "new@example.com"})

    assert response.status_code == 200
    assert response.json()["email"] == old_email
    assert response.json()["pending_email"] == "new@example.com"
    message = sent_to("new@example.com")[0]
    key = message.body.split("/accounts/confirm-email/")[1].split("/")[0]
    verified = api_client.post("/api/v1/auth/verify-email", {"key": key})
    assert verified.status_code == 204
    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert user.verified is True
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@example.com"
    ]


def test_patch_me_with_someone_elses_email_answers_as_for_a_free_one_and_mails_its_owner(
    user_api_client: APIClient, user: User, django_capture_on_commit_callbacks
) -> None:
    UserFactory(email="owner@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        free = user_api_client.patch("/api/v1/users/me", {"email": "free@example.com"})
        taken = user_api_client.patch("/api/v1/users/me", {"email": "OWNER@example.com"})

    assert (free.status_code, taken.status_code) == (200, 200)
    assert free.json()["pending_email"] == "free@example.com"
    assert taken.json()["pending_email"] == "owner@example.com"
    assert {key: value for key, value in taken.json().items() if key != "pending_email"} == {
        key: value for key, value in free.json().items() if key != "pending_email"
    }
    owner_mail = [m for m in mail.outbox if "owner@example.com" in m.to]
    assert [m.subject for m in owner_mail] == ["You already have an account"]
    assert "/accounts/confirm-email/" not in owner_mail[0].body
    assert not EmailAddress.objects.filter(email__iexact="owner@example.com", user=user).filter(
        verified=True
    )


# --- addresses ----------------------------------------------------------------------------------
def test_the_first_address_becomes_the_default_for_shipping_and_billing(
    user_api_client: APIClient, user: User
) -> None:
    response = user_api_client.post("/api/v1/users/me/addresses", ADDRESS)

    assert response.status_code == 201
    body = response.json()
    assert body["country"] == "DE"
    assert body["is_default_shipping"] is True
    assert body["is_default_billing"] is True
    assert Address.objects.get(pk=body["id"]).user == user


def test_a_new_default_address_takes_the_default_over(
    user_api_client: APIClient, user: User
) -> None:
    first = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)

    response = user_api_client.post(
        "/api/v1/users/me/addresses", {**ADDRESS, "is_default_shipping": True}
    )

    assert response.status_code == 201
    first.refresh_from_db()
    assert (first.is_default_shipping, first.is_default_billing) == (False, True)


def test_an_unknown_country_code_is_a_field_error(user_api_client: APIClient) -> None:
    response = user_api_client.post("/api/v1/users/me/addresses", {**ADDRESS, "country": "XX"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["country"]


def test_the_address_book_lists_only_your_addresses(
    user_api_client: APIClient, user: User, django_assert_max_num_queries
) -> None:
    mine = AddressFactory.create_batch(3, user=user)
    AddressFactory()

    with django_assert_max_num_queries(3):
        response = user_api_client.get("/api/v1/users/me/addresses")

    assert response.status_code == 200
    assert sorted(item["id"] for item in response.json()) == sorted(a.pk for a in mine)


def test_patch_and_delete_an_address(user_api_client: APIClient, user: User) -> None:
    address = AddressFactory(user=user)

    patched = user_api_client.patch(f"/api/v1/users/me/addresses/{address.pk}", {"city": "Hamburg"})
    deleted = user_api_client.delete(f"/api/v1/users/me/addresses/{address.pk}")

    assert patched.status_code == 200
    assert patched.json()["city"] == "Hamburg"
    assert deleted.status_code == 204
    assert not Address.objects.filter(pk=address.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_users_address_is_not_found(user_api_client: APIClient, method: str) -> None:
    theirs = AddressFactory()

    response = getattr(user_api_client, method)(
        f"/api/v1/users/me/addresses/{theirs.pk}", {"city": "Mine now"}
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.city != "Mine now"


def test_the_schema_lists_every_accounts_endpoint(api_client: APIClient, db) -> None:
    response = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    paths = response.json()["paths"]
    for path in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/auth/forgot-password",
        "/api/v1/auth/reset-password",
        "/api/v1/auth/verify-email",
        "/api/v1/users/me",
        "/api/v1/users/me/addresses",
        "/api/v1/users/me/addresses/{address_id}",
    ]:
        assert path in paths
    login = paths["/api/v1/auth/login"]["post"]
    assert "200" in login["responses"]
    assert "requestBody" in login
