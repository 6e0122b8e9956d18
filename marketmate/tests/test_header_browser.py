"""The storefront header in a real chromium, on a phone and a desktop: a compact phone header,
the categories menu (a drawer on phones), Orders and Messages in the account menu, and the
notification count beside the bell, not over it."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests.factories import UserFactory
from demo.services import catalog_demo_seed
from marketmate.tests.browser import VIEWPORTS, signed_in_context
from notifications.tests.factories import NotificationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_store() -> None:
    catalog_demo_seed(owner=UserFactory())


def boxes_overlap(first: dict, second: dict) -> bool:
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_visitor_finds_the_categories_in_a_compact_header(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None, viewport: str
) -> None:
    page = browser.new_page(viewport=VIEWPORTS[viewport])
    page.goto(live_server.url + "/")

    page.screenshot(path=str(artifacts_dir / f"header-{viewport}.png"))
    header = page.locator(".site-header").bounding_box()
    # two rows on a phone (logo and links, then search), one on a desktop
    assert header["height"] <= (130 if viewport == "phone" else 80)
    page.click(".categories-menu__toggle")
    panel = page.locator(".categories-menu__panel")
    panel.wait_for()
    links = panel.locator("a")
    assert links.count() >= 2
    if viewport == "phone":
        box = panel.bounding_box()
        assert (box["x"], box["y"]) == (0, 0) and box["height"] == VIEWPORTS["phone"]["height"]
    page.screenshot(path=str(artifacts_dir / f"header-categories-{viewport}.png"))
    first = links.first.get_attribute("href")
    with page.expect_navigation():
        links.first.click()
    assert page.url.endswith(first)
    page.keyboard.press("Escape")
    page.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_account_menu_leads_to_orders_and_messages_and_the_count_leaves_the_bell_visible(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None, viewport: str
) -> None:
    shopper = UserFactory()
    NotificationFactory.create_batch(12, user=shopper)
    context = signed_in_context(browser, live_server, shopper, viewport)
    page = context.new_page()
    page.goto(live_server.url + "/")

    icon = page.locator(".bell__icon").bounding_box()
    badge = page.locator(".bell__badge").bounding_box()
    assert page.inner_text(".bell__badge") == "12"
    assert not boxes_overlap(icon, badge)
    page.click(".site-nav .site-menu__toggle")
    menu = page.locator(".site-nav .site-menu__panel")
    assert menu.locator("a[href='/orders/']").is_visible()
    assert menu.locator("a[href='/chat/']").is_visible()
    page.screenshot(path=str(artifacts_dir / f"header-account-menu-{viewport}.png"))
    context.close()


@pytest.mark.parametrize("locale", ["en-GB", "es-ES"])
def test_the_signed_in_phone_header_takes_two_rows(  # type: ignore[no-untyped-def]
    browser, live_server, artifacts_dir: Path, demo_store: None, locale: str
) -> None:
    shopper = UserFactory()
    NotificationFactory.create_batch(12, user=shopper)  # a two-digit count, the wider badge
    client = Client(HTTP_ACCEPT_LANGUAGE=locale[:2])
    client.force_login(shopper)
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale=locale)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/")

    def middle(selector: str) -> float:
        box = page.locator(selector).bounding_box()
        return float(box["y"] + box["height"] / 2)

    page.screenshot(path=str(artifacts_dir / f"header-signed-in-{locale[:2]}-phone.png"))
    header = page.locator(".site-header").bounding_box()
    # logo, categories, bell, account and cart in the first row; search in the second
    first_row = {
        middle(selector)
        for selector in (
            ".site-header .brand",
            ".categories-menu__toggle",
            ".bell",
            ".account-menu__toggle",
        )
    }
    assert max(first_row) - min(first_row) < 8
    assert abs(middle("#mini-cart") - min(first_row)) < 8
    assert middle("#site-search") > max(first_row) + 20
    assert header["height"] <= 130
    assert page.locator(".account-menu__label").inner_text() in {"Account", "Cuenta"}
    context.close()
