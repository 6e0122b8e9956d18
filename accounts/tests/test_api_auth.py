"""The sign-in API: register, login, refresh, logout, password reset and e-mail verification."""

import re
import time

import django_ratelimit.core
import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_ban, user_tokens_issue, user_unban
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "correct-horse-battery-77"


def _reset_link_parts(body: str) -> tuple[str, str]:
    match = re.search(r"/accounts/password/reset/key/([0-9a-z]+)-([^/\s]+)/", body)
    assert match, body
    return match.group(1), match.group(2)


def _verification_key(body: str) -> str:
    match = re.search(r"/accounts/confirm-email/([^/\s]+)/", body)
    assert match, body
    return match.group(1)


# --- register ---------------------------------------------------------------------------------
def test_register_creates_a_buyer_and_emails_verification_and_welcome(
    api_client: APIClient, django_capture_on_commit_callbacks, sent_to
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v1/auth/register",
            {"email": "Ann@Example.com", "password": STRONG_PASSWORD, "name": "Ann Lee"},
        )

    assert response.status_code == 202
    user = User.objects.get(email="ann@example.com")
    assert (user.name, user.role, user.verified) == ("Ann Lee", "buyer", False)
    assert user.check_password(STRONG_PASSWORD)
    assert user.password.startswith("md5$")  # the test hasher; production uses Argon2 first
    subjects = sorted(message.subject for message in sent_to("ann@example.com"))
    assert subjects == ["Confirm your e-mail address", "Welcome to MarketMate"]
    verification = next(m for m in mail.outbox if m.subject == "Confirm your e-mail address")
    assert "/accounts/confirm-email/" in verification.body
    html = verification.alternatives[0][0]
    assert "Confirm my e-mail address" in html


def test_register_with_a_weak_password_is_a_field_error(api_client: APIClient) -> None:
    response = api_client.post(
        "/api/v1/auth/register", {"email": "weak@example.com", "password": "12345678", "name": "W"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"]["password"] == [
        "This password is too common.",
        "This password is entirely numeric.",
    ]
    assert not User.objects.filter(email="weak@example.com").exists()


def test_register_without_fields_lists_every_missing_field(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/auth/register", {})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"email", "password", "name"}


# --- login --------------------------------------------------------------------------------------
def test_login_returns_a_working_jwt_pair(api_client: APIClient, user: User) -> None:
    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email.upper(), "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v1/users/me")
    assert me.status_code == 200
    assert me.json()["email"] == user.email


def test_login_with_a_wrong_password_is_401_and_logged_without_the_password(
    api_client: APIClient, user: User, caplog
) -> None:
    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "not-my-password-1"}
    )

    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "The e-mail address or password is not correct.",
            "fields": {},
        }
    }
    assert f"Failed sign-in for {user.email}" in caplog.text
    assert "not-my-password-1" not in caplog.text


def test_login_of_an_unknown_address_is_the_same_401(api_client: APIClient, db) -> None:
    response = api_client.post(
        "/api/v1/auth/login", {"email": "nobody@example.com", "password": "whatever-it-is-9"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_login_of_a_banned_user_is_refused_with_a_clear_message(
    api_client: APIClient, user: User
) -> None:
    user_ban(user=user, actor=StaffFactory(), reason="Fraud")

    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}
    )

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "account_disabled",
        "message": "This account has been suspended. Contact support for help.",
        "fields": {},
    }


def test_a_banned_user_with_a_wrong_password_learns_nothing_about_the_ban(
    api_client: APIClient, user: User
) -> None:
    user_ban(user=user, actor=None, reason="Fraud")

    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "guessing-the-password"}
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"


# --- refresh and logout -------------------------------------------------------------------------
def test_refresh_rotates_and_the_old_refresh_token_is_refused(
    api_client: APIClient, user: User
) -> None:
    first = user_tokens_issue(user=user)

    response = api_client.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})

    assert response.status_code == 200
    rotated = response.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != first["refresh"]
    reused = api_client.post("/api/v1/auth/refresh", {"refresh": first["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "authentication_failed"
    again = api_client.post("/api/v1/auth/refresh", {"refresh": rotated["refresh"]})
    assert again.status_code == 200


def test_refresh_with_garbage_is_401(api_client: APIClient, db) -> None:
    response = api_client.post("/api/v1/auth/refresh", {"refresh": "not-a-token"})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_logout_revokes_the_refresh_token_for_good(api_client: APIClient, user: User) -> None:
    tokens = user_tokens_issue(user=user)

    response = api_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]})

    assert response.status_code == 204
    assert (
        api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}).status_code == 401
    )
    assert api_client.post("/api/v1/auth/logout", {"refresh": tokens["refresh"]}).status_code == 401


def test_logout_ends_the_access_tokens_of_that_sign_in_too(
    api_client: APIClient, user: User
) -> None:
    # Given a signed-in client whose access token was stolen, and a second sign-in elsewhere
    tokens = user_tokens_issue(user=user)
    elsewhere = user_tokens_issue(user=user)
    rotated = api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}).json()
    stolen = APIClient()
    stolen.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert stolen.get("/api/v1/users/me").status_code == 200

    # When the client signs out with its latest refresh token (and no access token at hand)
    response = api_client.post("/api/v1/auth/logout", {"refresh": rotated["refresh"]})

    # Then every access token of that sign-in fails at once, those of the other sign-in do not
    assert response.status_code == 204
    assert stolen.get("/api/v1/users/me").status_code == 401
    for access in (rotated["access"], tokens["access"]):
        api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        refused = api_client.get("/api/v1/users/me")
        assert refused.status_code == 401
        assert refused.json()["error"]["code"] == "authentication_failed"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {elsewhere['access']}")
    assert api_client.get("/api/v1/users/me").status_code == 200


def test_logout_ends_the_access_token_it_is_called_with(api_client: APIClient, user: User) -> None:
    # A token pair issued before sign-ins carried their session id: the bearer token is denied
    # by its own id.
    tokens = user_tokens_issue(user=user)
    other = user_tokens_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")

    response = api_client.post("/api/v1/auth/logout", {"refresh": other["refresh"]})

    assert response.status_code == 204
    assert api_client.get("/api/v1/users/me").status_code == 401


def test_logout_without_a_token_is_a_field_error(api_client: APIClient, db) -> None:
    response = api_client.post("/api/v1/auth/logout", {})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"refresh": ["This field is required."]}


# --- bans ---------------------------------------------------------------------------------------
def test_a_banned_users_still_valid_access_token_fails_on_the_next_request(
    api_client: APIClient, user: User
) -> None:
    tokens = user_tokens_issue(user=user)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/users/me").status_code == 200

    user_ban(user=user, actor=StaffFactory(), reason="Chargebacks")

    response = api_client.get("/api/v1/users/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_banned_users_refresh_token_is_revoked(api_client: APIClient, user: User) -> None:
    tokens = user_tokens_issue(user=user)

    user_ban(user=user, actor=None, reason="Spam")

    response = api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert response.status_code == 401


def test_tokens_from_before_a_ban_stay_dead_after_the_unban(
    api_client: APIClient, user: User
) -> None:
    tokens = user_tokens_issue(user=user)
    user_ban(user=user, actor=None, reason="Spam")
    user_unban(user=user, actor=None, reason="Appeal accepted")

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/v1/users/me").status_code == 401
    api_client.credentials()
    assert (
        api_client.post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]}).status_code == 401
    )
    fresh = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}
    )
    assert fresh.status_code == 200


# --- password reset -----------------------------------------------------------------------------
def test_forgot_password_answers_202_for_known_and_unknown_addresses(
    api_client: APIClient, user: User, django_capture_on_commit_callbacks, sent_to
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post("/api/v1/auth/forgot-password", {"email": user.email})
        unknown = api_client.post("/api/v1/auth/forgot-password", {"email": "ghost@example.com"})

    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.subject for m in sent_to(user.email)] == ["Reset your password"]
    assert [m.subject for m in sent_to("ghost@example.com")] == ["About your password reset"]


def test_forgot_password_with_a_malformed_address_is_a_field_error(api_client, db) -> None:
    response = api_client.post("/api/v1/auth/forgot-password", {"email": "not-an-address"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"email": ["Enter a valid email address."]}


def test_reset_password_with_the_emailed_link_sets_the_new_password(
    api_client: APIClient, user: User, django_capture_on_commit_callbacks, sent_to
) -> None:
    old_tokens = user_tokens_issue(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post("/api/v1/auth/forgot-password", {"email": user.email})
    uid, token = _reset_link_parts(sent_to(user.email)[0].body)

    response = api_client.post(
        "/api/v1/auth/reset-password", {"uid": uid, "token": token, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 204
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    assert (
        api_client.post("/api/v1/auth/refresh", {"refresh": old_tokens["refresh"]}).status_code
        == 401
    )
    used_again = api_client.post(
        "/api/v1/auth/reset-password", {"uid": uid, "token": token, "password": "another-one-55x"}
    )
    assert used_again.status_code == 400
    assert used_again.json()["error"]["fields"] == {
        "token": ["The password reset link is invalid or has expired."]
    }


def test_reset_password_accepts_the_links_whole_key_as_token(
    api_client: APIClient, user: User
) -> None:
    uid = user_pk_to_url_str(user)
    token = default_token_generator.make_token(user)

    response = api_client.post(
        "/api/v1/auth/reset-password", {"token": f"{uid}-{token}", "password": STRONG_PASSWORD}
    )

    assert response.status_code == 204


def test_reset_password_with_an_expired_token_is_400(
    api_client: APIClient, user: User, settings
) -> None:
    uid = user_pk_to_url_str(user)
    token = default_token_generator.make_token(user)
    settings.PASSWORD_RESET_TIMEOUT = -1  # every token issued so far is now too old

    response = api_client.post(
        "/api/v1/auth/reset-password", {"uid": uid, "token": token, "password": STRONG_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_token"
    assert response.json()["error"]["fields"] == {
        "token": ["The password reset link is invalid or has expired."]
    }


@pytest.mark.parametrize(
    ("uid", "token"), [("zzzz", "abc-def"), ("", "no-dash-here"), ("1", "garbage")]
)
def test_reset_password_with_an_invalid_link_is_400(api_client, user, uid, token) -> None:
    data = {"token": token, "password": STRONG_PASSWORD}
    if uid:
        data["uid"] = uid

    response = api_client.post("/api/v1/auth/reset-password", data)

    assert response.status_code == 400
    assert "token" in response.json()["error"]["fields"]


def test_reset_password_with_a_weak_password_is_a_field_error(api_client, user) -> None:
    uid = user_pk_to_url_str(user)
    token = default_token_generator.make_token(user)

    response = api_client.post(
        "/api/v1/auth/reset-password", {"uid": uid, "token": token, "password": "password"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"password": ["This password is too common."]}


# --- e-mail verification ------------------------------------------------------------------------
def test_verify_email_with_the_emailed_key_verifies_the_user(
    api_client: APIClient, django_capture_on_commit_callbacks, sent_to
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/v1/auth/register",
            {"email": "vera@example.com", "password": STRONG_PASSWORD, "name": "Vera"},
        )
    key = _verification_key(
        next(m for m in sent_to("vera@example.com") if "Confirm" in m.subject).body
    )

    response = api_client.post("/api/v1/auth/verify-email", {"key": key})

    assert response.status_code == 204
    user = User.objects.get(email="vera@example.com")
    assert user.verified is True
    assert EmailAddress.objects.get(user=user).verified is True


def test_verify_email_with_an_invalid_key_is_400(api_client: APIClient, db) -> None:
    response = api_client.post("/api/v1/auth/verify-email", {"key": "made-up-key"})

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "key": ["The verification link is invalid or has expired."]
    }


def test_verify_email_with_an_expired_key_is_400(
    api_client: APIClient, unverified_user: User, settings
) -> None:
    address = EmailAddress.objects.get(user=unverified_user)
    key = EmailConfirmationHMAC(address).key
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = -1

    response = api_client.post("/api/v1/auth/verify-email", {"key": key})

    assert response.status_code == 400
    unverified_user.refresh_from_db()
    assert unverified_user.verified is False


# --- rate limits --------------------------------------------------------------------------------
@pytest.mark.usefixtures("small_rate_limits")
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/api/v1/auth/login", {"email": "x@example.com", "password": "wrong-password-1"}),
        ("/api/v1/auth/register", {"email": "bad", "password": "x", "name": "x"}),
        ("/api/v1/auth/forgot-password", {"email": "x@example.com"}),
        ("/api/v1/auth/reset-password", {"uid": "1", "token": "x", "password": "x"}),
    ],
)
def test_the_fourth_attempt_in_a_minute_from_one_ip_is_429_with_retry_after(
    api_client: APIClient, db, settings, path: str, data: dict[str, str]
) -> None:
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = "100/15m"  # only the limit by IP address here
    for _attempt in range(3):
        assert api_client.post(path, data).status_code != 429

    response = api_client.post(path, data)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["message"].startswith("Too many attempts.")


@pytest.mark.usefixtures("small_rate_limits")
def test_failed_logins_cool_the_account_off_even_from_other_addresses(user: User, settings) -> None:
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "login": "100/m"}
    first, second = APIClient(REMOTE_ADDR="10.0.0.1"), APIClient(REMOTE_ADDR="10.0.0.2")
    for client in (first, second):
        wrong = client.post("/api/v1/auth/login", {"email": user.email, "password": "wrong-1x"})
        assert wrong.status_code == 401

    locked = APIClient(REMOTE_ADDR="10.0.0.3").post(
        "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}
    )

    assert locked.status_code == 429
    assert 1 <= int(locked["Retry-After"]) <= 15 * 60
    assert "failed sign-ins" in locked.json()["error"]["message"]
    other = UserFactory()
    unaffected = APIClient(REMOTE_ADDR="10.0.0.3").post(
        "/api/v1/auth/login", {"email": other.email, "password": DEFAULT_PASSWORD}
    )
    assert unaffected.status_code == 200


@pytest.mark.usefixtures("small_rate_limits")
def test_the_account_cool_off_ends_by_itself(user: User, monkeypatch) -> None:
    client = APIClient()
    for _attempt in range(2):
        client.post("/api/v1/auth/login", {"email": user.email, "password": "wrong-1x"})
    login = {"email": user.email, "password": DEFAULT_PASSWORD}
    assert client.post("/api/v1/auth/login", login).status_code == 429
    now = time.time()

    # The clock moves past the 15-minute period of the limit.
    monkeypatch.setattr(django_ratelimit.core.time, "time", lambda: now + 15 * 60 + 1)

    assert client.post("/api/v1/auth/login", login).status_code == 200


# --- account enumeration ------------------------------------------------------------------------
def test_registering_a_taken_address_answers_as_for_a_new_one_and_mails_the_owner(
    api_client: APIClient, django_capture_on_commit_callbacks
) -> None:
    owner = UserFactory(email="ann@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        new = api_client.post(
            "/api/v1/auth/register",
            {"email": "new@example.com", "password": "correct-horse-battery-77", "name": "N"},
        )
        taken = api_client.post(
            "/api/v1/auth/register",
            {"email": "ANN@example.com", "password": "correct-horse-battery-77", "name": "N"},
        )

    assert new.status_code == 202, new.json()
    assert (taken.status_code, taken.json()) == (new.status_code, new.json())
    assert new.json() == {"message": "Check your inbox: we sent a link to confirm the address."}
    assert User.objects.filter(email__iexact="ann@example.com").get() == owner
    assert [m.subject for m in mail.outbox if "ann@example.com" in m.to] == [
        "You already have an account"
    ]
