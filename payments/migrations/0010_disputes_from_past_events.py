"""Disputes received before they had rows of their own get one, rebuilt from their stored
Stripe events (amount, reason, status, dates) and the ledger (the fee charged)."""

from decimal import Decimal
from typing import Any

from django.db import migrations

from marketmate.money import from_minor_units

CLOSING = {
    "charge.dispute.funds_reinstated": "won",
    "charge.dispute.closed": None,  # the dispute's own status: won or lost
}


def _payment(Payment: Any, dispute: dict[str, Any]) -> Any:
    intent = dispute.get("payment_intent")
    return Payment.objects.filter(provider="stripe", provider_payment_id=str(intent or "")).first()


def forwards(apps: Any, schema_editor: Any) -> None:
    WebhookEvent = apps.get_model("payments", "WebhookEvent")
    Payment = apps.get_model("payments", "Payment")
    Dispute = apps.get_model("payments", "Dispute")
    LedgerEntry = apps.get_model("payments", "LedgerEntry")
    events = WebhookEvent.objects.filter(
        provider="stripe", type__startswith="charge.dispute.", status="processed"
    ).order_by("received_at", "pk")
    for event in events.iterator():
        dispute = (event.payload.get("data") or {}).get("object") or {}
        payment = _payment(Payment, dispute)
        dispute_id = str(dispute.get("id") or "")
        if payment is None or not dispute_id:
            continue
        row, _created = Dispute.objects.get_or_create(
            payment=payment,
            provider_dispute_id=dispute_id,
            defaults={
                "amount": from_minor_units(int(dispute.get("amount") or 0), payment.currency),
                "currency": payment.currency,
                "reason": str(dispute.get("reason") or "")[:64],
                "opened_at": event.received_at,
            },
        )
        fee = LedgerEntry.objects.filter(reference=f"dispute-fee:{dispute_id}").first()
        row.fee = -fee.amount if fee is not None else Decimal(0)
        status = CLOSING[event.type] or dispute.get("status") if event.type in CLOSING else None
        if row.status == "open" and status in ("won", "lost"):
            row.status = status
            row.closed_at = event.processed_at or event.received_at
        row.save()


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0009_disputes_on_their_own"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
