"""Paying for a checkout with the test-mode gateway, and the payment state machine."""

from decimal import Decimal

import pytest

from catalog.tests.factories import VariantFactory
from marketmate.models import AuditLog
from orders.models import Order
from payments.exceptions import CardDeclinedError, NothingToPayError, PaymentStateError
from payments.models import Invoice, LedgerEntry, Payment
from payments.services.payments import (
    payment_confirm_card,
    payment_mark_canceled,
    payment_mark_failed,
    payment_mark_succeeded,
    payments_create,
)
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def test_a_checkout_gets_one_payment_for_all_its_orders(buyer, place) -> None:
    first = VariantFactory(product__shop=ShopFactory(), price=Decimal("40.00"))
    second = VariantFactory(product__shop=ShopFactory(), price=Decimal("15.50"))
    checkout = place(buyer, (first, 1), (second, 2))

    payments = payments_create(buyer=buyer, checkout_reference=checkout.checkout_reference)

    assert len(payments) == 1
    payment = payments[0]
    assert payment.amount == Decimal("71.00")
    assert payment.currency == "USD"
    assert payment.provider == "dummy"
    assert payment.status == Payment.Status.PENDING
    assert payment.provider_payment_id.startswith("dummy_pi_")
    assert sorted(payment.orders.values_list("pk", flat=True)) == sorted(
        order.pk for order in checkout.orders
    )


def test_a_checkout_in_two_currencies_gets_one_payment_per_currency(buyer, place) -> None:
    dollars = VariantFactory(product__shop=ShopFactory(currency="USD"), price=Decimal("10.00"))
    euros = VariantFactory(
        product__shop=ShopFactory(currency="EUR"), product__currency="EUR", price=Decimal("20.00")
    )
    checkout = place(buyer, (dollars, 1), (euros, 1))

    payments = payments_create(buyer=buyer, checkout_reference=checkout.checkout_reference)

    assert sorted((payment.currency, payment.amount) for payment in payments) == [
        ("EUR", Decimal("20.00")),
        ("USD", Decimal("10.00")),
    ]


def test_asking_again_gives_back_the_open_payment(buyer, order) -> None:
    first = payments_create(buyer=buyer, checkout_reference=order.checkout_reference)
    again = payments_create(buyer=buyer, order_ids=[order.pk])

    assert [payment.pk for payment in again] == [first[0].pk]
    assert Payment.objects.count() == 1


def test_the_same_idempotency_key_gives_back_the_first_payment(buyer, order) -> None:
    first = payments_create(buyer=buyer, order_ids=[order.pk], idempotency_key="key-1")
    payment_confirm_card(payment=first[0], card_number="4242424242424242")

    again = payments_create(buyer=buyer, order_ids=[order.pk], idempotency_key="key-1")

    assert [payment.pk for payment in again] == [first[0].pk]
    assert again[0].status == Payment.Status.SUCCEEDED


def test_another_shoppers_orders_cannot_be_paid(buyer, order, user) -> None:
    with pytest.raises(NothingToPayError) as error:
        payments_create(buyer=user, order_ids=[order.pk])

    assert error.value.fields == {"order_ids": ["Give the ids of your own orders."]}


def test_paid_orders_have_nothing_left_to_pay(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")

    with pytest.raises(NothingToPayError):
        payments_create(buyer=buyer, order_ids=[order.pk])


def test_the_test_card_pays_the_orders_credits_the_shop_and_renders_the_invoice(
    buyer, order, django_capture_on_commit_callbacks
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    with django_capture_on_commit_callbacks(execute=True):
        paid = payment_confirm_card(payment=payment, card_number="4242 4242 4242 4242")

    order.refresh_from_db()
    assert paid.status == Payment.Status.SUCCEEDED
    assert order.status == Order.Status.PAID
    assert order.payment_reference == payment.provider_payment_id
    assert sorted(order.ledger_entries.values_list("kind", "amount")) == [
        ("commission", Decimal("-8.30")),
        ("sale", Decimal("80.00")),
    ]
    assert Invoice.objects.get(order=order).number == f"INV-{order.number}"


def test_a_declined_card_fails_the_payment_and_another_card_can_pay(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    with pytest.raises(CardDeclinedError) as error:
        payment_confirm_card(payment=payment, card_number="4000 0000 0000 0002")
    payment.refresh_from_db()
    order.refresh_from_db()
    assert error.value.status_code == 402
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == "Your card was declined."
    assert order.status == Order.Status.PENDING

    paid = payment_confirm_card(payment=payment, card_number="4242424242424242")
    order.refresh_from_db()
    assert paid.status == Payment.Status.SUCCEEDED
    assert order.status == Order.Status.PAID


def test_a_paid_payment_takes_no_more_cards(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")
    payment.refresh_from_db()

    with pytest.raises(PaymentStateError):
        payment_confirm_card(payment=payment, card_number="4242424242424242")


def test_stale_transitions_change_nothing(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_mark_succeeded(payment=payment)

    after_failure = payment_mark_failed(payment=payment, message="late failure")
    after_cancel = payment_mark_canceled(payment=payment)
    again = payment_mark_succeeded(payment=payment)

    assert after_failure.status == Payment.Status.SUCCEEDED
    assert after_cancel.status == Payment.Status.SUCCEEDED
    assert again.status == Payment.Status.SUCCEEDED
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert LedgerEntry.objects.filter(order=order).count() == 2


def test_a_cancelled_payment_stays_cancelled_after_a_late_failure(buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]

    payment_mark_canceled(payment=payment)
    late = payment_mark_failed(payment=payment, message="late")

    assert late.status == Payment.Status.CANCELED


def test_money_for_an_order_cancelled_meanwhile_goes_back_to_the_shopper(
    buyer, order, django_capture_on_commit_callbacks
) -> None:
    from orders.services.lifecycle import order_cancel

    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    order_cancel(order=order, actor=None, reason="Not paid in time.")

    with django_capture_on_commit_callbacks(execute=True):
        payment_mark_succeeded(payment=payment)

    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("80.00")
    assert order.refunds.get().status == "succeeded"
    assert LedgerEntry.objects.filter(order=order).count() == 0
    assert AuditLog.objects.filter(action="payment.order_not_payable").count() == 1


def test_cancelling_a_paid_order_refunds_it_and_takes_the_sale_back_from_the_shop(
    buyer, order, django_capture_on_commit_callbacks
) -> None:
    from orders.services.lifecycle import order_cancel

    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=None, reason="Out of stock after all.")

    payment.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        ("commission", Decimal("-8.30")),
        ("commission_refund", Decimal("8.30")),
        ("refund", Decimal("-80.00")),
        ("sale", Decimal("80.00")),
    ]


def test_cancelling_an_unpaid_order_refunds_nothing(
    buyer, order, django_capture_on_commit_callbacks
) -> None:
    from orders.services.lifecycle import order_cancel

    payments_create(buyer=buyer, order_ids=[order.pk])

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, actor=None, reason="Not paid in time.")

    assert order.refunds.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_for_the_same_orders_make_one_payment(buyer, order) -> None:
    import threading

    from django.db import connection

    barrier = threading.Barrier(4)
    made: list[int] = []
    errors: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait()
            made.extend(
                payment.pk for payment in payments_create(buyer=buyer, order_ids=[order.pk])
            )
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Payment.objects.count() == 1
    assert set(made) == {Payment.objects.get().pk}


def test_an_idempotency_key_used_for_other_orders_is_refused(buyer, order, place, variant) -> None:
    from payments.exceptions import IdempotencyKeyReusedError

    payments_create(buyer=buyer, order_ids=[order.pk], idempotency_key="same")
    other = place(buyer, (variant, 1)).orders[0]

    with pytest.raises(IdempotencyKeyReusedError) as error:
        payments_create(buyer=buyer, order_ids=[other.pk], idempotency_key="same")

    assert error.value.status_code == 422
    assert Payment.objects.count() == 1


def test_an_order_that_costs_nothing_is_paid_without_a_payment(
    buyer, variant, place, django_capture_on_commit_callbacks
) -> None:
    from orders.tests.factories import PromotionFactory

    PromotionFactory(code="ALLFREE", value=Decimal("100"))
    order = place(buyer, (variant, 1), coupon_code="ALLFREE").orders[0]
    assert order.total == Decimal("0.00")

    with django_capture_on_commit_callbacks(execute=True):
        payments = payments_create(buyer=buyer, order_ids=[order.pk])

    order.refresh_from_db()
    assert payments == []
    assert order.status == Order.Status.PAID
    assert order.payment_reference == "free"
    assert LedgerEntry.objects.filter(order=order).count() == 0
    assert Invoice.objects.filter(order=order).count() == 1
