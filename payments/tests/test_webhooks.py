"""Stripe's webhooks, end to end against a real localstripe: signed events, replays, events out
of order, reconciliation of events that never arrived, and disputes."""

import time
from decimal import Decimal

import pytest
from django.test import Client

from marketmate.models import AuditLog
from orders.models import Order
from payments.models import LedgerEntry, Payment, WebhookEvent
from payments.services.payments import payments_create
from payments.services.webhooks import payments_reconcile
from payments.tests.conftest import (
    localstripe_events,
    stripe_browser_pays,
    stripe_client,
    stripe_event,
    stripe_signature,
    wait_for,
    webhook_post,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _succeeded_event(payment: Payment) -> dict:
    """localstripe's own `payment_intent.succeeded` event for `payment`, waiting for it."""
    found: list[dict] = []

    def recorded() -> bool:
        found[:] = [
            event
            for event in localstripe_events("payment_intent.succeeded")
            if event["data"]["object"]["id"] == payment.provider_payment_id
        ]
        return bool(found)

    wait_for(recorded)
    return found[0]


def test_a_confirmed_payment_intent_pays_the_orders_through_its_signed_webhook(
    stripe_webhooks, buyer, order
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    assert payment.provider == "stripe"
    assert payment.client_secret.startswith(payment.provider_payment_id)

    stripe_browser_pays(payment)

    wait_for(lambda: Order.objects.get(pk=order.pk).status == Order.Status.PAID)
    payment.refresh_from_db()
    # localstripe delivers each event a second after it happens, to whichever URL is registered
    # then: an event of the previous test can reach this live server too, so pick ours by id.
    event = WebhookEvent.objects.get(
        type="payment_intent.succeeded",
        payload__data__object__id=payment.provider_payment_id,
    )
    assert payment.status == Payment.Status.SUCCEEDED
    assert event.status == WebhookEvent.Status.PROCESSED
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        ("commission", Decimal("-8.30")),
        ("sale", Decimal("80.00")),
    ]


def test_a_tampered_signature_is_refused_and_changes_nothing(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    event = _succeeded_event(payment)
    client = Client()

    tampered = webhook_post(client, event, signature=stripe_signature(b"something else"))
    wrong_secret = webhook_post(
        client, event, signature=stripe_signature(b"{}", secret="whsec_other")
    )
    unsigned = webhook_post(client, event, signature="")

    assert [tampered.status_code, wrong_secret.status_code, unsigned.status_code] == [400] * 3
    assert tampered.json()["error"]["code"] == "invalid_signature"
    assert WebhookEvent.objects.count() == 0
    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.PENDING
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_an_old_signature_is_refused(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    event = _succeeded_event(payment)
    import json

    payload = json.dumps(event).encode()
    answer = Client().post(
        "/api/v1/webhooks/stripe",
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": stripe_signature(payload, at=int(time.time()) - 3600)},
    )

    assert answer.status_code == 400
    assert WebhookEvent.objects.count() == 0


def test_the_same_event_delivered_five_times_changes_state_once(
    stripe_settings, buyer, order
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    event = _succeeded_event(payment)
    client = Client()

    answers = [webhook_post(client, event) for _ in range(5)]

    assert [answer.status_code for answer in answers] == [200] * 5
    assert [answer.json()["duplicate"] for answer in answers] == [False, True, True, True, True]
    stored = WebhookEvent.objects.get()
    assert stored.deliveries == 5
    assert stored.status == WebhookEvent.Status.PROCESSED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID
    assert AuditLog.objects.filter(action="payment.succeeded").count() == 1
    assert AuditLog.objects.filter(action="order.paid").count() == 1
    assert LedgerEntry.objects.filter(order=order).count() == 2


def test_a_refund_arriving_before_the_payment_ends_refunded(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    succeeded = _succeeded_event(payment)
    # Refunded in Stripe's dashboard; its event overtakes the payment's own.
    refund = stripe_client().v1.refunds.create(
        params={"payment_intent": payment.provider_payment_id}
    )
    charge = stripe_client().v1.charges.retrieve(refund.charge).to_dict()
    client = Client()

    first = webhook_post(client, stripe_event("charge.refunded", charge))
    late = webhook_post(client, succeeded)

    assert [first.status_code, late.status_code] == [200, 200]
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == Payment.Status.REFUNDED
    assert payment.amount_refunded == Decimal("80.00")
    assert order.status == Order.Status.REFUNDED
    assert order.refunded_amount == Decimal("80.00")
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        ("commission", Decimal("-8.30")),
        ("commission_refund", Decimal("8.30")),
        ("refund", Decimal("-80.00")),
        ("sale", Decimal("80.00")),
    ]
    assert AuditLog.objects.filter(action="order.paid").count() == 1


def test_a_failed_event_after_success_is_stale(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    succeeded = _succeeded_event(payment)
    intent = dict(succeeded["data"]["object"])
    intent["status"] = "requires_payment_method"
    intent["last_payment_error"] = {"message": "Your card was declined."}
    client = Client()

    webhook_post(client, succeeded)
    webhook_post(client, stripe_event("payment_intent.payment_failed", intent))
    webhook_post(client, stripe_event("payment_intent.canceled", intent))

    assert Payment.objects.get(pk=payment.pk).status == Payment.Status.SUCCEEDED
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_a_failed_payment_event_marks_the_payment_failed(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    intent["last_payment_error"] = {"message": "Your card has insufficient funds."}

    webhook_post(Client(), stripe_event("payment_intent.payment_failed", intent))

    payment.refresh_from_db()
    assert payment.status == Payment.Status.FAILED
    assert payment.failure_message == "Your card has insufficient funds."
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_an_event_of_an_unknown_type_is_stored_and_ignored(stripe_settings) -> None:
    answer = webhook_post(Client(), stripe_event("customer.created", {"id": "cus_1"}))

    assert answer.status_code == 200
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.IGNORED


def test_reconciliation_processes_events_that_never_arrived(stripe_settings, buyer, order) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    _succeeded_event(payment)

    first = payments_reconcile()
    again = payments_reconcile()

    assert first["recovered"] >= 1
    assert again["recovered"] == 0
    stored = WebhookEvent.objects.get(
        type="payment_intent.succeeded", payload__data__object__id=payment.provider_payment_id
    )
    assert stored.source == WebhookEvent.Source.RECONCILIATION
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_a_dispute_flags_the_payment_and_takes_the_money_back_from_the_shop(
    stripe_settings, buyer, order
) -> None:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    webhook_post(Client(), _succeeded_event(payment))
    dispute = {
        "id": "dp_test_1",
        "object": "dispute",
        "amount": 8000,
        "currency": "usd",
        "payment_intent": payment.provider_payment_id,
        "reason": "fraudulent",
        "status": "needs_response",
    }

    for _ in range(2):
        webhook_post(Client(), stripe_event("charge.dispute.created", dispute, event_id="evt_dp_1"))
    webhook_post(Client(), stripe_event("charge.dispute.created", dispute, event_id="evt_dp_2"))

    payment.refresh_from_db()
    assert payment.is_disputed is True
    assert sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount")) == [
        ("chargeback", Decimal("-80.00")),
        ("chargeback_commission", Decimal("8.30")),
        ("commission", Decimal("-8.30")),
        ("sale", Decimal("80.00")),
    ]
