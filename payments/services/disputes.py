"""Disputes (chargebacks) as a lifecycle: opened, then won or lost.

    opened  the card network takes the disputed amount back: each order's share is debited from
            its shop (with the commission's share returned) and can no longer be refunded; the
            provider's dispute fee is charged to the shop
    won     the money comes back (`charge.dispute.closed` won, or `funds_reinstated`): the shop
            is credited again and the commission on it taken again
    lost    the dispute is closed; the money stays with the buyer

The fee: Stripe does not return its dispute fee when a dispute is won unless its event says
so, as a balance transaction with a negative fee (a fee reversal). When it does, the fee is
credited back to the shop it was charged to (`dispute_fee_back`), never more than was charged.

Each dispute is also a row (`Dispute`: amount, reason, status, fee, dates) that the order pages
show; the row follows the lifecycle (open, then won or lost once).

Each step locks the payment, then its orders (the refund lock order), so a dispute and a refund
of the same order queue behind each other: a disputed amount is never refunded as well. Ledger
references carry the dispute's id, so a replayed event posts nothing twice.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from orders.models import Order
from orders.selectors import orders_lock
from payments.models import Dispute, LedgerEntry, Payment
from payments.services.ledger import (
    ledger_post_chargeback,
    ledger_post_dispute_fee,
    ledger_post_dispute_fee_returned,
    ledger_post_reinstated,
)
from payments.services.payments import payment_mark_dispute
from payments.services.refunds import order_refundable_amount


def _orders_locked(payment: Payment) -> list[Order]:
    ids = list(payment.orders.order_by("pk").values_list("pk", flat=True))
    return orders_lock(order_ids=ids)


def _dispute_row(
    *, payment: Payment, dispute_id: str, amount: Decimal, reason: str = ""
) -> Dispute:
    """The dispute's row (created the first time any of its events arrives); the payment is
    locked by the caller, so two events of one dispute never create it twice."""
    dispute, _created = Dispute.objects.get_or_create(
        payment=payment,
        provider_dispute_id=dispute_id,
        defaults={
            "amount": amount,
            "currency": payment.currency,
            "reason": reason[:64],
            "opened_at": timezone.now(),
        },
    )
    if reason and not dispute.reason:
        dispute.reason = reason[:64]
        dispute.save(update_fields=["reason"])
    return dispute


def _dispute_close(dispute: Dispute, status: str) -> None:
    if dispute.status == Dispute.Status.OPEN:
        dispute.status = status
        dispute.closed_at = timezone.now()
        dispute.save(update_fields=["status", "closed_at"])


def dispute_open(
    *,
    payment: Payment,
    dispute_id: str,
    amount: Decimal,
    fee: Decimal = Decimal(0),
    reason: str = "",
    raw: Mapping[str, Any] | None = None,
) -> list[LedgerEntry]:
    """A buyer disputed `amount` of `payment`: it is spread over the payment's orders in order,
    each taking at most what is still refundable on it (Stripe never disputes more than the
    charge less its refunds). The provider's `fee` is charged to the shop of the first order
    that was credited, once per dispute."""
    entries: list[LedgerEntry] = []
    with transaction.atomic():
        payment, _changed = payment_mark_dispute(payment=payment, status="open", raw=raw)
        dispute = _dispute_row(payment=payment, dispute_id=dispute_id, amount=amount, reason=reason)
        orders = _orders_locked(payment)
        sold_orders = [
            order
            for order in orders
            if LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.SALE).exists()
        ]
        if fee > 0 and sold_orders:
            entry = ledger_post_dispute_fee(order=sold_orders[0], fee=fee, dispute_id=dispute_id)
            entries += [entry] if entry is not None else []
            if entry is not None:
                dispute.fee = -entry.amount
                dispute.save(update_fields=["fee"])
        for order in orders:
            if amount <= 0:
                break
            sold = LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.SALE).exists()
            share = min(amount, max(order_refundable_amount(order=order), Decimal("0")))
            if share > 0 and sold:
                entries += ledger_post_chargeback(order=order, amount=share, dispute_id=dispute_id)
                amount -= share
    return entries


def dispute_won(
    *,
    payment: Payment,
    dispute_id: str,
    amount: Decimal,
    fee_returned: Decimal = Decimal(0),
    raw: Mapping[str, Any] | None = None,
) -> list[LedgerEntry]:
    """The dispute was decided for the shop: every order gets back what this dispute took, and
    the fee goes back to the shop when the provider returned it (`fee_returned`, from the
    event: Stripe keeps it unless its balance transactions show a fee reversal)."""
    entries: list[LedgerEntry] = []
    with transaction.atomic():
        payment, _changed = payment_mark_dispute(payment=payment, status="won", raw=raw)
        dispute = _dispute_row(payment=payment, dispute_id=dispute_id, amount=amount)
        _dispute_close(dispute, Dispute.Status.WON)
        orders = _orders_locked(payment)
        if fee_returned > 0:
            entry = ledger_post_dispute_fee_returned(dispute_id=dispute_id, amount=fee_returned)
            if entry is not None:
                entries.append(entry)
                dispute.fee_returned = entry.amount
                dispute.save(update_fields=["fee_returned"])
        for order in orders:
            taken = LedgerEntry.objects.filter(
                order=order, reference=f"chargeback:{dispute_id}:{order.pk}"
            ).aggregate(total=Sum("amount"))["total"]
            if taken:
                entries += ledger_post_reinstated(order=order, amount=-taken, dispute_id=dispute_id)
    return entries


def dispute_lost(
    *, payment: Payment, dispute_id: str, raw: Mapping[str, Any] | None = None
) -> Payment:
    """The dispute was decided for the buyer: the chargeback stands; nothing more moves."""
    with transaction.atomic():
        payment, _changed = payment_mark_dispute(payment=payment, status="lost", raw=raw)
        dispute = Dispute.objects.filter(payment=payment, provider_dispute_id=dispute_id).first()
        if dispute is not None:
            _dispute_close(dispute, Dispute.Status.LOST)
    return payment
