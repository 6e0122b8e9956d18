"""The pages as a shopper's browser shows them (Debian chromium through Playwright)."""

from pathlib import Path

import pytest

from marketmate.tests.browser import VIEWPORTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_home_page_renders_styled_at_phone_and_desktop_width(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    page = browser.new_page(viewport=VIEWPORTS[viewport])

    page.goto(live_server.url + "/")

    assert page.title() == "Independent shops, one checkout · MarketMate"
    brand_colour = page.eval_on_selector(".brand__mark", "e => getComputedStyle(e).backgroundColor")
    assert brand_colour == "rgb(67, 56, 202)"
    assert page.locator("h1").count() == 1
    page.screenshot(path=str(artifacts_dir / f"home-{viewport}.png"), full_page=True)
    page.close()


def test_the_language_switcher_changes_the_language(browser, live_server) -> None:
    page = browser.new_page()
    page.goto(live_server.url + "/")

    with page.expect_navigation():
        page.select_option("#language-select", "es")

    assert page.locator("html").get_attribute("lang") == "es"
    page.close()
