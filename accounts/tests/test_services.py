"""accounts.services: users, roles, bans and the address book."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from accounts.models import Address, User
from accounts.services import (
    address_create,
    address_delete,
    address_update,
    avatar_validate,
    user_ban,
    user_create,
    user_profile_update,
    user_role_set,
    user_tokens_issue,
    user_unban,
    user_verified_record,
)
from accounts.tests.factories import AddressFactory, StaffFactory, UserFactory
from marketmate.models import AuditLog

pytestmark = pytest.mark.django_db


def test_user_create_records_a_verified_primary_email_for_demo_users() -> None:
    user = user_create(email="Demo@Example.com", password="demo-pass-123", verified=True)

    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.primary, address.verified) == ("demo@example.com", True, True)
    assert user.check_password("demo-pass-123")


def test_demo_users_can_log_in_through_allauth(client: Client) -> None:
    user_create(email="shopper@marketmate.test", password="marketmate-demo", verified=True)

    response = client.post(
        "/accounts/login/", {"login": "shopper@marketmate.test", "password": "marketmate-demo"}
    )

    assert response.status_code == 302


def test_user_create_without_a_password_makes_it_unusable() -> None:
    user = user_create(email="nopass@example.com", password=None)

    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified is False


def test_user_role_set_is_audited() -> None:
    user, staff = UserFactory(), StaffFactory()

    user_role_set(user=user, role=User.Role.VENDOR, actor=staff)

    user.refresh_from_db()
    assert user.role == "vendor"
    entry = AuditLog.objects.get(action="user.role_set")
    assert (entry.actor, entry.changes) == (staff, {"role": ["buyer", "vendor"]})


def test_user_role_set_to_the_same_role_changes_nothing() -> None:
    user = UserFactory()

    user_role_set(user=user, role=User.Role.BUYER)

    assert not AuditLog.objects.filter(action="user.role_set").exists()


def test_user_role_set_refuses_an_unknown_role() -> None:
    with pytest.raises(ValidationError) as error:
        user_role_set(user=UserFactory(), role="overlord")

    assert error.value.message_dict == {"role": ["Unknown role."]}


def test_user_ban_deactivates_ends_sessions_revokes_tokens_and_is_audited() -> None:
    user, staff = UserFactory(), StaffFactory()
    client = Client()
    client.force_login(user)
    session_key = client.session.session_key
    user_tokens_issue(user=user)
    user_tokens_issue(user=user)

    user_ban(user=user, actor=staff, reason="Selling counterfeits")

    user.refresh_from_db()
    assert (user.is_active, user.is_banned, user.auth_version) == (False, True, 1)
    assert BlacklistedToken.objects.filter(token__user=user).count() == 2
    assert OutstandingToken.objects.filter(user=user).count() == 2
    entry = AuditLog.objects.get(action="user.banned")
    assert (entry.actor, entry.reason) == (staff, "Selling counterfeits")
    assert entry.changes["is_active"] == [True, False]
    assert client.get("/account/profile/").status_code == 302
    user_unban(user=user, actor=staff, reason="Appeal")
    # The old session no longer matches the user's sign-in version: it is ended and deleted.
    assert client.get("/account/profile/").status_code == 302
    assert not Session.objects.filter(session_key=session_key).exists()


def test_user_unban_reactivates_and_is_audited() -> None:
    user = UserFactory()
    user_ban(user=user, actor=None, reason="Mistake?")

    user_unban(user=user, actor=None, reason="It was a mistake")

    user.refresh_from_db()
    assert (user.is_active, user.banned_at) == (True, None)
    assert AuditLog.objects.get(action="user.unbanned").reason == "It was a mistake"


def test_verification_is_read_from_the_email_address_with_nothing_to_sync() -> None:
    user = UserFactory(verified=True)

    EmailAddress.objects.filter(user=user).update(verified=False)
    unverified = user.verified
    EmailAddress.objects.filter(user=user).update(verified=True)

    assert (unverified, user.verified) == (False, True)


def test_user_verified_record_audits_a_confirmed_address() -> None:
    user = UserFactory(verified=True)

    user_verified_record(user=user)

    assert AuditLog.objects.get(action="user.verified").entity_id == str(user.pk)


def test_user_profile_update_refuses_fields_it_does_not_own() -> None:
    with pytest.raises(ValidationError) as error:
        user_profile_update(user=UserFactory(), data={"role": "admin"})

    assert error.value.message_dict == {"role": ["This field cannot be changed."]}


def _upload(format: str, size: tuple[int, int] = (10, 10)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size).save(buffer, format=format)
    return SimpleUploadedFile(f"a.{format.lower()}", buffer.getvalue())


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP"])
def test_avatar_validate_accepts_web_images(format: str) -> None:
    avatar_validate(_upload(format))


def test_avatar_validate_refuses_big_files(monkeypatch) -> None:
    monkeypatch.setattr("accounts.services.AVATAR_MAX_BYTES", 10)

    with pytest.raises(ValidationError) as error:
        avatar_validate(_upload("PNG"))

    assert error.value.message_dict == {"avatar": ["The image is too large; the limit is 2 MB."]}


def test_avatar_validate_refuses_too_many_pixels(monkeypatch) -> None:
    monkeypatch.setattr("accounts.services.AVATAR_MAX_PIXELS", 99)

    with pytest.raises(ValidationError) as error:
        avatar_validate(_upload("PNG", (10, 10)))

    assert error.value.message_dict == {"avatar": ["The image has too many pixels."]}


def test_address_create_keeps_one_default_of_each_kind() -> None:
    user = UserFactory()
    data = {"full_name": "A", "line1": "1 Road", "city": "Town", "country": "FR"}
    first = address_create(user=user, data=data)
    second = address_create(user=user, data={**data, "is_default_shipping": True})

    first.refresh_from_db()
    assert (first.is_default_shipping, first.is_default_billing) == (False, True)
    assert (second.is_default_shipping, second.is_default_billing) == (True, False)


def test_address_create_validates_the_country() -> None:
    with pytest.raises(ValidationError) as error:
        address_create(
            user=UserFactory(),
            data={"full_name": "A", "line1": "1", "city": "T", "country": "ZZ"},
        )

    assert list(error.value.message_dict) == ["country"]


def test_address_update_and_delete_are_audited() -> None:
    address = AddressFactory(city="Lyon")

    address_update(address=address, data={"city": "Paris"})
    address_delete(address=address)

    actions = list(AuditLog.objects.order_by("id").values_list("action", "changes"))
    assert actions == [("address.updated", {"city": ["Lyon", "Paris"]}), ("address.deleted", {})]
    assert not Address.objects.exists()


def test_address_lines_read_like_a_label() -> None:
    address = AddressFactory.build(
        full_name="Ann Lee",
        line1="Torstraße 1",
        line2="",
        city="Berlin",
        postal_code="10119",
        region="",
        country="DE",
    )

    assert address.lines == ["Ann Lee", "Torstraße 1", "10119 Berlin", "Germany"]
