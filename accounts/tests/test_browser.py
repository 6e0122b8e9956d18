"""The account journeys in a real chromium (Playwright), with screenshots at two widths."""

import re
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, AddressFactory, UserFactory
from marketmate.tests.browser import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STRONG_PASSWORD = "correct-horse-battery-77"


def _log_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def test_sign_up_verify_by_the_emailed_link_log_out_and_log_back_in(browser, live_server) -> None:
    page = browser.new_page(viewport=VIEWPORTS["desktop"])
    page.goto(live_server.url + "/accounts/signup/")
    page.get_by_label("Your name").fill("Bea Browser")
    page.get_by_label("Email").fill("bea@example.com")
    page.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
    page.get_by_label("Password (again)").fill(STRONG_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    assert User.objects.get(email="bea@example.com").verified is False

    message = next(m for m in mail.outbox if m.subject == "Confirm your e-mail address")
    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    page.goto(link)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm").click()
    assert User.objects.get(email="bea@example.com").verified is True

    page.locator("summary.site-menu__toggle").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    assert page.get_by_role("link", name="Log in").count() == 1

    _log_in(page, live_server.url, "bea@example.com", STRONG_PASSWORD)
    page.goto(live_server.url + "/account/profile/")
    assert page.locator("h1").inner_text() == "Your profile"
    assert page.locator(".account__who .badge").inner_text() == "Verified"
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_account_pages_at_phone_and_desktop_width(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    user = UserFactory(email="sam@example.com", name="Sam Shopper", verified=False)
    AddressFactory(
        user=user,
        full_name="Sam Shopper",
        line1="Torstraße 1",
        city="Berlin",
        is_default_shipping=True,
        is_default_billing=True,
    )
    AddressFactory(user=user, full_name="Sam at work", line1="Friedrichstraße 68", city="Berlin")
    page = browser.new_page(viewport=VIEWPORTS[viewport])

    for name, path in [
        ("signup", "/accounts/signup/"),
        ("login", "/accounts/login/"),
        ("password-reset", "/accounts/password/reset/"),
    ]:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        page.screenshot(path=str(artifacts_dir / f"accounts-{name}-{viewport}.png"), full_page=True)

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill("wrong-password-1")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_selector(".errorlist, .message--error")
    page.screenshot(
        path=str(artifacts_dir / f"accounts-login-error-{viewport}.png"), full_page=True
    )

    address = EmailAddress.objects.get(user=user)
    page.goto(live_server.url + f"/accounts/confirm-email/{EmailConfirmationHMAC(address).key}/")
    assert page.get_by_role("button", name="Confirm").count() == 1
    page.screenshot(path=str(artifacts_dir / f"accounts-confirm-{viewport}.png"), full_page=True)

    _log_in(page, live_server.url, user.email, DEFAULT_PASSWORD)
    for name, path in [
        ("profile", "/account/profile/"),
        ("addresses", "/account/addresses/"),
        ("address-form", "/account/addresses/create/"),
        ("email", "/accounts/email/"),
        ("password-change", "/accounts/password/change/"),
        ("notifications", "/account/notifications/"),
    ]:
        page.goto(live_server.url + path)
        assert page.locator("h1").count() == 1
        page.screenshot(path=str(artifacts_dir / f"accounts-{name}-{viewport}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS[viewport]["width"], f"{name} scrolls sideways"
    page.close()


def test_the_rate_limit_page(browser, live_server, artifacts_dir: Path, settings) -> None:
    settings.ACCOUNTS_RATE_LIMITS = {**settings.ACCOUNTS_RATE_LIMITS, "login": "1/m"}
    page = browser.new_page(viewport=VIEWPORTS["phone"])
    # The limit counts per fixed minute: two attempts can fall on either side of a minute's
    # end (seen on a loaded machine), three cannot all be in different minutes.
    for _attempt in range(3):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Email").fill("someone@example.com")
        page.get_by_label("Password").fill("wrong-password-1")
        with page.expect_navigation() as navigation:
            page.get_by_role("button", name="Log in").click()

    assert navigation.value.status == 429
    assert page.locator("h1").inner_text() == "Let's take a short break"
    page.screenshot(path=str(artifacts_dir / "accounts-rate-limited-phone.png"), full_page=True)
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_signing_up_with_a_new_or_a_taken_address_shows_the_same_page(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    UserFactory(email="taken@example.com")
    texts = []
    for kind in ("new", "taken"):
        context = browser.new_context(viewport=VIEWPORTS[viewport])
        page = context.new_page()
        page.goto(live_server.url + "/accounts/signup/")
        page.get_by_label("Your name").fill("Eve Probe")
        page.get_by_label("Email").fill(f"{kind}@example.com")
        page.get_by_label("Password", exact=True).fill(STRONG_PASSWORD)
        page.get_by_label("Password (again)").fill(STRONG_PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Create account").click()
        assert page.url == live_server.url + "/accounts/confirm-email/"
        page.screenshot(
            path=str(artifacts_dir / f"accounts-signup-{kind}-address-{viewport}.png"),
            full_page=True,
        )
        texts.append(page.locator("main").inner_text().replace(f"{kind}@example.com", "ADDRESS"))
        context.close()

    assert texts[0] == texts[1]
    assert User.objects.filter(email="taken@example.com").count() == 1
