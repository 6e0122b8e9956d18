"""Refunds that cannot deadlock or vanish: one lock order (payment, order, refund), a durable
pending record, a job that settles what was left pending, 409 for the loser of a race.

The races run on real PostgreSQL, one thread and one connection per request."""

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory
from catalog.tests.factories import VariantFactory
from orders.models import Order
from orders.services.lifecycle import order_cancel
from payments.models import LedgerEntry, Payment, Refund
from payments.services.disputes import dispute_open
from payments.services.payments import payment_confirm_card, payments_create
from payments.services.refunds import refunds_from_provider
from payments.services.webhooks import payments_reconcile
from payments.tests.factories import RefundFactory
from shops.tests.factories import ShopFactory


def _pay(buyer, order: Order) -> Order:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")
    order.refresh_from_db()
    return order


def _deadlocks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def race(count: int, attempt: Callable[[int], Any]) -> list[Any]:
    """`attempt(i)` in `count` threads released together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = attempt(i)
        except BaseException as exc:  # the test asserts there are none
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _refund_call(user, order: Order, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    client = APIClient()
    client.force_authenticate(user=user)
    answer = client.post(f"/api/v1/orders/{order.pk}/refunds", body, format="json")
    return answer.status_code, answer.json()


@pytest.mark.django_db(transaction=True)
def test_ten_refunds_at_once_on_one_order_all_succeed_without_deadlock(buyer, order, shop):
    paid = _pay(buyer, order)
    deadlocks = _deadlocks()

    results = race(10, lambda i: _refund_call(shop.owner, paid, {"amount": "1.11"}))

    assert [status for status, _body in results] == [201] * 10
    assert _deadlocks() == deadlocks
    paid.refresh_from_db()
    payment = Payment.objects.get()
    assert (paid.status, paid.refunded_amount) == (
        Order.Status.PARTIALLY_REFUNDED,
        Decimal("11.10"),
    )
    assert payment.amount_refunded == Decimal("11.10")
    assert set(Refund.objects.values_list("status", flat=True)) == {"succeeded"}
    refunds = LedgerEntry.objects.filter(order=paid, kind=LedgerEntry.Kind.REFUND)
    assert refunds.count() == 10
    assert sum(entry.amount for entry in refunds) == Decimal("-11.10")


@pytest.mark.django_db(transaction=True)
def test_two_refunds_racing_for_what_is_left_one_wins_the_other_gets_a_409(buyer, order, shop):
    paid = _pay(buyer, order)
    deadlocks = _deadlocks()

    results = race(2, lambda i: _refund_call(shop.owner, paid, {"amount": "80.00"}))

    assert sorted(status for status, _body in results) == [201, 409]
    loser = next(body for status, body in results if status == 409)
    assert loser["error"]["code"] == "refund_conflict"
    assert loser["error"]["message"].startswith("Only 0.00 USD is left to refund on this order")
    assert _deadlocks() == deadlocks
    paid.refresh_from_db()
    assert (paid.status, paid.refunded_amount) == (Order.Status.REFUNDED, Decimal("80.00"))
    assert Refund.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_refunds_racing_a_dispute_never_give_back_more_than_was_paid(buyer, order, shop):
    paid = _pay(buyer, order)
    payment = Payment.objects.get()
    deadlocks = _deadlocks()

    def attempt(i: int) -> Any:
        if i == 0:
            return dispute_open(payment=payment, dispute_id="dp_race", amount=Decimal("50.00"))
        return _refund_call(shop.owner, paid, {"amount": "20.00"})

    results = race(5, attempt)

    statuses = sorted(result[0] for result in results[1:])
    assert all(status in (201, 409) for status in statuses)
    assert not [result for result in results if isinstance(result, BaseException)]
    assert _deadlocks() == deadlocks
    paid.refresh_from_db()
    charged_back = -sum(
        entry.amount
        for entry in LedgerEntry.objects.filter(order=paid, kind=LedgerEntry.Kind.CHARGEBACK)
    )
    assert paid.refunded_amount == Decimal("20.00") * statuses.count(201)
    assert paid.refunded_amount + charged_back <= Decimal("80.00")
    assert charged_back > 0


@pytest.mark.django_db
def test_a_refund_left_pending_is_settled_by_the_reconciliation_job(buyer, order, shop):
    # A request that crashed after committing its pending refund, before the gateway answered.
    paid = _pay(buyer, order)
    refund = RefundFactory(
        order=paid,
        payment=Payment.objects.get(),
        amount=Decimal("30.00"),
        status=Refund.Status.PENDING,
        confirmed_at=None,
        requested_by=shop.owner,
    )
    Refund.objects.filter(pk=refund.pk).update(created=timezone.now() - timedelta(hours=1))

    result = payments_reconcile()
    again = payments_reconcile()

    refund.refresh_from_db()
    paid.refresh_from_db()
    assert (result["refunds_settled"], again["refunds_settled"]) == (1, 0)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.provider_refund_id.startswith("dummy_re_")
    assert paid.refunded_amount == Decimal("30.00")
    assert Payment.objects.get().amount_refunded == Decimal("30.00")
    assert LedgerEntry.objects.get(order=paid, kind=LedgerEntry.Kind.REFUND).amount == Decimal(
        "-30.00"
    )


@pytest.mark.django_db
def test_a_fresh_pending_refund_is_left_to_the_request_sending_it(buyer, order, shop):
    paid = _pay(buyer, order)
    RefundFactory(
        order=paid,
        payment=Payment.objects.get(),
        amount=Decimal("30.00"),
        status=Refund.Status.PENDING,
        confirmed_at=None,
    )

    assert payments_reconcile()["refunds_settled"] == 0
    assert Refund.objects.get().status == Refund.Status.PENDING


@pytest.mark.django_db
def test_staff_see_refunds_pending_longer_than_expected_in_the_admin(buyer, order, shop):
    paid = _pay(buyer, order)
    stale = RefundFactory(
        order=paid,
        payment=Payment.objects.get(),
        amount=Decimal("30.00"),
        status=Refund.Status.PENDING,
        confirmed_at=None,
    )
    fresh = RefundFactory(
        order=paid,
        payment=Payment.objects.get(),
        amount=Decimal("10.00"),
        status=Refund.Status.PENDING,
        confirmed_at=None,
    )
    Refund.objects.filter(pk=stale.pk).update(created=timezone.now() - timedelta(hours=2))
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))

    page = client.get("/admin/payments/refund/", {"stale": "yes"}, follow=True)

    body = page.content.decode()
    assert page.status_code == 200
    assert "1 refund has been pending longer than expected." in body
    assert list(page.context["cl"].result_list) == [stale]
    assert fresh not in page.context["cl"].result_list


@pytest.mark.django_db
def test_a_refund_of_a_cancelled_paid_order_is_recorded_on_the_order(
    buyer, order, shop, django_capture_on_commit_callbacks
):
    paid = _pay(buyer, order)

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=paid, actor=shop.owner, reason="Out of print")

    paid.refresh_from_db()
    payment = Payment.objects.get()
    assert paid.status == Order.Status.CANCELLED
    assert paid.refunded_amount == Decimal("80.00")
    assert payment.amount_refunded == Decimal("80.00")
    refund = Refund.objects.get()
    # The provider later reports the same 80.00 (e.g. seen in its dashboard): nothing new.
    refunds_from_provider(
        payment=payment,
        amount_refunded=Decimal("80.00"),
        refunds=[{"id": refund.provider_refund_id, "status": "succeeded"}],
    )
    assert Refund.objects.count() == 1
    paid.refresh_from_db()
    assert paid.refunded_amount == Decimal("80.00")


@pytest.mark.django_db
def test_every_unit_of_a_discounted_line_is_refundable_and_they_add_up(buyer, shop, place):
    from orders.tests.factories import PromotionFactory

    book = VariantFactory(product__shop=shop, price=Decimal("18.00"), inventory_count=10)
    PromotionFactory(shop=shop, code="", kind="fixed", value=Decimal("1.00"))
    order = _pay(buyer, place(buyer, (book, 3)).orders[0])
    line = order.lines.get()
    assert line.total == Decimal("53.00")

    answers = [
        _refund_call(shop.owner, order, {"lines": [{"line_id": line.pk, "quantity": 1}]})
        for _ in range(3)
    ]

    assert [(status, body["amount"]) for status, body in answers] == [
        (201, "17.67"),
        (201, "17.67"),
        (201, "17.66"),
    ]
    order.refresh_from_db()
    assert order.refunded_amount == order.total


@pytest.mark.django_db
def test_a_yen_refund_with_decimals_is_a_400_with_a_field_message(buyer, place):
    shop = ShopFactory(currency="JPY")
    item = VariantFactory(product__shop=shop, price=Decimal("1000"), inventory_count=5)
    order = _pay(buyer, place(buyer, (item, 1)).orders[0])

    status, body = _refund_call(shop.owner, order, {"amount": "33.33"})
    whole, refunded = _refund_call(shop.owner, order, {"amount": "33"})

    assert status == 400
    assert body["error"]["fields"] == {"amount": ["JPY amounts have no decimals."]}
    assert (whole, refunded["amount"]) == (201, "33.00")
    assert Refund.objects.count() == 1
