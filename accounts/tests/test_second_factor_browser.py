"""Staff set up an authenticator app on their way to the admin, then sign in with it: in a real
chromium, in English and Spanish, with screenshots of every step at phone and desktop width.
Elements are picked by field, URL and role, never by English text."""

import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory
from marketmate.tests.browser import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret: str, *, not_before: int = 0) -> tuple[str, int]:
    """The app's code now (waiting for a new 30-second window after `not_before`: a code is
    accepted once), and its window."""
    while (window := int(time.time()) // 30) <= not_before:
        time.sleep(1)
    return format_hotp_value(hotp_value(secret, window)), window


def _shots(page, directory: Path, step: str) -> None:
    for name, size in VIEWPORTS.items():
        page.set_viewport_size(size)
        page.screenshot(path=str(directory / f"{step}-{name}.png"), full_page=True)


def _sign_in_with_password(page, base_url: str, email: str) -> None:
    page.goto(base_url + "/admin/")
    assert "/accounts/login/" in page.url
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_set_up_an_authenticator_app_then_sign_in_to_the_admin_with_it(
    browser, live_server, artifacts_dir: Path, language: str
) -> None:
    directory = artifacts_dir / "second-factor" / language
    directory.mkdir(parents=True, exist_ok=True)
    staff = StaffFactory(email=f"stella-{language}@example.com", second_factor=False, language="")
    context = browser.new_context(locale=language, viewport=VIEWPORTS["desktop"])
    page = context.new_page()

    # Signing in on the way to the admin lands on the second-factor page, not in the admin.
    _sign_in_with_password(page, live_server.url, staff.email)
    assert page.url == f"{live_server.url}/accounts/2fa/"
    assert page.locator("html").get_attribute("lang") == language
    assert page.locator("h1").count() == 1
    _shots(page, directory, "01-setup-required")

    # Setting it up asks for the password again (allauth's reauthentication)...
    with page.expect_navigation():
        page.locator('a[href="/accounts/2fa/totp/activate/"]').click()
    assert page.url.startswith(f"{live_server.url}/accounts/reauthenticate/")
    _shots(page, directory, "02-confirm-password")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()

    # ...then shows the QR code and the secret, and takes the app's first code.
    assert page.url == f"{live_server.url}/accounts/2fa/totp/activate/"
    secret = page.locator("#authenticator_secret").input_value()
    _shots(page, directory, "03-activate-app")
    code, window = _code(secret)
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{live_server.url}/accounts/2fa/recovery-codes/"
    assert Authenticator.objects.filter(user=staff).count() == 2
    _shots(page, directory, "04-recovery-codes")

    page.goto(live_server.url + "/admin/")
    assert page.url == f"{live_server.url}/admin/"
    _shots(page, directory, "05-admin")

    # Signing in again asks for the app's code after the password.
    context.clear_cookies()
    _sign_in_with_password(page, live_server.url, staff.email)
    assert page.url == f"{live_server.url}/accounts/2fa/authenticate/"
    _shots(page, directory, "06-enter-code")
    code, _window = _code(secret, not_before=window)
    page.locator("#id_code").fill(code)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    assert page.url == f"{live_server.url}/admin/"

    page.goto(live_server.url + "/accounts/2fa/")
    _shots(page, directory, "07-manage")
    context.close()
