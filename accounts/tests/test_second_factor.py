"""The admin's sign-in and the second factor (issue #18, finding 2), tried as an attacker would:
password guessing at the admin's own sign-in, staff without a second factor, a stolen password
without the code, on the pages and on the API."""

import importlib
import time
from collections.abc import Iterator

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.urls import clear_url_caches, resolve
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def _current_code(secret: str = SECRET) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _wrong_code(secret: str = SECRET) -> str:
    return f"{(int(_current_code(secret)) + 1) % 1_000_000:06d}"


def _password_step(client: Client, email: str, next_url: str = "/admin/"):
    return client.post(
        f"/accounts/login/?next={next_url}", {"login": email, "password": DEFAULT_PASSWORD}
    )


@pytest.fixture
def staff() -> User:
    return StaffFactory(email="stella@example.com", second_factor=SECRET)


# --- The admin's sign-in ------------------------------------------------------------------------


def test_the_admin_sign_in_page_sends_to_the_site_sign_in(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_a_right_password_posted_to_the_admin_sign_in_signs_nobody_in(
    client: Client, staff: User
) -> None:
    response = client.post(
        "/admin/login/", {"username": staff.email, "password": DEFAULT_PASSWORD, "next": "/admin/"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_guessing_passwords_for_the_admin_is_limited_per_address(
    client: Client, staff: User, small_rate_limits: None
) -> None:
    statuses = [
        client.post(
            "/accounts/login/?next=/admin/", {"login": f"guess{n}@example.com", "password": "x"}
        ).status_code
        for n in range(4)
    ]

    assert statuses == [200, 200, 200, 429]


def test_a_staff_account_locks_out_after_failed_passwords_even_with_the_right_one(
    client: Client, staff: User, small_rate_limits: None, settings
) -> None:
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "login": "100/m"}
    for _attempt in range(2):
        client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": "wrong"})

    response = _password_step(client, staff.email)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- Staff must have a second factor ------------------------------------------------------------


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client: Client) -> None:
    client.force_login(StaffFactory(second_factor=False))

    response = client.get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/"


def test_staff_with_only_recovery_codes_are_sent_to_set_up_a_second_factor(
    client: Client,
) -> None:
    staff = StaffFactory(second_factor=False)
    RecoveryCodes.activate(staff)
    client.force_login(staff)

    assert client.get("/admin/")["Location"] == "/accounts/2fa/"


def test_staff_with_a_second_factor_reach_the_admin(client: Client, staff: User) -> None:
    client.force_login(staff)

    assert client.get("/admin/").status_code == 200


def test_the_setup_page_tells_staff_why_they_are_there(client: Client) -> None:
    client.force_login(StaffFactory(second_factor=False))

    response = client.get("/admin/", follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Set up a second factor for your account before you open the administration." in html
    assert 'href="/accounts/2fa/totp/activate/"' in html


def test_shoppers_and_vendors_need_no_second_factor_but_may_set_one_up(client: Client) -> None:
    shopper = UserFactory()
    client.force_login(shopper)

    account = client.get("/account/profile/")
    setup = client.get("/accounts/2fa/")

    assert account.status_code == 200
    assert 'href="/accounts/2fa/"' in account.content.decode()
    assert setup.status_code == 200


def test_a_shopper_is_refused_by_the_admin_with_a_403(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get("/admin/", follow=True)

    assert response.redirect_chain == [("/admin/login/?next=/admin/", 302)]
    assert response.status_code == 403


# --- Signing in with the second factor ----------------------------------------------------------


def test_the_password_alone_does_not_open_the_admin(client: Client, staff: User) -> None:
    response = _password_step(client, staff.email)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session
    # The admin sends to the sign-in, which resumes at the code step of the pending sign-in.
    assert client.get("/admin/", follow=True).redirect_chain[-1] == (
        "/accounts/2fa/authenticate/",
        302,
    )


def test_the_password_and_the_app_code_open_the_admin(client: Client, staff: User) -> None:
    _password_step(client, staff.email)

    response = client.post("/accounts/2fa/authenticate/", {"code": _current_code()})

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert int(client.session["_auth_user_id"]) == staff.pk
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_signs_in_once(client: Client, staff: User) -> None:
    recovery = Authenticator.objects.get(user=staff, type=Authenticator.Type.RECOVERY_CODES)
    code = recovery.wrap().get_unused_codes()[0]
    _password_step(client, staff.email)
    client.post("/accounts/2fa/authenticate/", {"code": code})
    client.post("/accounts/logout/")
    _password_step(client, staff.email)

    again = client.post("/accounts/2fa/authenticate/", {"code": code})

    assert again.status_code == 200
    assert "_auth_user_id" not in client.session


def test_guessing_the_code_locks_the_account_out(
    client: Client, staff: User, small_rate_limits: None, settings
) -> None:
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "login": "100/m"}
    _password_step(client, staff.email)
    wrong = [
        client.post("/accounts/2fa/authenticate/", {"code": _wrong_code()}).status_code
        for _attempt in range(2)
    ]

    right = client.post("/accounts/2fa/authenticate/", {"code": _current_code()})

    assert wrong == [200, 200]
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session


def test_guessing_the_code_is_limited_per_address(
    client: Client, staff: User, small_rate_limits: None
) -> None:
    _password_step(client, staff.email)  # the first of the address's 3 sign-in attempts a minute
    statuses = [
        client.post("/accounts/2fa/authenticate/", {"code": "000000"}).status_code
        for _attempt in range(3)
    ]

    assert statuses == [200, 200, 429]


# --- The API: a password without the code gets no token -----------------------------------------


def test_the_api_refuses_a_token_without_the_code(staff: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/login", {"email": staff.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "second_factor_required"
    assert "access" not in response.json()


def test_the_api_refuses_a_wrong_code_and_counts_it_as_a_failed_sign_in(
    staff: User, small_rate_limits: None, settings
) -> None:
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "login": "100/m"}
    api = APIClient()
    credentials = {"email": staff.email, "password": DEFAULT_PASSWORD}
    wrong = [
        api.post("/api/v1/auth/login", {**credentials, "code": _wrong_code()}, format="json")
        for _attempt in range(2)
    ]

    right = api.post("/api/v1/auth/login", {**credentials, "code": _current_code()}, format="json")

    assert [response.status_code for response in wrong] == [401, 401]
    assert right.status_code == 429


def test_the_api_gives_staff_without_a_second_factor_no_token() -> None:
    staff = StaffFactory(second_factor=False)

    response = APIClient().post(
        "/api/v1/auth/login", {"email": staff.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 401
    assert response.json()["error"] == {
        "code": "second_factor_required",
        "message": "Staff accounts need a second factor: set one up on the site first.",
        "fields": {},
    }


def test_the_api_gives_tokens_with_the_app_code(staff: User) -> None:
    response = APIClient().post(
        "/api/v1/auth/login",
        {"email": staff.email, "password": DEFAULT_PASSWORD, "code": _current_code()},
        format="json",
    )

    assert response.status_code == 200
    assert set(response.json()) == {"access", "refresh"}


def test_the_api_signs_in_accounts_without_a_second_factor_with_the_password(
    user: User,
) -> None:
    response = APIClient().post(
        "/api/v1/auth/login", {"email": user.email, "password": DEFAULT_PASSWORD}, format="json"
    )

    assert response.status_code == 200


# --- The admin's path ---------------------------------------------------------------------------


@pytest.fixture
def admin_at_backstage(settings) -> Iterator[None]:
    import marketmate.urls

    settings.ADMIN_URL = "backstage/"
    importlib.reload(marketmate.urls)
    clear_url_caches()
    yield
    settings.ADMIN_URL = "admin/"
    importlib.reload(marketmate.urls)
    clear_url_caches()


def test_the_admin_lives_where_admin_url_says(
    client: Client, staff: User, admin_at_backstage: None
) -> None:
    client.force_login(staff)

    assert resolve("/backstage/").app_name == "admin"
    assert client.get("/backstage/").status_code == 200
    assert client.get("/admin/").status_code == 404


def test_staff_without_a_second_factor_are_stopped_at_a_moved_admin(
    client: Client, admin_at_backstage: None
) -> None:
    client.force_login(StaffFactory(second_factor=False))

    assert client.get("/backstage/")["Location"] == "/accounts/2fa/"


def test_the_second_factor_pages_say_tu_in_spanish(client: Client, staff: User) -> None:
    # allauth's own Spanish says "usted"; MarketMate's catalogue takes precedence.
    _password_step(client, staff.email)

    html = client.get("/accounts/2fa/authenticate/", HTTP_ACCEPT_LANGUAGE="es").content.decode()

    assert "Tu cuenta está protegida con la autenticación de dos factores." in html
    assert "Su cuenta" not in html
