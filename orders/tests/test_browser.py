"""A shopper buys from two shops in one checkout, in a real chromium, at phone and desktop size."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from marketmate.tests.browser import VIEWPORTS, signed_in_context
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderLineFactory, ShippingMethodFactory
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_shopper_buys_from_two_shops_in_one_checkout(
    browser, live_server, artifacts_dir: Path, viewport: str
) -> None:
    # Given two shops with a product each, and a verified shopper
    mugs = ShopFactory(name="Clay & Co", currency="USD")
    tea = ShopFactory(name="Leaf Tea House", currency="USD")
    mug = ProductFactory(shop=mugs, title="Speckled mug", price=Decimal("18.00")).variants.get()
    sencha = ProductFactory(shop=tea, title="Sencha 100 g", price=Decimal("9.50")).variants.get()
    ShippingMethodFactory(
        shop=tea,
        name="Tracked post",
        price=Decimal("3.90"),
        delivery_days_min=2,
        delivery_days_max=4,
    )
    ShippingMethodFactory(shop=tea, name="Letter", price=Decimal("1.50"), is_default=True)
    shopper = UserFactory(email=f"browser-{viewport}@example.com", verified=True)
    context = signed_in_context(browser, live_server, shopper, viewport)
    page = context.new_page()
    shots = artifacts_dir / "orders"
    shots.mkdir(exist_ok=True)

    # When they put one of each in the cart (as a product page's button would)
    page.goto(live_server.url + "/cart/")
    token = next(c["value"] for c in context.cookies() if c["name"] == settings.CSRF_COOKIE_NAME)
    for variant in (mug, sencha):
        response = page.request.post(
            live_server.url + "/api/v1/cart",
            data={"variant_id": variant.pk, "quantity": 1},
            headers={"X-CSRFToken": token},
        )
        assert response.status == 201

    # and raise the mugs to two on the cart page (htmx swaps the cart and the header count)
    page.goto(live_server.url + "/cart/")
    assert page.locator(".cart-shop").count() == 2
    assert page.locator("#mini-cart .mini-cart__count [aria-hidden]").inner_text() == "2"
    mug_line = page.locator(".cart-line", has_text="Speckled mug")
    mug_line.locator("input[name=quantity]").fill("2")
    mug_line.get_by_role("button", name="Update").click()
    page.locator("#mini-cart .mini-cart__count [aria-hidden]", has_text="3").wait_for()
    assert "Your cart is updated." in page.locator("#cart-body").inner_text()
    page.screenshot(path=str(shots / f"cart-{viewport}.png"), full_page=True)

    # and check out once through the pages
    page.get_by_role("link", name="Check out").click()
    page.fill("#id_full_name", "Ada Lovelace")
    page.fill("#id_line1", "12 Analytical Row")
    page.fill("#id_city", "Springfield")
    page.fill("#id_postal_code", "62701")
    page.select_option("#id_country", "US")
    page.check("#id_save_address")
    page.screenshot(path=str(shots / f"checkout-address-{viewport}.png"), full_page=True)
    page.get_by_role("button", name="Continue to shipping").click()
    tracked = page.locator(".shipping-option", has_text="Tracked post")
    assert tracked.locator("[data-shipping-price]").inner_text() == "$3.90"
    assert tracked.locator("[data-shipping-eta]").inner_text().startswith("Estimated delivery: ")
    letter = page.locator(".shipping-option", has_text="Letter")
    assert letter.locator("[data-shipping-price]").inner_text() == "$1.50"
    assert shopper.addresses.get().city == "Springfield"
    page.get_by_label("Tracked post").check()
    page.screenshot(path=str(shots / f"checkout-shipping-{viewport}.png"), full_page=True)
    page.get_by_role("button", name="Review your order").click()
    assert page.locator("h1").inner_text() == "Review and place your order"
    page.screenshot(path=str(shots / f"checkout-review-{viewport}.png"), full_page=True)
    page.get_by_role("button", name="Place 2 orders").click()

    # Then they are straight on the payment page, told plainly the orders are not paid yet,
    # with the card form in the first screen, and the cart is empty
    page.locator("h1", has_text="Pay for your order").wait_for()
    orders = list(Order.objects.filter(buyer=shopper).select_related("shop").order_by("total"))
    assert [(o.shop.name, o.total) for o in orders] == [
        ("Leaf Tea House", Decimal("13.40")),
        ("Clay & Co", Decimal("36.00")),
    ]
    for order in orders:
        assert page.get_by_role("link", name=order.number).is_visible()
    assert "Not paid yet." in page.locator("[data-unpaid-notice]").inner_text()
    assert page.locator("text=Thank you").count() == 0
    assert page.locator("#id_card_number").is_visible()
    assert page.locator(".payment__form button[type=submit]").evaluate(
        "button => button.getBoundingClientRect().bottom <= window.innerHeight"
    )
    assert page.locator("#mini-cart .mini-cart__count [aria-hidden]").inner_text() == "0"
    page.screenshot(path=str(shots / f"payment-{viewport}.png"), full_page=False)
    page.screenshot(path=str(shots / f"payment-full-{viewport}.png"), full_page=True)

    # and thanked once the test card went through
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.click(".payment__form button[type=submit]")
    page.locator("h2", has_text="Thank you, your order is paid").wait_for()
    assert page.locator("[data-unpaid-notice]").count() == 0
    page.screenshot(path=str(shots / f"paid-{viewport}.png"), full_page=True)

    page.goto(live_server.url + "/orders/")
    assert page.locator(".order-card").count() == 2
    page.screenshot(path=str(shots / f"order-list-{viewport}.png"), full_page=True)
    page.get_by_role("link", name=orders[0].number).click()
    assert page.locator(".timeline__step").count() == 2
    page.screenshot(path=str(shots / f"order-detail-{viewport}.png"), full_page=True)
    context.close()

    # The buyer disputes the tea shop's payment with their bank: the vendor sees it on the order.
    from payments.models import Payment
    from payments.services.disputes import dispute_open

    dispute_open(
        payment=Payment.objects.get(orders=orders[0]),
        dispute_id="dp_browser",
        amount=Decimal("5.00"),
        fee=Decimal("15.00"),
        reason="product_not_received",
    )

    # And the tea shop sees its order in the dashboard
    vendor = signed_in_context(browser, live_server, tea.owner, viewport)
    vendor_page = vendor.new_page()
    vendor_page.goto(live_server.url + "/dashboard/orders/")
    assert vendor_page.get_by_role("link", name=orders[0].number).is_visible()
    assert vendor_page.get_by_role("link", name=orders[1].number).count() == 0
    vendor_page.screenshot(path=str(shots / f"dashboard-orders-{viewport}.png"), full_page=True)
    vendor_page.get_by_role("link", name=orders[0].number).click()
    disputes = vendor_page.locator("[data-order-disputes]")
    assert disputes.is_visible()
    assert "Product not received" in disputes.inner_text()
    vendor_page.screenshot(path=str(shots / f"dashboard-order-{viewport}.png"), full_page=True)
    vendor.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_order_page_puts_cancelling_after_the_progress_on_a_phone(
    browser, live_server, viewport: str
) -> None:
    # Given a paid order its buyer may still cancel
    order = OrderFactory()
    OrderLineFactory(order=order)
    page = signed_in_context(browser, live_server, order.buyer, viewport).new_page()

    # When the buyer opens it
    page.goto(f"{live_server.url}/orders/{order.number}/")
    progress = page.get_by_role("heading", name="Progress").bounding_box()
    cancel = page.get_by_role("heading", name="Cancel this order").bounding_box()
    lines = page.get_by_role("table").first.bounding_box()

    # Then on a phone the progress comes first and cancelling last; on a desktop, the
    # cancel form stays under the lines, beside the progress
    if viewport == "phone":
        assert lines["y"] < progress["y"] < cancel["y"]
    else:
        assert lines["y"] < cancel["y"] and progress["x"] > cancel["x"]
    page.context.close()
