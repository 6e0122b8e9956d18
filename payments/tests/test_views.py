"""The payment page and the vendor's payouts pages, as HTML."""

import csv
import io

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from accounts.tests.factories import UserFactory
from orders.models import Order
from payments.models import Payment
from payments.services.payments import payment_confirm_card, payments_create
from shops.models import ShopMember
from shops.tests.factories import ShopMemberFactory

pytestmark = pytest.mark.django_db


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_checkout_sends_the_shopper_to_the_payment_page(buyer, order) -> None:
    answer = _logged_in(buyer).get(f"/payments/checkout/{order.checkout_reference}/")

    payment = Payment.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/payments/{payment.pk}/"


def test_the_payment_page_shows_the_test_mode_card_form(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    answer = _logged_in(buyer).get(f"/payments/{payment.pk}/")

    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Test mode: no real money moves." in html
    assert 'name="card_number"' in html
    assert order.number in html
    assert "Pay $80.00" in html
    assert "Not paid yet." in html
    assert "js.stripe.com" not in html
    assert "js.stripe.com" not in answer["Content-Security-Policy"]


def test_paying_on_the_page_marks_the_order_paid(
    buyer, order, django_capture_on_commit_callbacks
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    client = _logged_in(buyer)

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/payments/{payment.pk}/", {"card_number": "4242 4242 4242 4242"})
    page = client.get(f"/payments/{payment.pk}/").content.decode()

    assert answer.status_code == 302
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert "Thank you, your order is paid" in page
    assert f"/payments/invoices/{order.number}.pdf" in page


def test_a_declined_card_shows_the_error_on_the_page(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    answer = _logged_in(buyer).post(
        f"/payments/{payment.pk}/", {"card_number": "4000 0000 0000 0002"}
    )

    html = answer.content.decode()
    assert answer.status_code == 402
    assert "Your card was declined." in html
    assert "Try another card." in html
    assert Payment.objects.get().status == Payment.Status.FAILED


def test_an_empty_card_number_is_asked_for_again(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    answer = _logged_in(buyer).post(f"/payments/{payment.pk}/", {"card_number": ""})

    assert answer.status_code == 400
    assert "This field is required." in answer.content.decode()


def test_another_shoppers_payment_page_is_a_404(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stranger = _logged_in(UserFactory())

    assert stranger.get(f"/payments/{payment.pk}/").status_code == 404
    assert (
        stranger.post(f"/payments/{payment.pk}/", {"card_number": "4242424242424242"}).status_code
        == 404
    )
    assert Client().get(f"/payments/{payment.pk}/").status_code == 302


def test_with_stripe_the_page_loads_stripe_js_and_the_payment_element(
    stripe_settings, buyer, order
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    html = _logged_in(buyer).get(f"/payments/{payment.pk}/").content.decode()

    answer = _logged_in(buyer).get(f"/payments/{payment.pk}/")
    policy = answer["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com" in policy
    assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com" in (
        policy
    )
    assert '<script src="https://js.stripe.com/v3/" defer></script>' in html
    assert f'data-client-secret="{payment.client_secret}"' in html
    assert 'data-publishable-key="pk_test_marketmate"' in html
    assert f"/payments/{payment.pk}/return/" in html
    assert "Test mode" not in html


def test_returning_from_stripe_records_the_payment(stripe_settings, buyer, order) -> None:
    from payments.tests.conftest import stripe_browser_pays

    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)

    answer = _logged_in(buyer).get(f"/payments/{payment.pk}/return/")

    assert answer.status_code == 302
    assert Payment.objects.get().status == Payment.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


@pytest.fixture
def paid_order(buyer, order) -> Order:
    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number="4242424242424242",
    )
    return order


def test_the_owner_sees_the_balance_and_recent_activity(paid_order, shop) -> None:
    answer = _logged_in(shop.owner).get("/dashboard/payouts/")

    html = answer.content.decode()
    assert answer.status_code == 200
    assert 'data-balance="pending">$71.70<' in html
    assert 'data-balance="available">$0.00<' in html
    assert f"Order {paid_order.number}" in html
    assert "Payouts are paid by bank transfer by the MarketMate team." in html


def test_the_ledger_history_page_lists_the_entries(paid_order, shop) -> None:
    answer = _logged_in(shop.owner).get(f"/dashboard/payouts/ledger/?shop={shop.pk}")

    html = answer.content.decode()
    assert answer.status_code == 200
    assert f"Commission on order {paid_order.number}" in html
    assert "-$8.30" in html and " USD<" not in html
    # The running balance after each line: 80.00 after the sale, 71.70 after the commission.
    assert html.index('ledger__balance">$71.70') < html.index('ledger__balance">$80.00')


def test_shop_staff_and_strangers_do_not_see_the_money(paid_order, shop) -> None:
    clerk = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user

    clerk_page = _logged_in(clerk).get("/dashboard/payouts/")
    stranger = _logged_in(UserFactory()).get(f"/dashboard/payouts/?shop={shop.pk}")

    assert clerk_page.status_code == 200
    assert "71.70" not in clerk_page.content.decode()
    assert "owner and managers" in clerk_page.content.decode()
    assert stranger.status_code == 404


def test_the_monthly_statement_downloads_as_csv_and_pdf(paid_order, shop) -> None:
    today = timezone.now()
    client = _logged_in(shop.owner)
    base = f"/dashboard/payouts/statements/{today.year}-{today.month}"

    as_csv = client.get(f"{base}.csv?shop={shop.pk}")
    as_pdf = client.get(f"{base}.pdf?shop={shop.pk}")
    other = client.get(f"{base}.xls?shop={shop.pk}")

    rows = list(csv.reader(io.StringIO(as_csv.content.decode())))
    assert rows[0] == ["Date", "Kind", "Description", "Order", "Amount", "Currency", "Balance"]
    assert rows[1] == ["", "Opening balance", "", "", "0.00", "USD"]
    assert [(row[1], row[4], row[6]) for row in rows[2:4]] == [
        ("Sale", "80.00", "80.00"),
        ("Commission", "-8.30", "71.70"),
    ]
    assert rows[-1] == ["", "Closing balance", "", "", "71.70", "USD"]
    text = PdfReader(io.BytesIO(as_pdf.content)).pages[0].extract_text()
    assert as_pdf["Content-Type"] == "application/pdf"
    assert "Closing balance" in text
    assert "$71.70" in text
    assert other.status_code == 404


def test_connecting_stripe_sends_the_owner_to_onboarding(stripe_settings, shop) -> None:
    answer = _logged_in(shop.owner).post(f"/dashboard/payouts/connect/?shop={shop.pk}")

    assert answer.status_code == 302
    assert answer["Location"].startswith("https://connect.stripe.test/setup/acct_")


def test_without_stripe_connecting_explains_why_not(shop) -> None:
    client = _logged_in(shop.owner)

    answer = client.post(f"/dashboard/payouts/connect/?shop={shop.pk}", follow=True)

    assert "Stripe is not configured on this marketplace." in answer.content.decode()


def test_the_owner_refunds_an_item_from_the_dashboard(paid_order, shop) -> None:
    client = _logged_in(shop.owner)
    line = paid_order.lines.get()

    page = client.get(f"/dashboard/payouts/refunds/{paid_order.number}/")
    answer = client.post(
        f"/dashboard/payouts/refunds/{paid_order.number}/",
        {f"line_{line.pk}": "1", "reason": "Damaged in transit"},
        follow=True,
    )

    assert page.status_code == 200
    assert "$80.00</strong> of $80.00 can still be refunded" in page.content.decode()
    assert "The refund went through." in answer.content.decode()
    assert "Damaged in transit" in answer.content.decode()
    assert Order.objects.get(pk=paid_order.pk).refunded_amount == line.total / 2


def test_a_too_large_refund_shows_the_error_on_the_form(paid_order, shop) -> None:
    answer = _logged_in(shop.owner).post(
        f"/dashboard/payouts/refunds/{paid_order.number}/", {"amount": "500.00"}
    )

    assert answer.status_code == 400
    assert "Refund between 0.01 and 80.00." in answer.content.decode()


def test_only_owners_managers_and_staff_open_the_refund_page(paid_order, buyer, shop) -> None:
    from accounts.tests.factories import StaffFactory

    clerk = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user
    url = f"/dashboard/payouts/refunds/{paid_order.number}/"

    assert _logged_in(StaffFactory()).get(url).status_code == 200
    assert _logged_in(clerk).get(url).status_code == 403
    assert _logged_in(buyer).get(url).status_code == 404
    assert _logged_in(buyer).post(url, {"amount": "1.00"}).status_code == 404
    assert Order.objects.get(pk=paid_order.pk).refunded_amount == 0


def test_the_order_page_links_the_invoice_once_it_exists(
    buyer, order, django_capture_on_commit_callbacks
) -> None:
    client = _logged_in(buyer)
    before = client.get(f"/orders/{order.number}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        payment_confirm_card(
            payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
            card_number="4242424242424242",
        )

    after = client.get(f"/orders/{order.number}/").content.decode()

    assert "Download invoice (PDF)" not in before
    assert f'href="/payments/invoices/{order.number}.pdf">Download invoice (PDF)</a>' in after
