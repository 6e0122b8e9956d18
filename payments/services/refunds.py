"""Refunds: asked for by a shop's owner or manager or by staff, sent through the payment's
gateway, and confirmed by the provider (Stripe's `charge.refunded` webhook, or at once by the
test-mode gateway). Confirmation moves the order through the orders app, updates the payment and
debits the shop's ledger; each happens once per refund, whatever repeats.

Lock order (docs/payments.md): payment, then order, then refund rows. Every function here that
locks more than one of them takes them in that order, so two refunds, a refund and its
confirmation, or a refund and a dispute queue behind each other instead of deadlocking. The
gateway is never called while a row lock is held: the refund is first committed as `pending`
(a durable record of the intent), then sent with an idempotency key of its id, then confirmed
in a new transaction. A refund left pending (a crash, a timeout, a lost webhook) is settled by
`refunds_settle_pending`, which the reconciliation job runs for every gateway.
"""

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.audit import audit_record
from marketmate.money import allocate, money_clean
from orders.models import Order
from orders.selectors import order_get, order_lock
from orders.services.lifecycle import (
    order_lines_restock,
    order_mark_refunded,
    order_record_refund_of_cancelled,
)
from payments.exceptions import GatewayError, RefundConflictError, RefundError
from payments.gateways import gateway_for
from payments.models import PAID_STATUSES, LedgerEntry, Payment, Refund
from payments.services.ledger import ledger_disputed_amount, ledger_post_refund
from payments.services.payments import payment_mark_refunded

logger = logging.getLogger(__name__)

REFUNDABLE_ORDER_STATUSES = (
    Order.Status.PAID,
    Order.Status.SHIPPED,
    Order.Status.COMPLETE,
    Order.Status.PARTIALLY_REFUNDED,
)


def _refunded_quantities(order: Order, *, besides: Refund | None = None) -> dict[int, int]:
    """Units of each line refunded or being refunded by line refunds (other than `besides`)."""
    quantities: dict[int, int] = {}
    refunds = order.refunds.exclude(status=Refund.Status.FAILED)
    if besides is not None:
        refunds = refunds.exclude(pk=besides.pk)
    for lines in refunds.values_list("lines", flat=True):
        for line in lines or []:
            line_id = int(line["line_id"])
            quantities[line_id] = quantities.get(line_id, 0) + int(line["quantity"])
    return quantities


def _lines_amount(
    order: Order, lines: Iterable[Mapping[str, Any]]
) -> tuple[Decimal, list[dict[str, int]]]:
    """The refund amount of `lines` ([{line_id, quantity}]): each unit's share of its line's
    total, so discounts and tax come back in proportion."""
    order_lines = {line.pk: line for line in order.lines.all()}
    already = _refunded_quantities(order)
    amount = Decimal("0")
    clean: dict[int, int] = {}
    errors: list[str] = []
    for item in lines:
        try:
            line_id, quantity = int(item["line_id"]), int(item["quantity"])
        except (KeyError, TypeError, ValueError):
            errors.append(_("Each line needs a line_id and a quantity."))
            continue
        line = order_lines.get(line_id)
        if line is None:
            errors.append(_("Line %(id)s is not part of this order.") % {"id": line_id})
            continue
        clean[line_id] = clean.get(line_id, 0) + quantity
        left = line.quantity - already.get(line_id, 0)
        if quantity < 1 or clean[line_id] > left:
            errors.append(
                _("Refund between 1 and %(left)s of %(product)s.")
                % {"left": left, "product": line.product_title}
            )
            continue
        # Each unit's share of the line comes from one allocation of the line's total, and
        # units are refunded in turn: the shares add up to the line, so the last unit is
        # always refundable and nothing is left over.
        shares = allocate(line.total, [1] * line.quantity, order.currency)
        first = already.get(line_id, 0) + clean[line_id] - quantity
        amount += sum(shares[first : first + quantity], Decimal("0"))
    if errors or not clean:
        raise RefundError(
            _("Check the lines to refund."),
            fields={"lines": errors or [_("Choose at least one line.")]},
        )
    return amount, [{"line_id": key, "quantity": value} for key, value in clean.items()]


def order_refundable_amount(*, order: Order) -> Decimal:
    """What is left to refund on `order`: its total less what is refunded, being refunded, or
    held by an open or lost dispute (the card network already took that back)."""
    pending = order.refunds.filter(status=Refund.Status.PENDING).aggregate(total=Sum("amount"))
    return (
        order.total
        - order.refunded_amount
        - (pending["total"] or Decimal("0"))
        - ledger_disputed_amount(order=order)
    )


def _payment_lock_for(order: Order) -> Payment | None:
    """The paid payment of `order`, locked: the first lock of the refund lock order."""
    return (
        Payment.objects.select_for_update()
        .filter(orders=order, status__in=PAID_STATUSES)
        .order_by("-succeeded_at")
        .first()
    )


def _lock_in_order(refund: Refund) -> tuple[Payment, Order, Refund]:
    """Lock the refund's payment, order and refund rows, in the documented lock order."""
    payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
    order = order_lock(order_id=refund.order_id)
    locked = Refund.objects.select_for_update().get(pk=refund.pk)
    return payment, order, locked


def refund_request(
    *,
    actor: User,
    order: Order,
    amount: Decimal | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    restock: bool = False,
    reason: str = "",
    idempotency_key: str = "",
) -> Refund:
    """Refund `amount` (or the given lines, or everything left) of a paid order.

    The caller has checked that `actor` may refund this order (owner, manager or staff). The
    same `idempotency_key` on the same order gives back the first refund. `restock` puts the
    refunded goods back on sale once the refund is confirmed: the units of the given lines, or,
    with a refund of everything left, every unit no line refund has covered yet. An amount
    alone names no goods, so it cannot restock unless it is everything left.
    """
    if idempotency_key:
        earlier = Refund.objects.filter(order=order, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if amount is not None:
        amount = money_clean(amount, order.currency, field="amount")
    with transaction.atomic():
        payment = _payment_lock_for(order)
        order = order_lock(order_id=order.pk)
        if payment is None or order.status not in REFUNDABLE_ORDER_STATUSES:
            raise RefundError(_("Only a paid order can be refunded."))
        refundable = order_refundable_amount(order=order)
        clean_lines: list[dict[str, int]] = []
        if lines:
            if amount is not None:
                raise RefundError(
                    _("Give an amount or lines, not both."),
                    fields={"amount": [_("Leave the amount out when refunding lines.")]},
                )
            amount, clean_lines = _lines_amount(order, lines)
        elif amount is None:
            amount = refundable
        _check_amount(order=order, amount=amount, refundable=refundable)
        if restock and not clean_lines and amount != refundable:
            message = _("Returning goods to stock needs lines to refund, or everything left.")
            raise RefundError(message, fields={"restock": [message]})
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    payment=payment,
                    order=order,
                    amount=amount,
                    currency=order.currency,
                    lines=clean_lines,
                    restock=restock,
                    reason=reason[:255],
                    requested_by=actor,
                    idempotency_key=idempotency_key,
                )
        except IntegrityError:
            return Refund.objects.get(order=order, idempotency_key=idempotency_key)
        audit_record(
            actor=actor,
            action="refund.requested",
            entity=order,
            changes={"refund": (None, str(amount))},
            reason=reason,
        )
    return refund_send(refund=refund)


def _check_amount(*, order: Order, amount: Decimal, refundable: Decimal) -> None:
    """400 for an amount the order could never refund; 409 when other refunds (or a dispute)
    took what is asked for meanwhile: the request was fine, the order moved on."""
    if amount <= 0 or amount > order.total:
        message = _("Refund between 0.01 and %(amount)s.") % {"amount": max(refundable, 0)}
        raise RefundError(message, fields={"amount": [message]})
    if amount > refundable:
        message = _(
            "Only %(left)s %(currency)s is left to refund on this order: another refund or a "
            "dispute took the rest. Reload the order and try again."
        ) % {"left": max(refundable, Decimal("0")), "currency": order.currency}
        raise RefundConflictError(message, fields={"amount": [message]})


def refund_send(*, refund: Refund) -> Refund:
    """Ask the gateway for the refund (its key is the refund's id, so asking again is safe)."""
    payment = refund.payment
    gateway = gateway_for(payment.provider)
    try:
        result = gateway.refund_create(
            provider_payment_id=payment.provider_payment_id,
            amount=refund.amount,
            currency=refund.currency,
            metadata={
                "refund_id": str(refund.pk),
                "order_id": str(refund.order_id),
                "payment_id": str(payment.pk),
            },
            idempotency_key=f"marketmate-refund-{refund.pk}",
        )
    except GatewayError as exc:
        refund_mark_failed(refund=refund, message=exc.message)
        raise
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if not locked.provider_refund_id:
            locked.provider_refund_id = result.provider_refund_id
            locked.save(update_fields=["provider_refund_id"])
    if gateway.confirms_on_server and result.status == "succeeded":
        return refund_confirm(refund=locked)
    return locked


def refund_mark_failed(*, refund: Refund, message: str) -> Refund:
    with transaction.atomic():
        locked = Refund.objects.select_for_update().get(pk=refund.pk)
        if locked.status != Refund.Status.PENDING:
            return locked
        locked.status = Refund.Status.FAILED
        locked.failure_message = message[:255]
        locked.save(update_fields=["status", "failure_message"])
        audit_record(
            actor=None,
            action="refund.failed",
            entity=locked.order,
            changes={"refund": (str(locked.amount), None)},
            reason=message,
        )
    return locked


def refund_confirm(*, refund: Refund) -> Refund:
    """pending | failed -> succeeded: the order is refunded (restocked when asked) or, when it
    was cancelled, the refund is recorded on it; the payment's refunded amount grows and the
    shop's ledger is debited. A second call changes nothing. Locks payment, order, refund."""
    with transaction.atomic():
        payment, order, locked = _lock_in_order(refund)
        if locked.status == Refund.Status.SUCCEEDED:
            return locked
        locked.status = Refund.Status.SUCCEEDED
        locked.confirmed_at = timezone.now()
        locked.failure_message = ""
        locked.save(update_fields=["status", "confirmed_at", "failure_message"])
        was_sold = LedgerEntry.objects.filter(order=order, kind=LedgerEntry.Kind.SALE).exists()
        if order.status in REFUNDABLE_ORDER_STATUSES:
            if locked.restock:
                _restock_refunded_lines(locked)
            order_mark_refunded(order=order, amount=locked.amount, actor=locked.requested_by)
        elif order.status == Order.Status.CANCELLED:
            order_record_refund_of_cancelled(
                order=order, amount=locked.amount, actor=locked.requested_by
            )
        payment_mark_refunded(payment=payment, amount=locked.amount)
        if was_sold:
            ledger_post_refund(refund=locked)
        audit_record(
            actor=locked.requested_by,
            action="refund.succeeded",
            entity=order,
            changes={"refunded": (None, str(locked.amount))},
        )
    return locked


def refunds_stale(*, now: datetime | None = None) -> "models.QuerySet[Refund]":
    """Refunds pending for longer than PAYMENTS_REFUND_PENDING_MINUTES, oldest first."""
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.PAYMENTS_REFUND_PENDING_MINUTES)
    return Refund.objects.filter(status=Refund.Status.PENDING, created__lt=cutoff).order_by("pk")


def refunds_settle_pending(*, now: datetime | None = None) -> int:
    """Settle the pending refunds, whatever their gateway: one never sent (or
    whose answer was lost) is sent again with the same idempotency key, so the provider
    refunds once; one the provider knows is confirmed or failed as the provider says.
    Returns how many were settled. Safe to run concurrently with anything else."""
    settled = 0
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.PAYMENTS_REFUND_PENDING_MINUTES)
    # A refund the provider knows may be asked about at once; one never sent waits until it is
    # stale, so the job does not race the request still sending it.
    candidates = Refund.objects.filter(status=Refund.Status.PENDING).filter(
        Q(created__lt=cutoff) | ~Q(provider_refund_id="")
    )
    for refund in candidates.select_related("payment").order_by("pk"):
        gateway = gateway_for(refund.payment.provider)
        try:
            if not refund.provider_refund_id or gateway.confirms_on_server:
                result = refund_send(refund=refund)
                settled += result.status != Refund.Status.PENDING
                continue
            answer = gateway.refund_retrieve(provider_refund_id=refund.provider_refund_id)
        except GatewayError:
            logger.exception("Refund %s could not be settled", refund.pk)
            continue
        if answer.status == "succeeded":
            refund_confirm(refund=refund)
            settled += 1
        elif answer.status in ("failed", "canceled"):
            refund_mark_failed(refund=refund, message=_("The provider could not refund."))
            settled += 1
    return settled


def _restock_refunded_lines(refund: Refund) -> None:
    """Put the goods of `refund` back in stock: its lines, or every unit no other line refund
    covers. Keyed by the refund, so the orders app restocks them once whatever repeats."""
    if refund.lines:
        quantities = {int(line["line_id"]): int(line["quantity"]) for line in refund.lines}
    else:
        covered = _refunded_quantities(refund.order, besides=refund)
        quantities = {
            line.pk: line.quantity - covered.get(line.pk, 0) for line in refund.order.lines.all()
        }
    quantities = {line_id: units for line_id, units in quantities.items() if units > 0}
    if quantities:
        order_lines_restock(
            order=refund.order,
            quantities=quantities,
            actor=refund.requested_by,
            reason=refund.reason,
            key=f"refund-{refund.pk}",
        )


def refunds_from_provider(
    *,
    payment: Payment,
    amount_refunded: Decimal,
    refunds: list[Mapping[str, Any]],
) -> list[Refund]:
    """Bring MarketMate's refunds of `payment` in line with the provider's, which reports that
    `amount_refunded` is refunded in all and (depending on its API version) lists the refunds.

    Known refunds are confirmed; money refunded outside MarketMate (the provider's dashboard) is
    recorded as new refunds, spread over the payment's orders in order.
    """
    confirmed: list[Refund] = []
    for item in refunds:
        if item.get("status") not in (None, "succeeded"):
            continue
        refund = _refund_for_provider_item(payment, item)
        if refund is not None and refund.status != Refund.Status.SUCCEEDED:
            confirmed.append(refund_confirm(refund=refund))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        local = payment.refunds.filter(status=Refund.Status.SUCCEEDED).aggregate(
            total=Sum("amount")
        )["total"] or Decimal("0")
        for refund in payment.refunds.filter(status=Refund.Status.PENDING).order_by("pk"):
            if local + refund.amount > amount_refunded:
                break
            confirmed.append(refund_confirm(refund=refund))
            local += refund.amount
        remaining = amount_refunded - local
        if remaining > 0:
            confirmed += _refunds_outside(payment=payment, amount=remaining)
    return confirmed


def _refund_for_provider_item(payment: Payment, item: Mapping[str, Any]) -> Refund | None:
    refund = payment.refunds.filter(provider_refund_id=str(item.get("id", ""))).first()
    if refund is not None:
        return refund
    metadata = item.get("metadata") or {}
    refund_id = metadata.get("refund_id") if isinstance(metadata, Mapping) else None
    if refund_id and str(refund_id).isdigit():
        return payment.refunds.filter(pk=int(refund_id)).first()
    return None


def _refunds_outside(*, payment: Payment, amount: Decimal) -> list[Refund]:
    refunds = []
    for order in payment.orders.order_by("pk"):
        if amount <= 0:
            break
        share = min(amount, order.total - order.refunded_amount)
        if share <= 0:
            continue
        refund = Refund.objects.create(
            payment=payment,
            order=order,
            amount=share,
            currency=order.currency,
            reason=_("Refunded at the payment provider"),
        )
        refunds.append(refund_confirm(refund=refund))
        amount -= share
    if amount > 0:
        logger.error("Payment %s: %s refunded beyond its orders", payment.pk, amount)
    return refunds


def refund_cancelled_order(*, order: Order) -> Refund | None:
    """Give back what was paid for a cancelled order: a paid order its shop cancelled, or one
    cancelled (not paid in time) before its payment arrived. Once: a second call finds it."""
    existing = Refund.objects.filter(order=order, idempotency_key="order-cancelled").first()
    if existing is not None:
        return existing
    order = order_get(order_id=order.pk)
    if order.status != Order.Status.CANCELLED:
        return None
    with transaction.atomic():
        payment = _payment_lock_for(order)
        if payment is None:
            return None
        order = order_lock(order_id=order.pk)
        amount = order_refundable_amount(order=order)
        if amount <= 0:
            return None
        try:
            with transaction.atomic():
                refund = Refund.objects.create(
                    payment=payment,
                    order=order,
                    amount=amount,
                    currency=order.currency,
                    reason=_("The order was cancelled."),
                    idempotency_key="order-cancelled",
                )
        except IntegrityError:
            return Refund.objects.get(order=order, idempotency_key="order-cancelled")
    return refund_send(refund=refund)
