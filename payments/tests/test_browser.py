"""A shopper pays with the test-mode card form in a real chromium; the vendor sees the balance."""

from decimal import Decimal
from pathlib import Path

import pytest

from catalog.tests.factories import ProductFactory
from marketmate.tests.browser import VIEWPORTS, signed_in_context
from orders.models import Order
from payments.services.payments import payments_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_shopper_pays_with_the_test_card_and_gets_the_invoice(
    browser, live_server, artifacts_dir: Path, viewport: str, buyer, shop, place
) -> None:
    # Given a placed checkout waiting for payment
    novel = ProductFactory(shop=shop, title="The Lighthouse Keeper", price=Decimal("24.50"))
    atlas = ProductFactory(shop=shop, title="Atlas of Small Islands", price=Decimal("31.00"))
    checkout = place(buyer, (novel.variants.get(), 1), (atlas.variants.get(), 1))
    order = checkout.orders[0]
    context = signed_in_context(browser, live_server, buyer, viewport)
    page = context.new_page()

    # When the shopper opens the payment step
    page.goto(f"{live_server.url}/payments/checkout/{checkout.checkout_reference}/")

    # Then the test-mode form is clearly marked and shows the amount
    assert page.locator("h1").inner_text() == "Pay for your order"
    assert page.locator(".payment__mode").inner_text().upper() == "TEST MODE"
    assert page.locator(".payment__form button", has_text="Pay $55.50").is_visible()
    page.screenshot(path=str(artifacts_dir / f"payments-page-{viewport}.png"), full_page=True)

    # When a declined card is used, the page says so and keeps the order pending
    page.fill("#id_card_number", "4000 0000 0000 0002")
    page.click(".payment__form button[type=submit]")
    assert "Your card was declined." in page.locator(".payment__pay").inner_text()
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING
    page.screenshot(path=str(artifacts_dir / f"payments-declined-{viewport}.png"), full_page=True)

    # When the test card is used
    page.fill("#id_card_number", "4242 4242 4242 4242")
    page.fill("#id_expiry", "12/34")
    page.fill("#id_cvc", "123")
    page.click(".payment__form button[type=submit]")

    # Then the order is paid and its invoice can be downloaded
    page.wait_for_selector("text=Thank you, your order is paid")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert page.locator('[data-order-status="paid"]').count() == 1
    link = page.get_by_role("link", name="Download invoice (PDF)")
    assert link.get_attribute("href") == f"/payments/invoices/{order.number}.pdf"
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == f"INV-{order.number}.pdf"
    page.screenshot(path=str(artifacts_dir / f"payments-paid-{viewport}.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_vendor_sees_pending_and_available_money(
    browser, live_server, artifacts_dir: Path, viewport: str, buyer, shop, order
) -> None:
    from payments.services.payments import payment_confirm_card

    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number="4242424242424242",
    )
    context = signed_in_context(browser, live_server, shop.owner, viewport)
    page = context.new_page()

    page.goto(f"{live_server.url}/dashboard/payouts/")

    assert page.locator("h1").inner_text().startswith("Payouts")
    assert page.locator('[data-balance="pending"]').inner_text() == "$71.70"
    assert page.locator('[data-balance="available"]').inner_text() == "$0.00"
    assert page.get_by_role("cell", name=f"Sale Order {order.number}").is_visible()
    page.screenshot(path=str(artifacts_dir / f"payments-balance-{viewport}.png"), full_page=True)

    page.goto(f"{live_server.url}/dashboard/payouts/refunds/{order.number}/")
    page.fill("#id_amount", "15.00")
    page.fill("#id_reason", "Cover slightly torn")
    page.click(".refund-form button[type=submit]")
    page.wait_for_selector("text=The refund went through.")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PARTIALLY_REFUNDED
    page.screenshot(path=str(artifacts_dir / f"payments-refund-{viewport}.png"), full_page=True)
    context.close()
