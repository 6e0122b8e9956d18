"""The charts of the admin reports page and the vendor analytics page draw in a real chromium,
under the Content Security Policy, without a console error."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from analytics.services import analytics_rollup, product_view_record
from catalog.tests.factories import ProductFactory
from marketmate.tests.browser import VIEWPORTS, signed_in_context
from orders.tests.factories import OrderFactory, OrderLineFactory
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sales() -> Shop:
    """Two weeks of sales of two products in one shop, and some views, rolled up."""
    shop = ShopFactory(name="Clay & Co")
    mug = ProductFactory(shop=shop, title="Speckled mug")
    teapot = ProductFactory(shop=shop, title="Stoneware teapot")
    now = timezone.now()
    for days_ago in range(14):
        for product, quantity, price in [(mug, 1 + days_ago % 3, "18.00"), (teapot, 1, "64.00")]:
            if (days_ago + quantity) % 4 == 0:
                continue
            order = OrderFactory(
                shop=shop,
                paid_at=now - timedelta(days=days_ago, hours=1),
                subtotal=Decimal(price) * quantity,
            )
            OrderLineFactory(
                order=order,
                variant=product.variants.get(),
                quantity=quantity,
                unit_price=Decimal(price),
            )
        for _ in range(5 + days_ago % 4):
            product_view_record(product_id=mug.pk, when=now - timedelta(days=days_ago))
    analytics_rollup(start_day=(now - timedelta(days=14)).date(), end_day=now.date())
    return shop


IGNORED_PATHS = (
    "/ws/",  # live updates: the test server speaks HTTP only
    "/favicon.ico",  # the stock admin pages link no icon; browsers ask anyway
)


def _open(page, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Go to `url`; return the console errors and warnings, script errors and failed requests."""
    problems: list[str] = []

    def console(message) -> None:  # type: ignore[no-untyped-def]
        # Failed loads are reported (with their address) by `response` below.
        if (
            message.type in ("error", "warning")
            and "Failed to load resource" not in message.text
            and not any(path in message.text for path in IGNORED_PATHS)
        ):
            problems.append(message.text)

    def response(answer) -> None:  # type: ignore[no-untyped-def]
        if answer.status >= 400 and not any(path in answer.url for path in IGNORED_PATHS):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("response", response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return problems


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_admin_reports_page_draws_its_charts(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    _sales()
    staff = StaffFactory(email=f"reports-{viewport}@example.com")
    context = signed_in_context(browser, live_server, staff, viewport)
    page = context.new_page()

    problems = _open(page, live_server.url + "/admin/analytics/salesreport/?group=day")

    shots = artifacts_dir / "analytics"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"admin-reports-{viewport}.png"), full_page=True)
    assert problems == []
    assert page.locator("canvas[data-drawn=true]").count() == 2
    assert page.locator(".reports__table").first.is_visible()
    # the shop picker searches the shops by name
    page.locator(".select2-selection").first.click()
    page.locator(".select2-search__field").fill("clay")
    page.locator(".select2-results__option", has_text="Clay & Co").click()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**shop=*")
    page.screenshot(path=str(shots / f"admin-reports-shop-{viewport}.png"), full_page=True)
    assert page.locator(".select2-selection__rendered").first.get_attribute("title") == (
        "Clay & Co"
    )
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_vendor_analytics_page_draws_its_charts(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    shop = _sales()
    context = signed_in_context(browser, live_server, shop.owner, viewport)
    page = context.new_page()

    problems = _open(page, live_server.url + "/dashboard/analytics/")

    shots = artifacts_dir / "analytics"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"dashboard-analytics-{viewport}.png"), full_page=True)
    assert problems == []
    assert page.locator("canvas[data-drawn=true]").count() == 2
    assert page.get_by_role("link", name="Speckled mug").is_visible()
    # the menu names the period shown: the default 30 days, not the first choice
    assert page.locator("select[name=period]").input_value() == "30"
    context.close()
