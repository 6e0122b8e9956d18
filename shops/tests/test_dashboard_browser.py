"""The vendor dashboard in chromium, on a phone and a desktop, in English and Spanish: the
overview's figures link to their lists, the sidebar (a tab strip on phones) reaches Messages,
and nothing is cut off or pushes the page sideways."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory, VariantFactory
from chat.tests.factories import ConversationFactory, MessageFactory
from marketmate.tests.browser import VIEWPORTS, signed_in_context
from orders.tests.factories import OrderFactory, OrderLineFactory
from payments.tests.factories import LedgerEntryFactory
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["en", "es"]


def vendor_context(browser, live_server, user, viewport: str, language: str):  # type: ignore[no-untyped-def]
    """A browser context signed in as `user`, speaking `language`."""
    context = signed_in_context(browser, live_server, user, viewport, locale=language)
    context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    return context


def busy_shop(language: str) -> Shop:
    """A shop with sales today and this month, an order to ship, unread messages, low stock
    and money owed."""
    owner = UserFactory(email=f"vendor-{language}-{timezone.now().timestamp()}@example.com")
    shop = ShopFactory(name="Harbour Ceramics", owner=owner, currency="EUR")
    mug = ProductFactory(shop=shop, title="Speckled mug with a long descriptive name")
    VariantFactory(product=mug, sku="MUG-SPECKLED-LARGE-0001", inventory_count=2)
    now = timezone.now()
    for days_ago, price in ((0, "36.00"), (3, "72.50"), (9, "18.00")):
        order = OrderFactory(
            shop=shop, paid_at=now - timedelta(days=days_ago), subtotal=Decimal(price)
        )
        OrderLineFactory(order=order, variant=mug.variants.first(), unit_price=Decimal(price))
    LedgerEntryFactory(order=order, kind="sale", amount=Decimal("120.00"))
    conversation = ConversationFactory(shop=shop)
    MessageFactory.create_batch(3, conversation=conversation)
    return shop


def page_overflow(page) -> int:  # type: ignore[no-untyped-def]
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_overview_links_every_figure_to_its_list(
    browser, live_server, artifacts_dir: Path, viewport: str, language: str
) -> None:
    shop = busy_shop(language)
    context = vendor_context(browser, live_server, shop.owner, viewport, language)
    page = context.new_page()
    shots = artifacts_dir / "dashboard"
    shots.mkdir(exist_ok=True)

    page.goto(live_server.url + "/dashboard/")

    page.screenshot(path=str(shots / f"overview-{language}-{viewport}.png"), full_page=True)
    assert page.locator("html").get_attribute("lang") == language
    assert page_overflow(page) <= 0
    figures = page.locator("[data-figure]")
    assert figures.count() == 6
    for figure in figures.all():
        assert figure.is_visible()
        box = figure.bounding_box()
        assert (
            box is not None
            and box["x"] >= 0
            and box["x"] + box["width"] <= page.viewport_size["width"]
        )
    for cell in page.locator(".low-stock-table td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= page.viewport_size["width"]
    assert page.locator("[data-figure=unread_messages] .stat__value").inner_text() == "3"
    assert page.locator("[data-figure=orders_to_ship] .stat__value").inner_text() == "3"

    # the sidebar (a tab strip on phones) reaches Messages, and every figure opens its list
    messages = page.locator(".dashboard__nav a[href='/dashboard/messages/']")
    messages.scroll_into_view_if_needed()
    assert messages.is_visible()
    page.locator("[data-figure=orders_to_ship] a").click()
    page.wait_for_url("**/dashboard/orders/?status=paid")
    assert page.locator("select[name=status]").input_value() == "paid"
    page.go_back()
    page.locator("[data-figure=unread_messages] a").click()
    page.wait_for_url("**/dashboard/messages/")
    page.go_back()
    page.locator("[data-figure=sales_period] a").click()
    page.wait_for_url("**/dashboard/analytics/?period=30")
    assert page.locator("select[name=period]").input_value() == "30"
    page.screenshot(path=str(shots / f"analytics-{language}-{viewport}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_tabs_products_and_an_order_fit_the_screen(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    shop = busy_shop("en")
    ProductFactory(shop=shop, title="Stoneware teapot, ash glaze, 1.2 litres")
    order = shop.orders.filter(paid_at__isnull=False).order_by("-paid_at").first()
    context = vendor_context(browser, live_server, shop.owner, viewport, "en")
    page = context.new_page()
    shots = artifacts_dir / "dashboard"
    shots.mkdir(exist_ok=True)
    width = VIEWPORTS[viewport]["width"]

    # every tab of the sidebar is on screen, none cut off
    page.goto(live_server.url + "/dashboard/products/")
    page.screenshot(path=str(shots / f"products-{viewport}.png"), full_page=True)
    assert page_overflow(page) <= 0
    for tab in page.locator(".dashboard__nav a").all():
        box = tab.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    # and every product's title, price and stock are visible without scrolling sideways
    for cell in page.locator(".product-table tbody td").all():
        box = cell.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width
    assert page.get_by_role("link", name="Stoneware teapot, ash glaze, 1.2 litres").is_visible()

    # the order page: compact lines, and a way to write to the customer
    page.goto(live_server.url + f"/dashboard/orders/{order.number}/")
    page.screenshot(path=str(shots / f"order-{viewport}.png"), full_page=True)
    assert page_overflow(page) <= 0
    title = page.locator(".vendor-order-lines tbody td").first
    assert title.bounding_box()["height"] < 95  # type: ignore[index]  # three lines at most
    page.locator("[data-message-customer]").click()
    page.wait_for_url("**/dashboard/messages/*/")
    page.screenshot(path=str(shots / f"order-message-{viewport}.png"), full_page=True)
    context.close()
