"""Stripe's webhook events: verified, stored once by their id, processed in a background job.

A replayed or duplicated event finds its id stored and changes nothing. Events may arrive late,
twice or out of order; the handlers go through the payment and refund state machines, which
ignore stale transitions, and the ledger, whose unique references keep each posting single.
"""

import json
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.exceptions import InvalidSignatureError
from payments.gateways import gateway_for
from payments.gateways.stripe import amount_from_stripe, intent_failure_message
from payments.models import Payment, Provider, WebhookEvent
from payments.services.disputes import dispute_lost, dispute_open, dispute_won
from payments.services.payments import (
    payment_mark_canceled,
    payment_mark_failed,
    payment_mark_succeeded,
)
from payments.services.refunds import refunds_from_provider, refunds_settle_pending

logger = logging.getLogger(__name__)

# Stripe signs the time of sending: older signatures are refused, so a captured request cannot
# be replayed later (Stripe's own libraries use the same five minutes).
SIGNATURE_TOLERANCE_SECONDS = 300

HANDLED_TYPES = (
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
    "charge.dispute.created",
    "charge.dispute.closed",
    "charge.dispute.funds_reinstated",
)


def stripe_event_verify(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in `payload` if `signature` (the `Stripe-Signature` header) proves it comes
    from Stripe with the endpoint's secret; InvalidSignatureError (400) otherwise."""
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret or not signature:
        raise InvalidSignatureError(_("The request has no valid Stripe signature."))
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        event = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidSignatureError(_("The request has no valid Stripe signature.")) from exc
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise InvalidSignatureError(_("The request is not a Stripe event."))
    return event


def webhook_event_record(
    *,
    event: Mapping[str, Any],
    provider: str = Provider.STRIPE,
    source: str = WebhookEvent.Source.WEBHOOK,
) -> tuple[WebhookEvent, bool]:
    """Store `event` once by its id and queue its processing; (event, True) the first time.

    A later delivery of the same id only counts the delivery: nothing else changes.
    """
    from payments.tasks import webhook_event_process_task

    event_id = str(event["id"])
    try:
        with transaction.atomic():
            stored = WebhookEvent.objects.create(
                provider=provider,
                event_id=event_id,
                type=str(event.get("type", ""))[:100],
                payload=dict(event),
                source=source,
            )
    except IntegrityError:
        WebhookEvent.objects.filter(provider=provider, event_id=event_id).update(
            deliveries=F("deliveries") + 1
        )
        return WebhookEvent.objects.get(provider=provider, event_id=event_id), False
    transaction.on_commit(lambda: webhook_event_process_task.delay(stored.pk))
    return stored, True


def webhook_event_process(*, event: WebhookEvent) -> WebhookEvent:
    """Apply a stored event, once: the row is locked, and a processed event is left alone."""
    with transaction.atomic():
        locked = WebhookEvent.objects.select_for_update().get(pk=event.pk)
        if locked.status != WebhookEvent.Status.RECEIVED:
            return locked
        handler = _HANDLERS.get(locked.type)
        note = handler(locked.payload) if handler is not None else "not handled"
        locked.status = (
            WebhookEvent.Status.PROCESSED if handler is not None else WebhookEvent.Status.IGNORED
        )
        locked.note = (note or "")[:255]
        locked.processed_at = timezone.now()
        locked.save(update_fields=["status", "note", "processed_at"])
    return locked


def _object(payload: Mapping[str, Any]) -> dict[str, Any]:
    data = payload.get("data") or {}
    obj = data.get("object") if isinstance(data, Mapping) else None
    return dict(obj) if isinstance(obj, Mapping) else {}


def _payment_for(intent_id: object, metadata: object = None) -> Payment | None:
    if intent_id:
        payment = Payment.objects.filter(
            provider=Provider.STRIPE, provider_payment_id=str(intent_id)
        ).first()
        if payment is not None:
            return payment
    # The intent's id is saved after Stripe answers: an event can come first.
    payment_id = metadata.get("payment_id") if isinstance(metadata, Mapping) else None
    if payment_id and str(payment_id).isdigit():
        return Payment.objects.filter(pk=int(payment_id), provider=Provider.STRIPE).first()
    return None


def _intent_succeeded(payload: Mapping[str, Any]) -> str:
    intent = _object(payload)
    payment = _payment_for(intent.get("id"), intent.get("metadata"))
    if payment is None:
        return "unknown payment"
    payment_mark_succeeded(payment=payment, raw=payload, source=f"event {payload.get('id')}")
    return ""


def _intent_failed(payload: Mapping[str, Any]) -> str:
    intent = _object(payload)
    payment = _payment_for(intent.get("id"), intent.get("metadata"))
    if payment is None:
        return "unknown payment"
    payment_mark_failed(payment=payment, message=intent_failure_message(intent), raw=payload)
    return ""


def _intent_canceled(payload: Mapping[str, Any]) -> str:
    intent = _object(payload)
    payment = _payment_for(intent.get("id"), intent.get("metadata"))
    if payment is None:
        return "unknown payment"
    payment_mark_canceled(payment=payment, raw=payload)
    return ""


def _charge_refunded(payload: Mapping[str, Any]) -> str:
    charge = _object(payload)
    payment = _payment_for(charge.get("payment_intent"), charge.get("metadata"))
    if payment is None:
        return "unknown payment"
    if not payment.is_paid and (charge.get("paid") or charge.get("status") == "succeeded"):
        # The refund came before the payment's own event: the charge proves it was paid.
        payment = payment_mark_succeeded(
            payment=payment, raw=payload, source=f"event {payload.get('id')}"
        )
    refunds = charge.get("refunds") or {}
    items = refunds.get("data", []) if isinstance(refunds, Mapping) else []
    refunds_from_provider(
        payment=payment,
        amount_refunded=amount_from_stripe(charge.get("amount_refunded", 0), payment.currency),
        refunds=[item for item in items if isinstance(item, Mapping)],
    )
    return ""


def _dispute_payment(payload: Mapping[str, Any]) -> tuple[dict[str, Any], Payment | None]:
    dispute = _object(payload)
    payment = _payment_for(dispute.get("payment_intent"), dispute.get("metadata"))
    if payment is not None and not payment.is_paid:
        payment = payment_mark_succeeded(
            payment=payment, raw=payload, source=f"event {payload.get('id')}"
        )
    return dispute, payment


def _dispute_created(payload: Mapping[str, Any]) -> str:
    dispute, payment = _dispute_payment(payload)
    if payment is None:
        return "unknown payment"
    dispute_open(
        payment=payment,
        dispute_id=str(dispute.get("id", payload.get("id"))),
        amount=amount_from_stripe(dispute.get("amount", 0), payment.currency),
        fee=_dispute_fee(dispute, payment.currency),
        reason=str(dispute.get("reason") or ""),
        raw=payload,
    )
    return ""


def _dispute_fee(dispute: Mapping[str, Any], currency: str) -> Decimal:
    """The provider's fee for a dispute: the fees of its balance transactions (withdrawals)."""
    total = 0
    for item in dispute.get("balance_transactions") or []:
        if isinstance(item, Mapping) and int(str(item.get("fee", 0) or 0)) > 0:
            total += int(str(item["fee"]))
    return amount_from_stripe(total, currency)


def _dispute_fee_returned(dispute: Mapping[str, Any], currency: str) -> Decimal:
    """The part of the dispute fee the provider gave back: Stripe lists it on a won dispute as
    a balance transaction with a negative fee (a fee reversal); without one, nothing came back."""
    total = 0
    for item in dispute.get("balance_transactions") or []:
        if isinstance(item, Mapping) and int(str(item.get("fee", 0) or 0)) < 0:
            total -= int(str(item["fee"]))
    return amount_from_stripe(total, currency)


def _dispute_closed(payload: Mapping[str, Any]) -> str:
    dispute, payment = _dispute_payment(payload)
    if payment is None:
        return "unknown payment"
    dispute_id = str(dispute.get("id", payload.get("id")))
    amount = amount_from_stripe(dispute.get("amount", 0), payment.currency)
    if dispute.get("status") == "won":
        dispute_won(
            payment=payment,
            dispute_id=dispute_id,
            amount=amount,
            fee_returned=_dispute_fee_returned(dispute, payment.currency),
            raw=payload,
        )
    elif dispute.get("status") == "lost":
        dispute_lost(payment=payment, dispute_id=dispute_id, raw=payload)
    else:
        return f"closed as {dispute.get('status')}"
    return ""


def _dispute_funds_reinstated(payload: Mapping[str, Any]) -> str:
    dispute, payment = _dispute_payment(payload)
    if payment is None:
        return "unknown payment"
    dispute_won(
        payment=payment,
        dispute_id=str(dispute.get("id", payload.get("id"))),
        amount=amount_from_stripe(dispute.get("amount", 0), payment.currency),
        fee_returned=_dispute_fee_returned(dispute, payment.currency),
        raw=payload,
    )
    return ""


_HANDLERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "payment_intent.succeeded": _intent_succeeded,
    "payment_intent.payment_failed": _intent_failed,
    "payment_intent.canceled": _intent_canceled,
    "charge.refunded": _charge_refunded,
    "charge.dispute.created": _dispute_created,
    "charge.dispute.closed": _dispute_closed,
    "charge.dispute.funds_reinstated": _dispute_funds_reinstated,
}


def payments_reconcile(*, now: Any = None) -> dict[str, int]:
    """Catch up with what Stripe knows and MarketMate missed: every recent event not stored yet
    is recorded and processed, and refunds pending for too long are settled, whatever their
    gateway (`refunds_settle_pending`).

    Returns how many events were recovered and refunds settled.
    """
    now = now or timezone.now()
    recovered = 0
    settled = 0
    if settings.STRIPE_SECRET_KEY:
        gateway = gateway_for(Provider.STRIPE)
        since = int((now - timedelta(hours=settings.PAYMENTS_RECONCILE_HOURS)).timestamp())
        events = [
            event
            for event in gateway.events_list(created_after=since)
            if event.get("type") in HANDLED_TYPES
        ]
        known = set(
            WebhookEvent.objects.filter(
                provider=Provider.STRIPE, event_id__in=[str(event["id"]) for event in events]
            ).values_list("event_id", flat=True)
        )
        for event in events:
            if str(event["id"]) in known:
                continue
            _stored, created = webhook_event_record(
                event=event, source=WebhookEvent.Source.RECONCILIATION
            )
            if created:
                recovered += 1
    settled = refunds_settle_pending(now=now)
    return {"recovered": recovered, "refunds_settled": settled}
