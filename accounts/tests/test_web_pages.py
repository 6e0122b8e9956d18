"""The account pages: profile, address book and the notification preferences placeholder."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from accounts.models import Address, User
from accounts.tests.factories import AddressFactory, UserFactory
from marketmate.models import AuditLog

pytestmark = pytest.mark.django_db

ADDRESS_FORM = {
    "full_name": "Ann Lee",
    "line1": "Torstraße 1",
    "line2": "",
    "city": "Berlin",
    "region": "",
    "postal_code": "10119",
    "country": "DE",
    "phone": "+49 30 1234567",
}


def _image(format: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (10, 120, 200)).save(buffer, format=format)
    return SimpleUploadedFile("me.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize(
    "path",
    [
        "/account/",
        "/account/profile/",
        "/account/addresses/",
        "/account/addresses/create/",
        "/account/notifications/",
    ],
)
def test_account_pages_need_a_login(client: Client, db, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_account_index_is_the_profile(logged_in_client: Client) -> None:
    response = logged_in_client.get("/account/")

    assert response["Location"] == "/account/profile/"


def test_profile_shows_the_form_with_languages_and_currencies(
    logged_in_client: Client, user: User
) -> None:
    response = logged_in_client.get("/account/profile/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{user.name}"' in html
    assert '<option value="de">German</option>' in html
    assert '<option value="EUR">Euro</option>' in html
    assert 'aria-current="page">Profile</a>' in html


def test_saving_the_profile(logged_in_client: Client, user: User, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path

    response = logged_in_client.post(
        "/account/profile/",
        {"name": "Ann B. Lee", "language": "es", "currency": "GBP", "avatar": _image()},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.name, user.language, user.currency) == ("Ann B. Lee", "es", "GBP")
    assert user.avatar.name.startswith("avatars/")
    entry = AuditLog.objects.get(action="user.profile_updated", entity_id=str(user.pk))
    assert entry.changes["currency"] == ["USD", "GBP"]


def test_a_file_that_is_not_an_image_is_refused(logged_in_client: Client, user: User) -> None:
    fake = SimpleUploadedFile("me.png", b"not an image at all", content_type="image/png")

    response = logged_in_client.post(
        "/account/profile/", {"name": "X", "language": "", "currency": "USD", "avatar": fake}
    )

    assert response.status_code == 400
    assert "Upload a valid image." in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar


def test_a_gif_avatar_is_refused_by_the_service(logged_in_client: Client, user: User) -> None:
    response = logged_in_client.post(
        "/account/profile/",
        {"name": "X", "language": "", "currency": "USD", "avatar": _image("GIF")},
    )

    assert response.status_code == 400
    assert "Upload a JPEG, PNG or WebP image." in response.content.decode()


def test_an_unknown_currency_is_a_field_error(logged_in_client: Client) -> None:
    response = logged_in_client.post(
        "/account/profile/", {"name": "X", "language": "", "currency": "BTC"}
    )

    assert response.status_code == 400
    assert "Select a valid choice. BTC is not one of the available choices." in (
        response.content.decode()
    )


def test_the_empty_address_book_invites_to_add_one(logged_in_client: Client) -> None:
    response = logged_in_client.get("/account/addresses/")

    assert "No addresses yet" in response.content.decode()


def test_adding_editing_and_deleting_an_address(logged_in_client: Client, user: User) -> None:
    created = logged_in_client.post("/account/addresses/create/", ADDRESS_FORM)
    address = Address.objects.get(user=user)
    updated = logged_in_client.post(
        f"/account/addresses/{address.pk}/update/",
        {**ADDRESS_FORM, "city": "Potsdam", "is_default_shipping": "on"},
    )
    listing = logged_in_client.get("/account/addresses/").content.decode()
    deleted = logged_in_client.post(f"/account/addresses/{address.pk}/delete/")

    assert created.status_code == updated.status_code == deleted.status_code == 302
    assert "10119 Potsdam" in listing
    assert "Default shipping" in listing
    assert "Germany" in listing
    assert not Address.objects.filter(pk=address.pk).exists()


def test_an_address_without_required_fields_shows_errors(logged_in_client: Client) -> None:
    response = logged_in_client.post("/account/addresses/create/", {"full_name": "Ann"})

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("This field is required.") == 3  # line 1, city, country


def test_marking_a_new_default_billing_address(logged_in_client: Client, user: User) -> None:
    first = AddressFactory(user=user, is_default_shipping=True, is_default_billing=True)
    second = AddressFactory(user=user)

    logged_in_client.post(
        f"/account/addresses/{second.pk}/update/",
        {**ADDRESS_FORM, "is_default_billing": "on"},
    )

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.is_default_shipping, first.is_default_billing) == (True, False)
    assert (second.is_default_shipping, second.is_default_billing) == (False, True)


@pytest.mark.parametrize("action", ["update", "delete"])
def test_another_users_address_is_not_found_on_the_web(
    logged_in_client: Client, action: str
) -> None:
    theirs = AddressFactory(user=UserFactory())

    shown = logged_in_client.get(f"/account/addresses/{theirs.pk}/{action}/")
    posted = logged_in_client.post(f"/account/addresses/{theirs.pk}/{action}/", ADDRESS_FORM)

    assert shown.status_code == posted.status_code == 404
    assert Address.objects.filter(pk=theirs.pk, city=theirs.city).exists()


def test_the_account_links_to_orders_messages_and_notification_settings(
    logged_in_client: Client,
) -> None:
    profile = logged_in_client.get("/account/profile/").content.decode()
    old_address = logged_in_client.get("/account/notifications/")

    assert 'href="/orders/"' in profile
    assert 'href="/chat/"' in profile
    assert 'href="/notifications/preferences/"' in profile
    assert old_address.status_code == 302
    assert old_address["Location"] == "/notifications/preferences/"


def test_the_email_and_password_pages_share_the_account_layout(
    logged_in_client: Client,
) -> None:
    for path in ["/accounts/email/", "/accounts/password/change/"]:
        html = logged_in_client.get(path).content.decode()
        assert 'class="dashboard account"' in html
        assert 'class="field' in html
