"""Disputes as a lifecycle through Stripe's events: opened, won (or funds reinstated), lost.

The payment goes through the local Stripe server; the dispute events are signed and posted to
the webhook endpoint as Stripe would."""

import importlib
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import StaffFactory
from payments.models import Dispute, LedgerEntry, Payment
from payments.services.journal import account_balance
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


def _opened_with_fee(payment: Payment) -> dict:
    opened = _dispute(payment, status="needs_response")
    opened["balance_transactions"] = [{"id": "txn_dp", "amount": -5000, "fee": 1500}]
    return opened


def _won_with_fee_back(payment: Payment) -> dict:
    won = _dispute(payment, status="won")
    won["balance_transactions"] = [
        {"id": "txn_dp", "amount": -5000, "fee": 1500},
        {"id": "txn_dp_back", "amount": 5000, "fee": -1500},
    ]
    return won


def test_a_won_dispute_whose_fee_came_back_credits_the_fee_once(
    stripe_settings, buyer, order, shop
) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(Client(), stripe_event("charge.dispute.created", _opened_with_fee(payment)))

    webhook_post(
        Client(), stripe_event("charge.dispute.funds_reinstated", _won_with_fee_back(payment))
    )
    webhook_post(Client(), stripe_event("charge.dispute.closed", _won_with_fee_back(payment)))

    assert ("dispute_fee", Decimal("-15.00")) in _entries(order)
    assert ("dispute_fee_back", Decimal("15.00")) in _entries(order)
    # Won with its fee back: the shop is where it was before the dispute (80 - 8.30).
    assert sum(amount for _kind, amount in _entries(order)) == Decimal("71.70")
    dispute = Dispute.objects.get(provider_dispute_id="dp_life_1")
    assert (dispute.status, dispute.fee, dispute.fee_returned, dispute.reason) == (
        "won",
        Decimal("15.00"),
        Decimal("15.00"),
        "fraudulent",
    )
    assert dispute.closed_at is not None
    assert account_balance(kind="shop", shop=shop, currency="USD") == Decimal("71.70")
    assert ledger_reconcile() == []


def test_a_won_dispute_without_a_fee_reversal_keeps_the_fee_charged(
    stripe_settings, buyer, order, shop
) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(Client(), stripe_event("charge.dispute.created", _opened_with_fee(payment)))
    won = _dispute(payment, status="won")
    won["balance_transactions"] = [{"id": "txn_dp", "amount": -5000, "fee": 1500}]

    webhook_post(Client(), stripe_event("charge.dispute.closed", won))

    kinds = [kind for kind, _amount in _entries(order)]
    assert "dispute_fee_back" not in kinds
    assert sum(amount for _kind, amount in _entries(order)) == Decimal("56.70")
    assert Dispute.objects.get().fee_returned == Decimal("0")
    assert ledger_reconcile() == []


def test_a_fee_returned_is_never_more_than_the_fee_charged(stripe_settings, buyer, order) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(Client(), stripe_event("charge.dispute.created", _opened_with_fee(payment)))
    won = _won_with_fee_back(payment)
    won["balance_transactions"][1]["fee"] = -9900

    webhook_post(Client(), stripe_event("charge.dispute.closed", won))

    assert ("dispute_fee_back", Decimal("15.00")) in _entries(order)
    assert ledger_reconcile() == []


def test_the_vendor_order_page_shows_the_dispute(stripe_settings, buyer, order, shop) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(Client(), stripe_event("charge.dispute.created", _opened_with_fee(payment)))
    page = Client()
    page.force_login(shop.owner)

    opened = page.get(f"/dashboard/orders/{order.number}/")

    assert opened.status_code == 200
    panel = opened.text.split("data-order-disputes", 1)[1].split("</section>", 1)[0]
    assert "Open" in panel
    assert "Fraudulent" in panel
    assert "$50.00" in panel  # disputed, and taken from this order
    assert "$15.00" in panel  # the fee
    webhook_post(Client(), stripe_event("charge.dispute.closed", _won_with_fee_back(payment)))
    won = page.get(f"/dashboard/orders/{order.number}/")
    panel = won.text.split("data-order-disputes", 1)[1].split("</section>", 1)[0]
    assert "Won" in panel
    assert "$15.00 returned" in panel


def test_an_order_without_disputes_shows_no_dispute_panel(buyer, order, shop) -> None:
    page = Client()
    page.force_login(shop.owner)

    response = page.get(f"/dashboard/orders/{order.number}/")

    assert response.status_code == 200
    assert "data-order-disputes" not in response.text


def test_staff_see_the_dispute_on_the_order_in_the_admin(stripe_settings, buyer, order) -> None:
    payment = _paid_by_stripe(buyer, order)
    webhook_post(Client(), stripe_event("charge.dispute.created", _opened_with_fee(payment)))
    webhook_post(Client(), stripe_event("charge.dispute.closed", _dispute(payment, status="lost")))
    staff = Client()
    staff.force_login(StaffFactory(is_superuser=True))

    response = staff.get(f"/admin/orders/order/{order.pk}/change/")

    assert response.status_code == 200
    panel = response.text.split("data-order-disputes", 1)[1].split("</section>", 1)[0]
    assert "Lost" in panel and "Fraudulent" in panel and "$50.00" in panel
    disputes = staff.get("/admin/payments/dispute/", {"status": "lost"})
    assert [item.provider_dispute_id for item in disputes.context["cl"].result_list] == [
        "dp_life_1"
    ]


def test_disputes_received_before_they_had_rows_are_rebuilt_from_their_events(
    stripe_settings, buyer, order
) -> None:
    from django.apps import apps

    backfill = importlib.import_module("payments.migrations.0010_disputes_from_past_events")
    payment = _paid_by_stripe(buyer, order)
    webhook_post(Client(), stripe_event("charge.dispute.created", _opened_with_fee(payment)))
    webhook_post(Client(), stripe_event("charge.dispute.closed", _dispute(payment, status="lost")))
    Dispute.objects.all().delete()  # as before the rows existed

    backfill.forwards(apps, None)
    backfill.forwards(apps, None)

    dispute = Dispute.objects.get()
    assert (dispute.amount, dispute.reason, dispute.status, dispute.fee) == (
        Decimal("50.00"),
        "fraudulent",
        "lost",
        Decimal("15.00"),
    )
    assert dispute.closed_at is not None
