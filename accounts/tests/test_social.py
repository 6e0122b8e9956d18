"""Social login through allauth's Google and Facebook providers. The providers' HTTP endpoints
are the machine's edge: `responses` answers for them (there is no network to the providers)."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
import responses
from allauth.socialaccount.models import SocialAccount
from django.core import mail
from django.test import Client

from accounts.models import User
from accounts.services import user_ban
from accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROVIDERS = {
    "google": {
        "APPS": [{"client_id": "google-client", "secret": "google-secret", "key": ""}],
        "SCOPE": ["profile", "email"],
    },
    "facebook": {
        "APPS": [{"client_id": "facebook-client", "secret": "facebook-secret", "key": ""}],
        "METHOD": "oauth2",
        "SCOPE": ["email", "public_profile"],
        "FIELDS": ["id", "email", "name", "first_name", "last_name"],
    },
}


@pytest.fixture
def providers(settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = PROVIDERS


def _start(client: Client, provider: str) -> str:
    """Start the login at MarketMate; returns the `state` sent to the provider."""
    response = client.post(f"/accounts/{provider}/login/")
    assert response.status_code == 302
    return parse_qs(urlparse(response["Location"]).query)["state"][0]


def _google_answers(profile: dict[str, object]) -> None:
    responses.add(
        responses.POST,
        "https://oauth2.googleapis.com/token",
        json={"access_token": "google-token", "expires_in": 3600, "token_type": "Bearer"},
    )
    responses.add(responses.GET, "https://www.googleapis.com/oauth2/v2/userinfo", json=profile)


def _facebook_answers(profile: dict[str, object]) -> None:
    responses.add(
        responses.GET,
        re.compile(r"https://graph\.facebook\.com/v[\d.]+/oauth/access_token.*"),
        json={"access_token": "facebook-token", "expires_in": 3600, "token_type": "bearer"},
    )
    responses.add(
        responses.POST,
        re.compile(r"https://graph\.facebook\.com/v[\d.]+/oauth/access_token.*"),
        json={"access_token": "facebook-token", "expires_in": 3600, "token_type": "bearer"},
    )
    responses.add(
        responses.GET, re.compile(r"https://graph\.facebook\.com/v[\d.]+/me.*"), json=profile
    )


def test_no_social_buttons_without_configured_providers(client: Client, settings) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {}

    html = client.get("/accounts/login/").content.decode()

    assert "Continue with" not in html


@pytest.mark.usefixtures("providers")
def test_configured_providers_get_a_button(client: Client) -> None:
    html = client.get("/accounts/login/").content.decode()

    assert "Continue with Google" in html
    assert "Continue with Facebook" in html


@pytest.mark.usefixtures("providers")
@responses.activate
def test_google_callback_signs_up_a_verified_user(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    _google_answers(
        {
            "id": "108",
            "email": "gina@example.com",
            "verified_email": True,
            "name": "Gina Google",
            "given_name": "Gina",
            "family_name": "Google",
        }
    )
    state = _start(client, "google")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            "/accounts/google/login/callback/", {"code": "google-code", "state": state}
        )

    assert response.status_code == 302
    user = User.objects.get(email="gina@example.com")
    assert (user.name, user.verified, user.role) == ("Gina Google", True, "buyer")
    assert not user.has_usable_password()
    assert SocialAccount.objects.get(user=user).provider == "google"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert [m.subject for m in mail.outbox] == ["Welcome to MarketMate"]


@pytest.mark.usefixtures("providers")
@responses.activate
def test_facebook_callback_signs_up_a_user_whose_email_still_needs_verifying(
    client: Client,
) -> None:
    _facebook_answers(
        {"id": "77", "email": "fred@example.com", "name": "Fred Face", "first_name": "Fred"}
    )
    state = _start(client, "facebook")

    response = client.get(
        "/accounts/facebook/login/callback/", {"code": "facebook-code", "state": state}
    )

    assert response.status_code == 302
    user = User.objects.get(email="fred@example.com")
    assert (user.name, user.verified) == ("Fred Face", False)
    assert SocialAccount.objects.get(user=user).uid == "77"


@pytest.mark.usefixtures("providers")
@responses.activate
def test_google_login_of_a_banned_user_is_refused(client: Client) -> None:
    banned = UserFactory(email="gina@example.com")
    user_ban(user=banned, actor=None, reason="Fraud")
    _google_answers({"id": "108", "email": "gina@example.com", "verified_email": True})
    state = _start(client, "google")

    response = client.get(
        "/accounts/google/login/callback/", {"code": "google-code", "state": state}, follow=True
    )

    assert "This account is suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.usefixtures("providers")
@responses.activate
def test_a_provider_error_shows_the_error_page(client: Client) -> None:
    responses.add(
        responses.POST,
        "https://oauth2.googleapis.com/token",
        json={"error": "invalid_grant"},
        status=400,
    )
    state = _start(client, "google")

    response = client.get("/accounts/google/login/callback/", {"code": "bad-code", "state": state})

    assert response.status_code == 401
    assert "Third-Party Login Failure" in response.content.decode()
    assert not User.objects.exists()
