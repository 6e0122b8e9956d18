"""Disputes as a lifecycle through Stripe's events: opened, won (or funds reinstated), lost.

The payment goes through the local Stripe server; the dispute events are signed and posted to
the webhook endpoint as Stripe would."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory
from payments.models import LedgerEntry, Payment
from payments.services.payments import payments_create
from payments.services.reconciliation import ledger_reconcile
from payments.tests.conftest import stripe_browser_pays, stripe_client, stripe_event, webhook_post

pytestmark = pytest.mark.django_db(transaction=True)


def _paid_by_stripe(buyer, order) -> Payment:
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    stripe_browser_pays(payment)
    intent = stripe_client().v1.payment_intents.retrieve(payment.provider_payment_id).to_dict()
    webhook_post(Client(), stripe_event("payment_intent.succeeded", intent))
    return payment


def _dispute(payment: Payment, *, status: str, amount: int = 5000) -> dict:
    return {
        "id": "dp_life_1",
        "object": "dispute",
        "amount": amount,
        "currency": "usd",
        "payment_intent": payment.provider_payment_id,
        "reason": "fraudulent",
        "status": status,
    }


def _entries(order) -> list[tuple[str, Decimal]]:
    return sorted(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"))


def _refund(user, order, amount: str):
    client = APIClient()
    client.force_authenticate(user=user)
    return client.post(f"/api/v1/orders/{order.pk}/refunds", {"amount": amount}, format="json")


def test_a_disputed_amount_cannot_also_be_refunded(stripe_settings, buyer, order, shop) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(
        Client(), stripe_event("charge.dispute.created", _dispute(payment, status="needs_response"))
    )

    too_much = _refund(shop.owner, order, "30.01")
    rest = _refund(shop.owner, order, "30.00")

    assert too_much.status_code == 409
    assert too_much.json()["error"]["message"].startswith(
        "Only 30.00 USD is left to refund on this order: another refund or a dispute"
    )
    assert rest.status_code == 201
    payment.refresh_from_db()
    assert (payment.dispute_status, payment.is_disputed) == ("open", True)
    staff = Client()
    staff.force_login(StaffFactory(is_superuser=True))
    disputed = staff.get("/admin/payments/payment/", {"dispute_status": "open"})
    assert list(disputed.context["cl"].result_list) == [payment]


def test_a_won_dispute_gives_the_shop_its_money_back_once(stripe_settings, buyer, order) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(
        Client(), stripe_event("charge.dispute.created", _dispute(payment, status="needs_response"))
    )

    webhook_post(
        Client(),
        stripe_event("charge.dispute.funds_reinstated", _dispute(payment, status="won")),
    )
    webhook_post(Client(), stripe_event("charge.dispute.closed", _dispute(payment, status="won")))

    payment.refresh_from_db()
    assert (payment.dispute_status, payment.is_disputed) == ("won", False)
    assert _entries(order) == [
        ("chargeback", Decimal("-50.00")),
        ("chargeback_commission", Decimal("5.19")),
        ("commission", Decimal("-8.30")),
        ("reinstated", Decimal("50.00")),
        ("reinstated_commission", Decimal("-5.19")),
        ("sale", Decimal("80.00")),
    ]
    assert sum(amount for _kind, amount in _entries(order)) == Decimal("71.70")


def test_a_lost_dispute_keeps_the_chargeback_and_its_fee(stripe_settings, buyer, order) -> None:
    payment = _paid_by_stripe(buyer, order)
    opened = _dispute(payment, status="needs_response")
    opened["balance_transactions"] = [{"id": "txn_dp", "amount": -5000, "fee": 1500}]
    webhook_post(Client(), stripe_event("charge.dispute.created", opened))
    webhook_post(Client(), stripe_event("charge.dispute.created", opened, event_id="evt_again"))

    webhook_post(Client(), stripe_event("charge.dispute.closed", _dispute(payment, status="lost")))

    payment.refresh_from_db()
    assert (payment.dispute_status, payment.is_disputed) == ("lost", False)
    assert ("dispute_fee", Decimal("-15.00")) in _entries(order)
    # 80 - 8.30 commission - 50 chargeback + 5.19 commission back - 15 fee
    assert sum(amount for _kind, amount in _entries(order)) == Decimal("11.89")
    assert ledger_reconcile() == []
