"""Refunds: who may ask, how much, by lines, with restock; through the gateway, confirmed once."""

import re
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory, UserFactory
from catalog.models import ProductVariant, StockMovement
from catalog.tests.factories import VariantFactory
from marketmate.models import AuditLog
from orders.models import Order
from payments.models import LedgerEntry, Payment, Refund
from payments.services.payments import payment_confirm_card, payments_create
from payments.services.refunds import refund_confirm, refund_request
from payments.tests.conftest import stripe_browser_pays, stripe_client, stripe_event, webhook_post
from shops.models import ShopMember
from shops.tests.factories import ShopMemberFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_order(buyer, order) -> Order:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")
    order.refresh_from_db()
    return order


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _refund(user, order, body, **headers):
    return _client(user).post(f"/api/v1/orders/{order.pk}/refunds", body, format="json", **headers)


def test_the_shop_owner_refunds_part_of_an_order(paid_order, shop) -> None:
    answer = _refund(shop.owner, paid_order, {"amount": "30.00", "reason": "Scratched cover"})

    assert answer.status_code == 201
    assert answer.json()["status"] == "succeeded"
    assert answer.json()["amount"] == "30.00"
    paid_order.refresh_from_db()
    payment = Payment.objects.get()
    assert paid_order.status == Order.Status.PARTIALLY_REFUNDED
    assert paid_order.refunded_amount == Decimal("30.00")
    assert payment.status == Payment.Status.PARTIALLY_REFUNDED
    assert payment.amount_refunded == Decimal("30.00")
    assert sorted(LedgerEntry.objects.filter(order=paid_order).values_list("kind", "amount")) == [
        ("commission", Decimal("-8.30")),
        ("commission_refund", Decimal("3.11")),
        ("refund", Decimal("-30.00")),
        ("sale", Decimal("80.00")),
    ]


def test_partial_refunds_add_up_to_the_whole_commission(paid_order, shop) -> None:
    for amount in ("30.00", "25.00", "25.00"):
        assert _refund(shop.owner, paid_order, {"amount": amount}).status_code == 201

    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED
    assert Payment.objects.get().status == Payment.Status.REFUNDED
    commission = LedgerEntry.objects.filter(
        order=paid_order, kind__in=["commission", "commission_refund"]
    )
    assert sum(entry.amount for entry in commission) == Decimal("0.00")
    assert sum(entry.amount for entry in LedgerEntry.objects.filter(order=paid_order)) == Decimal(
        "0.00"
    )


def test_a_manager_refunds_one_line_by_quantity(buyer, shop, place) -> None:
    manager = ShopMemberFactory(shop=shop, role=ShopMember.Role.MANAGER).user
    book = VariantFactory(product__shop=shop, price=Decimal("12.00"))
    mug = VariantFactory(product__shop=shop, price=Decimal("8.00"))
    order = place(buyer, (book, 3), (mug, 1)).orders[0]
    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number="4242424242424242",
    )
    book_line = order.lines.get(variant=book)

    answer = _refund(manager, order, {"lines": [{"line_id": book_line.pk, "quantity": 2}]})
    too_many = _refund(manager, order, {"lines": [{"line_id": book_line.pk, "quantity": 2}]})

    assert answer.status_code == 201
    assert answer.json()["amount"] == "24.00"
    assert answer.json()["lines"] == [{"line_id": book_line.pk, "quantity": 2}]
    assert too_many.status_code == 400
    assert too_many.json()["error"]["fields"]["lines"] == [
        f"Refund between 1 and 1 of {book_line.product_title}."
    ]


def test_a_full_refund_with_restock_puts_the_goods_back(paid_order, shop, variant) -> None:
    before = ProductVariant.objects.get(pk=variant.pk).inventory_count

    answer = _refund(shop.owner, paid_order, {"restock": True})

    assert answer.status_code == 201
    assert answer.json()["amount"] == "80.00"
    assert ProductVariant.objects.get(pk=variant.pk).inventory_count == before + 2
    assert Order.objects.get(pk=paid_order.pk).status == Order.Status.REFUNDED


@pytest.fixture
def two_line_order(buyer, shop, place) -> tuple[Order, ProductVariant, ProductVariant]:
    """A paid order of 3 books at 12.00 and 2 mugs at 8.00 (52.00), both 10 in stock before."""
    book = VariantFactory(product__shop=shop, price=Decimal("12.00"), inventory_count=10)
    mug = VariantFactory(product__shop=shop, price=Decimal("8.00"), inventory_count=10)
    order = place(buyer, (book, 3), (mug, 2)).orders[0]
    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number="4242424242424242",
    )
    order.refresh_from_db()
    return order, book, mug


def _stock(*variants: ProductVariant) -> list[int]:
    return [ProductVariant.objects.get(pk=variant.pk).inventory_count for variant in variants]


def test_a_line_refund_with_restock_returns_only_those_units(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    book_line = order.lines.get(variant=book)

    answer = _refund(
        shop.owner,
        order,
        {"lines": [{"line_id": book_line.pk, "quantity": 2}], "restock": True},
    )

    assert answer.status_code == 201
    assert (answer.json()["amount"], answer.json()["restock"]) == ("24.00", True)
    assert _stock(book, mug) == [9, 8]
    order.refresh_from_db()
    assert (order.status, order.refunded_amount, order.is_restocked) == (
        Order.Status.PARTIALLY_REFUNDED,
        Decimal("24.00"),
        False,
    )
    record = AuditLog.objects.get(action="order.restocked")
    assert (record.actor, record.changes["restocked"]) == (
        shop.owner,
        [{}, {str(book_line.pk): 2}],
    )


def test_a_second_line_refund_returns_the_rest_and_refunds_the_order(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    book_line, mug_line = order.lines.get(variant=book), order.lines.get(variant=mug)
    _refund(
        shop.owner, order, {"lines": [{"line_id": book_line.pk, "quantity": 2}], "restock": True}
    )

    answer = _refund(
        shop.owner,
        order,
        {
            "lines": [
                {"line_id": book_line.pk, "quantity": 1},
                {"line_id": mug_line.pk, "quantity": 2},
            ],
            "restock": True,
        },
    )

    assert answer.status_code == 201
    assert answer.json()["amount"] == "28.00"
    assert _stock(book, mug) == [10, 10]
    order.refresh_from_db()
    assert (order.status, order.refunded_amount, order.is_restocked) == (
        Order.Status.REFUNDED,
        Decimal("52.00"),
        True,
    )
    assert StockMovement.objects.filter(reason="return", reference=order.number).count() == 3


def test_a_line_refund_without_restock_leaves_the_stock(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    book_line = order.lines.get(variant=book)

    answer = _refund(shop.owner, order, {"lines": [{"line_id": book_line.pk, "quantity": 1}]})

    assert answer.status_code == 201
    assert _stock(book, mug) == [7, 8]
    assert not AuditLog.objects.filter(action="order.restocked").exists()


def test_restocking_everything_left_skips_units_a_line_refund_kept(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    book_line = order.lines.get(variant=book)
    _refund(shop.owner, order, {"lines": [{"line_id": book_line.pk, "quantity": 1}]})

    answer = _refund(shop.owner, order, {"restock": True})

    assert answer.status_code == 201
    assert answer.json()["amount"] == "40.00"
    assert _stock(book, mug) == [9, 10]
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED


def test_the_vendor_refund_page_restocks_the_chosen_items(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    client = Client()
    client.force_login(shop.owner)

    answer = client.post(
        f"/dashboard/payouts/refunds/{order.number}/",
        {f"line_{order.lines.get(variant=mug).pk}": "1", "restock": "on", "reason": "Chipped"},
    )

    assert answer.status_code == 302
    assert _stock(book, mug) == [7, 9]
    assert Refund.objects.get().lines == [
        {"line_id": order.lines.get(variant=mug).pk, "quantity": 1}
    ]


def test_refunding_more_units_than_were_bought_is_refused(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    book_line = order.lines.get(variant=book)

    answer = _refund(
        shop.owner,
        order,
        {"lines": [{"line_id": book_line.pk, "quantity": 4}], "restock": True},
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["lines"] == [
        f"Refund between 1 and 3 of {book_line.product_title}."
    ]
    assert _stock(book, mug) == [7, 8]
    assert Refund.objects.count() == 0


def test_confirming_a_line_refund_again_restocks_once(two_line_order, shop) -> None:
    order, book, mug = two_line_order
    refund = refund_request(
        actor=shop.owner,
        order=order,
        lines=[{"line_id": order.lines.get(variant=mug).pk, "quantity": 1}],
        restock=True,
    )

    for _ in range(3):
        refund_confirm(refund=refund)

    assert refund.status == Refund.Status.SUCCEEDED
    assert _stock(book, mug) == [7, 9]
    assert AuditLog.objects.filter(action="order.restocked").count() == 1
    assert Order.objects.get(pk=order.pk).refunded_amount == Decimal("8.00")


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirmations_of_a_stripe_line_refund_restock_once(
    stripe_settings, buyer, shop, place
) -> None:
    book = VariantFactory(product__shop=shop, price=Decimal("12.00"), inventory_count=10)
    order = place(buyer, (book, 3)).orders[0]
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    webhook_post(Client(), stripe_event("payment_intent.succeeded", intent))
    refund = refund_request(
        actor=shop.owner,
        order=order,
        lines=[{"line_id": order.lines.get().pk, "quantity": 2}],
        restock=True,
    )
    assert refund.status == Refund.Status.PENDING
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def confirm() -> None:
        try:
            barrier.wait()
            refund_confirm(refund=refund)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert _stock(book) == [9]
    order.refresh_from_db()
    assert (order.status, order.refunded_amount) == (
        Order.Status.PARTIALLY_REFUNDED,
        Decimal("24.00"),
    )
    assert AuditLog.objects.filter(action="order.restocked").count() == 1


def test_restock_needs_a_refund_of_everything_left(paid_order, shop) -> None:
    answer = _refund(shop.owner, paid_order, {"amount": "10.00", "restock": True})

    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["restock"]
    assert Refund.objects.count() == 0


def test_more_than_what_is_left_cannot_be_refunded(paid_order, shop) -> None:
    answer = _refund(shop.owner, paid_order, {"amount": "80.01"})

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["amount"] == ["Refund between 0.01 and 80.00."]


def test_an_unpaid_order_cannot_be_refunded(order, shop) -> None:
    answer = _refund(shop.owner, order, {"amount": "5.00"})

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "invalid_refund"


def test_the_same_idempotency_key_refunds_once(paid_order, shop) -> None:
    first = _refund(shop.owner, paid_order, {"amount": "10.00"}, HTTP_IDEMPOTENCY_KEY="r-1")
    again = _refund(shop.owner, paid_order, {"amount": "10.00"}, HTTP_IDEMPOTENCY_KEY="r-1")

    assert first.json()["id"] == again.json()["id"]
    assert Refund.objects.count() == 1
    assert Order.objects.get(pk=paid_order.pk).refunded_amount == Decimal("10.00")


def test_staff_may_refund_any_order(paid_order) -> None:
    assert _refund(StaffFactory(), paid_order, {"amount": "1.00"}).status_code == 201


def test_the_buyer_and_strangers_get_a_404_and_shop_staff_a_403(paid_order, buyer, shop) -> None:
    clerk = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user
    other_vendor = ShopMemberFactory(role=ShopMember.Role.OWNER).user

    answers = [
        _refund(buyer, paid_order, {"amount": "1.00"}).status_code,
        _refund(UserFactory(), paid_order, {"amount": "1.00"}).status_code,
        _refund(other_vendor, paid_order, {"amount": "1.00"}).status_code,
        _refund(clerk, paid_order, {"amount": "1.00"}).status_code,
        APIClient()
        .post(f"/api/v1/orders/{paid_order.pk}/refunds", {"amount": "1.00"}, format="json")
        .status_code,
    ]

    assert answers == [404, 404, 404, 403, 401]
    assert Refund.objects.count() == 0


def test_amount_and_lines_together_are_refused(paid_order, shop) -> None:
    line = paid_order.lines.get()

    answer = _refund(
        shop.owner, paid_order, {"amount": "5.00", "lines": [{"line_id": line.pk, "quantity": 1}]}
    )

    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["amount"]


@pytest.mark.django_db(transaction=True)
def test_a_stripe_refund_waits_for_its_webhook_and_counts_once(
    stripe_settings, buyer, order, shop
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    webhook_post(Client(), stripe_event("payment_intent.succeeded", intent))

    refund = refund_request(actor=shop.owner, order=order, amount=Decimal("20.00"))

    assert refund.status == Refund.Status.PENDING
    assert refund.provider_refund_id.startswith("re_")
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    charge = (
        stripe_client()
        .v1.charges.retrieve(stripe_client().v1.refunds.retrieve(refund.provider_refund_id).charge)
        .to_dict()
    )
    event = stripe_event("charge.refunded", charge)
    for _ in range(3):
        assert webhook_post(Client(), event).status_code == 200
    refund.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert order.status == Order.Status.PARTIALLY_REFUNDED
    assert order.refunded_amount == Decimal("20.00")
    assert LedgerEntry.objects.filter(order=order, kind="refund").get().amount == Decimal("-20.00")


@pytest.mark.django_db(transaction=True)
def test_reconciliation_settles_a_stripe_refund_whose_webhook_never_came(
    stripe_settings, buyer, order, shop
) -> None:
    from payments.services.webhooks import payments_reconcile

    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    webhook_post(Client(), stripe_event("payment_intent.succeeded", intent))
    refund = refund_request(actor=shop.owner, order=order, amount=Decimal("80.00"))

    result = payments_reconcile()

    refund.refresh_from_db()
    assert result["refunds_settled"] == 1
    assert refund.status == Refund.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.REFUNDED


def test_staff_refund_orders_in_full_from_the_admin_with_a_reason(paid_order, variant) -> None:
    staff = StaffFactory()
    client = Client()
    client.force_login(staff)
    url = "/admin/orders/order/"
    action = {"action": "refund_orders", "_selected_action": [paid_order.pk]}
    stock_before = ProductVariant.objects.get(pk=variant.pk).inventory_count

    asked = client.post(url, action)
    refused = client.post(url, {**action, "apply": "1", "reason": ""})
    done = client.post(url, {**action, "apply": "1", "reason": "Lost in transit"}, follow=True)
    again = client.post(url, {**action, "apply": "1", "reason": "Lost in transit"}, follow=True)

    assert b"reason" in asked.content and asked.status_code == 200
    assert refused.status_code == 200  # asked again: a reason is required
    assert done.status_code == 200
    paid_order.refresh_from_db()
    assert paid_order.status == Order.Status.REFUNDED
    assert paid_order.refunded_amount == paid_order.total
    assert Refund.objects.filter(order=paid_order).count() == 1  # the second try changed nothing
    assert ProductVariant.objects.get(pk=variant.pk).inventory_count == stock_before + 2
    record = AuditLog.objects.get(action="refund.requested")
    assert (record.actor, record.reason) == (staff, "Lost in transit")
    assert again.status_code == 200


def test_the_vendor_refund_page_writes_money_like_every_other_page(two_line_order, shop) -> None:
    order, _book, mug = two_line_order
    _refund(
        shop.owner, order, {"lines": [{"line_id": order.lines.get(variant=mug).pk, "quantity": 1}]}
    )
    client = Client()
    client.force_login(shop.owner)

    html = client.get(f"/dashboard/payouts/refunds/{order.number}/").content.decode()

    assert re.search(r"Up to <strong>\$[\d,]+\.\d\d</strong> of \$[\d,]+\.\d\d can", html)
    assert "3 bought, $36.00" in html
    assert '<td class="numeric">$8.00</td>' in html  # the refund of one mug
    assert " USD" not in html
