"""Taking payment for a checkout, and the payment state machine.

    pending -> succeeded -> partially_refunded -> refunded
    pending -> failed -> (another attempt) succeeded | failed
    pending | failed -> canceled

One function per transition. Each locks the payment row, ignores a stale transition (an event
that arrives late, twice, or after a later one) by returning the payment unchanged, and audits
what it changed. The webhook and the shopper's own return from the payment page both end in
`payment_mark_succeeded`; the row lock makes the second of them a no-op.
"""

import logging
import uuid
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.audit import audit_record
from marketmate.events import event_emit
from orders.exceptions import InvalidTransitionError
from orders.models import Order
from orders.selectors import orders_by_id, orders_for_checkout, orders_lock
from orders.services.lifecycle import order_mark_paid
from payments.exceptions import (
    CardDeclinedError,
    IdempotencyKeyReusedError,
    NothingToPayError,
    PaymentStateError,
)
from payments.gateways import gateway_for, gateway_get
from payments.gateways.base import IntentStatus
from payments.models import PAID_STATUSES, Payment, Provider
from payments.services.ledger import ledger_post_sale

logger = logging.getLogger(__name__)

Status = Payment.Status
OPEN_STATUSES = (Status.PENDING, Status.FAILED)


def _open_payment_for(orders: list[Order]) -> Payment | None:
    """A payment still collecting money for exactly these orders, if there is one."""
    ids = sorted(order.pk for order in orders)
    for payment in (
        Payment.objects.filter(orders__in=ids, status__in=OPEN_STATUSES)
        .prefetch_related("orders")
        .distinct()
    ):
        if sorted(order.pk for order in payment.orders.all()) == ids:
            return payment
    return None


def payments_create(
    *,
    buyer: User,
    checkout_reference: uuid.UUID | str | None = None,
    order_ids: list[int] | None = None,
    idempotency_key: str = "",
) -> list[Payment]:
    """One payment per currency for the buyer's pending orders of one checkout.

    The orders are given by their checkout reference or their ids (all the buyer's, pending,
    of one checkout). A payment still open for the same orders is given back instead of a new
    one, and so is the payment of an `idempotency_key` used before: asking twice never charges
    twice. The gateway's intent is created after the rows commit, with a key of the payment's id.
    """
    if checkout_reference is not None:
        orders = orders_for_checkout(buyer=buyer, checkout_reference=str(checkout_reference))
    else:
        orders = orders_by_id(buyer=buyer, order_ids=order_ids or [])
        if len(orders) != len(set(order_ids or [])):
            raise NothingToPayError(
                _("Some of these orders do not exist."),
                fields={"order_ids": [_("Give the ids of your own orders.")]},
            )
    if len({order.checkout_reference for order in orders}) > 1:
        raise NothingToPayError(
            _("Pay for the orders of one checkout at a time."),
            fields={"order_ids": [_("These orders come from different checkouts.")]},
        )
    if idempotency_key:
        earlier = list(
            Payment.objects.filter(buyer=buyer, idempotency_key=idempotency_key)
            .prefetch_related("orders")
            .order_by("id")
        )
        if earlier:
            paid_for = {order.pk for payment in earlier for order in payment.orders.all()}
            if not paid_for <= {order.pk for order in orders}:
                raise IdempotencyKeyReusedError(
                    _("This Idempotency-Key was already used for other orders."),
                    fields={"idempotency_key": [_("Use a new key for a new payment.")]},
                )
            return [payment_intent_ensure(payment=payment) for payment in earlier]
    pending = [order for order in orders if order.status == Order.Status.PENDING]
    if not pending:
        raise NothingToPayError(_("There is nothing left to pay for these orders."))
    free = [order for order in pending if order.total <= 0]
    if free:
        _orders_mark_paid_free(orders=free, buyer=buyer)
        pending = [order for order in pending if order.total > 0]

    by_currency: dict[str, list[Order]] = defaultdict(list)
    for order in pending:
        by_currency[order.currency].append(order)
    gateway = gateway_get()
    payments = []
    with transaction.atomic():
        # One payment per set of orders at a time: concurrent requests queue on the orders.
        orders_lock(order_ids=[order.pk for order in pending])
        for currency, group in sorted(by_currency.items()):
            payment = _open_payment_for(group)
            if payment is None:
                payment = Payment.objects.create(
                    buyer=buyer,
                    checkout_reference=group[0].checkout_reference,
                    provider=gateway.name,
                    amount=sum((order.total for order in group), Decimal("0")),
                    currency=currency,
                    idempotency_key=idempotency_key,
                )
                payment.orders.set(group)
                audit_record(
                    actor=buyer,
                    action="payment.created",
                    entity=payment,
                    changes={"status": (None, payment.status)},
                )
            payments.append(payment)
    return [payment_intent_ensure(payment=payment) for payment in payments]


def _orders_mark_paid_free(*, orders: list[Order], buyer: User) -> None:
    """Orders that cost nothing (fully discounted) are paid without a gateway."""
    from payments.tasks import invoice_render_task

    with transaction.atomic():
        for order in sorted(orders, key=lambda item: item.pk):
            order_mark_paid(order=order, payment_reference="free", actor=buyer)
            order_id = order.pk
            transaction.on_commit(
                lambda order_id=order_id: invoice_render_task.delay(order_id)  # type: ignore[misc]
            )


def payment_intent_ensure(*, payment: Payment) -> Payment:
    """Give the payment its gateway intent if it has none yet (safe to repeat: the gateway's
    idempotency key is derived from the payment's id)."""
    if payment.provider_payment_id:
        return payment
    gateway = gateway_for(payment.provider)
    orders = list(payment.orders.order_by("id"))
    result = gateway.intent_create(
        amount=payment.amount,
        currency=payment.currency,
        metadata={
            "payment_id": str(payment.pk),
            "checkout_reference": str(payment.checkout_reference),
            "order_ids": ",".join(str(order.pk) for order in orders),
            "order_numbers": ",".join(order.number for order in orders),
        },
        idempotency_key=f"marketmate-payment-{payment.pk}-intent",
    )
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if not locked.provider_payment_id:
            locked.provider_payment_id = result.provider_payment_id
            locked.client_secret = result.client_secret
            locked.save(update_fields=["provider_payment_id", "client_secret", "updated"])
    return locked


def payment_confirm_card(*, payment: Payment, card_number: str) -> Payment:
    """Pay with the test-mode card form (dummy gateway): success marks the orders paid; a
    declined card leaves the payment failed, ready for another card."""
    if payment.provider != Provider.DUMMY:
        raise PaymentStateError(_("This payment is confirmed on the payment page with Stripe."))
    if payment.status not in OPEN_STATUSES:
        raise PaymentStateError(_("This payment is no longer waiting for a card."))
    payment = payment_intent_ensure(payment=payment)
    gateway = gateway_for(payment.provider)
    result = gateway.intent_confirm(
        provider_payment_id=payment.provider_payment_id,
        card_number=card_number,
        idempotency_key=f"marketmate-payment-{payment.pk}-confirm-{uuid.uuid4().hex}",
    )
    if result.status == IntentStatus.SUCCEEDED:
        return payment_mark_succeeded(payment=payment, actor=payment.buyer, source="card form")
    payment = payment_mark_failed(
        payment=payment, message=result.failure_message, actor=payment.buyer
    )
    raise CardDeclinedError(
        result.failure_message or _("Your card was declined."),
        fields={"card_number": [_("Try another card.")]},
    )


def payment_sync(*, payment: Payment) -> Payment:
    """Ask the gateway how the payment stands and apply it: the shopper's return from the
    payment page, which may race the provider's webhook (the row lock settles who records it)."""
    if payment.provider == Provider.DUMMY or not payment.provider_payment_id:
        return payment
    result = gateway_for(payment.provider).intent_retrieve(
        provider_payment_id=payment.provider_payment_id
    )
    return payment_apply_status(
        payment=payment, status=result.status, message=result.failure_message, raw=result.raw
    )


def payment_apply_status(
    *,
    payment: Payment,
    status: str,
    message: str = "",
    raw: Mapping[str, Any] | None = None,
) -> Payment:
    if status == IntentStatus.SUCCEEDED:
        return payment_mark_succeeded(payment=payment, raw=raw, source="provider")
    if status == IntentStatus.FAILED:
        return payment_mark_failed(payment=payment, message=message, raw=raw)
    if status == IntentStatus.CANCELED:
        return payment_mark_canceled(payment=payment, raw=raw)
    return payment


def payment_mark_succeeded(
    *,
    payment: Payment,
    actor: User | None = None,
    raw: Mapping[str, Any] | None = None,
    source: str = "",
) -> Payment:
    """pending | failed -> succeeded: the orders become paid (through the orders app, which
    emits `order.paid`), the shops' ledgers are credited, and the invoices are rendered.

    Already paid (a webhook after the shopper's return, a replayed event): nothing changes.
    """
    from payments.tasks import invoice_render_task, refund_cancelled_order_task

    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status in PAID_STATUSES:
            return locked
        if locked.status == Status.CANCELED:
            logger.error("Payment %s succeeded after it was cancelled", locked.pk)
        before = locked.status
        locked.status = Status.SUCCEEDED
        locked.succeeded_at = timezone.now()
        locked.failure_message = ""
        if raw:
            locked.last_event = dict(raw)
        locked.save(
            update_fields=["status", "succeeded_at", "failure_message", "last_event", "updated"]
        )
        audit_record(
            actor=actor,
            action="payment.succeeded",
            entity=locked,
            changes={"status": (before, locked.status)},
            reason=source,
        )
        for order in locked.orders.order_by("pk"):
            try:
                order_mark_paid(
                    order=order, payment_reference=locked.provider_payment_id, actor=actor
                )
            except InvalidTransitionError:
                # Cancelled (not paid in time) before the money arrived: the shop gets nothing
                # and the shopper gets the money back, by a job once this commits.
                logger.warning(
                    "Payment %s succeeded for order %s, which is %s: refunding it",
                    locked.pk,
                    order.pk,
                    order.status,
                )
                audit_record(
                    actor=None,
                    action="payment.order_not_payable",
                    entity=locked,
                    reason=f"order {order.number} is {order.status}",
                )
                order_id = order.pk
                transaction.on_commit(
                    lambda order_id=order_id: refund_cancelled_order_task.delay(order_id)  # type: ignore[misc]
                )
                continue
            ledger_post_sale(order=order)
            order_id = order.pk
            transaction.on_commit(
                lambda order_id=order_id: invoice_render_task.delay(order_id)  # type: ignore[misc]
            )
        event_emit("payment.succeeded", payment_id=locked.pk)
    return locked


def payment_mark_failed(
    *,
    payment: Payment,
    message: str = "",
    actor: User | None = None,
    raw: Mapping[str, Any] | None = None,
) -> Payment:
    """pending | failed -> failed (the shopper may try again). Stale when already paid."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in OPEN_STATUSES:
            return locked
        before = locked.status
        locked.status = Status.FAILED
        locked.failure_message = (message or _("The payment failed."))[:255]
        if raw:
            locked.last_event = dict(raw)
        locked.save(update_fields=["status", "failure_message", "last_event", "updated"])
        audit_record(
            actor=actor,
            action="payment.failed",
            entity=locked,
            changes={"status": (before, locked.status)},
            reason=locked.failure_message,
        )
        event_emit("payment.failed", payment_id=locked.pk)
    return locked


def payment_mark_canceled(
    *, payment: Payment, actor: User | None = None, raw: Mapping[str, Any] | None = None
) -> Payment:
    """pending | failed -> canceled. Stale when already paid or cancelled."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in OPEN_STATUSES:
            return locked
        before = locked.status
        locked.status = Status.CANCELED
        if raw:
            locked.last_event = dict(raw)
        locked.save(update_fields=["status", "last_event", "updated"])
        audit_record(
            actor=actor,
            action="payment.canceled",
            entity=locked,
            changes={"status": (before, locked.status)},
        )
    return locked


def payment_mark_refunded(*, payment: Payment, amount: Decimal) -> Payment:
    """succeeded | partially_refunded -> partially_refunded | refunded, by `amount` more.

    Called by the refund service under the refund's own lock; refunds add up to the amount.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.status not in PAID_STATUSES:
            raise PaymentStateError(_("Only a paid payment can be refunded."))
        before = (locked.status, locked.amount_refunded)
        locked.amount_refunded = min(locked.amount, locked.amount_refunded + amount)
        locked.status = (
            Status.REFUNDED
            if locked.amount_refunded >= locked.amount
            else Status.PARTIALLY_REFUNDED
        )
        locked.save(update_fields=["amount_refunded", "status", "updated"])
        audit_record(
            actor=None,
            action="payment.refunded",
            entity=locked,
            changes={
                "status": (before[0], locked.status),
                "amount_refunded": (before[1], locked.amount_refunded),
            },
        )
    return locked


DISPUTE_STEPS: dict[str, tuple[str, ...]] = {
    "open": ("", "won", "lost"),
    "won": ("open",),
    "lost": ("open",),
}


def payment_mark_dispute(
    *, payment: Payment, status: str, raw: Mapping[str, Any] | None = None
) -> tuple[Payment, bool]:
    """The payment's dispute moves to `status` (open, won, lost); its payment status stays.

    "" | won | lost -> open (a new dispute), open -> won | lost. Locks the payment row (the
    first lock of the refund lock order). Returns (payment, False) for a stale step.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        before = locked.dispute_status
        if before not in DISPUTE_STEPS[status]:
            return locked, False
        locked.dispute_status = status
        locked.is_disputed = status == "open"
        fields = ["dispute_status", "is_disputed", "updated"]
        if status == "open":
            locked.disputed_at = timezone.now()
            fields.append("disputed_at")
        if raw:
            locked.last_event = dict(raw)
            fields.append("last_event")
        locked.save(update_fields=fields)
        audit_record(
            actor=None,
            action=f"payment.dispute_{status}",
            entity=locked,
            changes={"dispute_status": (before, status)},
        )
    return locked, True
