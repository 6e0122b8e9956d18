"""allauth's pages as MarketMate serves them: sign-up, log-in, log-out, resets, verification."""

import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import user_ban, user_tokens_issue
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "correct-horse-battery-77"


def _signup(client: Client, **overrides: str):
    data = {
        "name": "Ann Lee",
        "email": "ann@example.com",
        "password1": STRONG_PASSWORD,
        "password2": STRONG_PASSWORD,
        **overrides,
    }
    return client.post("/accounts/signup/", data)


def _link(body: str, pattern: str) -> str:
    match = re.search(pattern, body)
    assert match, body
    return match.group(0)


def test_the_signup_page_uses_the_design_system(client: Client) -> None:
    response = client.get("/accounts/signup/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Create your account</h1>" in html
    assert 'class="field' in html
    assert 'class="button button--block"' in html
    assert 'for="id_name"' in html


def test_signup_creates_the_user_and_sends_two_emails_and_the_link_signs_them_in(
    client: Client, django_capture_on_commit_callbacks, sent_to
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _signup(client)

    # Not signed in yet: the answer must be the same as for a taken address (enumeration).
    assert (response.status_code, response["Location"]) == (302, "/accounts/confirm-email/")
    assert "_auth_user_id" not in client.session
    user = User.objects.get(email="ann@example.com")
    assert (user.name, user.role, user.verified) == ("Ann Lee", "buyer", False)
    subjects = sorted(message.subject for message in sent_to("ann@example.com"))
    assert subjects == ["Confirm your e-mail address", "Welcome to MarketMate"]
    confirmation = next(m for m in mail.outbox if m.subject.startswith("Confirm"))
    assert confirmation.alternatives[0][1] == "text/html"
    client.post(_link(confirmation.body, r"/accounts/confirm-email/[^\s]+/"))
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signup_with_a_weak_password_shows_the_field_error(client: Client) -> None:
    response = _signup(client, password1="password", password2="password")

    assert response.status_code == 200
    assert "This password is too common." in response.content.decode()
    assert not User.objects.filter(email="ann@example.com").exists()


def test_login_and_logout(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_login_with_a_wrong_password_shows_an_error(client: Client, user: User) -> None:
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-pass-1"})

    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in (
        response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_a_banned_user_cannot_log_in_and_is_told_why(client: Client, user: User) -> None:
    user_ban(user=user, actor=StaffFactory(), reason="Fraud")

    response = client.post(
        "/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/accounts/inactive/"
    assert "This account is suspended" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_ban_ends_the_users_open_session_at_once(user: User) -> None:
    client = Client()
    client.force_login(user)
    assert client.get("/account/profile/").status_code == 200

    user_ban(user=user, actor=None, reason="Spam")

    response = client.get("/account/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_sessions_from_before_a_ban_stay_ended_after_the_unban(user: User) -> None:
    from accounts.services import user_unban

    client = Client()
    client.force_login(user)
    user_ban(user=user, actor=None, reason="Spam")
    user_unban(user=user, actor=None, reason="Appeal")

    assert client.get("/account/profile/").status_code == 302


def test_password_reset_by_email(
    client: Client, user: User, django_capture_on_commit_callbacks, sent_to
) -> None:
    tokens = user_tokens_issue(user=user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    link = _link(sent_to(user.email)[0].body, r"/accounts/password/reset/key/[^\s]+/")

    page = client.get(link, follow=True)
    form_url = page.redirect_chain[-1][0]
    done = client.post(form_url, {"password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    refreshed = APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401


def test_password_reset_with_a_bad_link_says_so(client: Client, user: User) -> None:
    response = client.get("/accounts/password/reset/key/1-not-a-token/")

    assert response.status_code == 200
    assert "The password reset link was invalid" in response.content.decode()


def test_verification_link_verifies_the_user(client: Client, unverified_user: User) -> None:
    address = EmailAddress.objects.get(user=unverified_user)
    key = EmailConfirmationHMAC(address).key

    response = client.post(f"/accounts/confirm-email/{key}/")

    assert response.status_code == 302
    unverified_user.refresh_from_db()
    assert unverified_user.verified is True


def test_an_invalid_verification_link_says_so(client: Client, db) -> None:
    response = client.get("/accounts/confirm-email/not-a-key/")

    assert response.status_code == 200
    assert "This email confirmation link expired or is invalid." in response.content.decode()


def test_changing_the_email_address_needs_the_new_address_verified(
    logged_in_client: Client, user: User, django_capture_on_commit_callbacks, sent_to
) -> None:
    old = user.email
    with django_capture_on_commit_callbacks(execute=True):
        logged_in_client.post("/accounts/email/", {"action_add": "", "email": "next@example.com"})
    user.refresh_from_db()
    assert user.email == old
    link = _link(sent_to("next@example.com")[0].body, r"/accounts/confirm-email/[^\s]+/")

    logged_in_client.post(link)

    user.refresh_from_db()
    assert (user.email, user.verified) == ("next@example.com", True)


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    logged_in_client: Client, user: User
) -> None:
    other_device = Client()
    other_device.force_login(user)
    tokens = user_tokens_issue(user=user)

    response = logged_in_client.post(
        "/accounts/password/change/",
        {
            "oldpassword": DEFAULT_PASSWORD,
            "password1": STRONG_PASSWORD,
            "password2": STRONG_PASSWORD,
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(STRONG_PASSWORD)
    assert logged_in_client.get("/account/profile/").status_code == 200  # still signed in
    assert other_device.get("/account/profile/").status_code == 302
    refreshed = APIClient().post("/api/v1/auth/refresh", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 401


@pytest.mark.usefixtures("small_rate_limits")
def test_too_many_logins_from_one_ip_show_the_friendly_429_page(
    client: Client, user: User, settings
) -> None:
    settings.ACCOUNTS_LOGIN_FAILURE_LIMIT = "100/15m"
    for _attempt in range(3):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-pass-1"})

    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    html = response.content.decode()
    assert "<h1>Let's take a short break</h1>" in html
    assert "Too many attempts. Please wait a moment and try again." in html


@pytest.mark.usefixtures("small_rate_limits")
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/accounts/signup/", {"email": "x@example.com"}),
        ("/accounts/password/reset/", {"email": "x@example.com"}),
    ],
)
def test_signup_and_reset_pages_are_rate_limited(client: Client, db, path, data) -> None:
    for _attempt in range(3):
        assert client.post(path, data).status_code != 429

    assert client.post(path, data).status_code == 429


@pytest.mark.usefixtures("small_rate_limits")
def test_failed_logins_cool_the_account_off_on_the_web(client: Client, user: User) -> None:
    for _attempt in range(2):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong-pass-1"})

    response = client.post("/accounts/login/", {"login": user.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 429
    assert "Too many failed sign-ins for this account." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_pages_speak_the_users_preferred_language(user: User) -> None:
    user.language = "de"
    user.save(update_fields=["language"])
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    client.force_login(user)

    response = client.get("/account/profile/")

    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in response.content.decode()


def test_visitors_get_the_browsers_language(client: Client, db) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")

    assert response["Content-Language"] == "es"


def test_choosing_a_language_while_signed_in_becomes_the_preference(
    logged_in_client: Client, user: User
) -> None:
    logged_in_client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    user.refresh_from_db()
    assert user.language == "es"
    assert logged_in_client.get("/account/profile/")["Content-Language"] == "es"


# --- account enumeration ------------------------------------------------------------------------
def test_signing_up_with_a_taken_address_looks_like_a_new_sign_up_and_mails_the_owner(
    django_capture_on_commit_callbacks, sent_to
) -> None:
    # Given an account the attacker wants to find
    owner = UserFactory(email="ann@example.com", password=DEFAULT_PASSWORD)
    fresh, probing = Client(), Client()

    # When the attacker signs up with a new address and with the owner's
    with django_capture_on_commit_callbacks(execute=True):
        new = _signup(fresh, email="new@example.com")
        taken = _signup(probing, email="ANN@example.com")

    # Then both answers are the same, no account is added, and the owner hears of it
    assert (new.status_code, new["Location"]) == (302, "/accounts/confirm-email/")
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert "_auth_user_id" not in fresh.session
    assert "_auth_user_id" not in probing.session
    assert [str(m) for m in get_messages(new.wsgi_request)] == [
        "Confirmation email sent to new@example.com."
    ]
    assert [str(m) for m in get_messages(taken.wsgi_request)] == [
        "Confirmation email sent to ann@example.com."
    ]
    assert User.objects.filter(email__iexact="ann@example.com").get() == owner
    owner_mail = sent_to("ann@example.com")
    assert [message.subject for message in owner_mail] == ["You already have an account"]
    assert "Someone tried to sign up" in owner_mail[0].body


def test_adding_another_accounts_address_looks_like_adding_a_free_one(
    logged_in_client: Client, user: User, django_capture_on_commit_callbacks, sent_to
) -> None:
    UserFactory(email="owner@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        free = logged_in_client.post(
            "/accounts/email/", {"action_add": "", "email": "f@example.com"}
        )
        taken = logged_in_client.post(
            "/accounts/email/", {"action_add": "", "email": "owner@example.com"}
        )

    assert (taken.status_code, taken["Location"]) == (free.status_code, free["Location"])
    assert "already" not in logged_in_client.get(taken["Location"]).content.decode()
    assert not EmailAddress.objects.filter(user=user, email="owner@example.com", verified=True)
    assert [message.subject for message in sent_to("owner@example.com")] != [
        "Confirm your e-mail address"
    ]
