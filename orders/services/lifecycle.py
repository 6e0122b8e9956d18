"""The order state machine: the only code that changes an order's status.

    pending -> paid -> shipped -> complete
    pending | paid -> cancelled                      (stock goes back)
    paid | shipped | complete | partially_refunded -> refunded | partially_refunded

Each transition locks the order row, checks the current status (InvalidTransitionError, 409,
otherwise), records the step in the order's history and the audit log, and emits an event
(`order.paid`, `order.shipped`, ...) that subscribers hear after commit.
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.models import StockMovement
from catalog.selectors import variants_by_id
from catalog.services.stock import stock_release, variants_in_lock_order
from marketmate.audit import audit_changes_list, audit_record
from marketmate.currency import money_format
from marketmate.events import event_emit
from marketmate.money import money_round, quantum
from orders.exceptions import CheckoutError, InvalidTransitionError, OrdersErrorCode
from orders.models import Order, OrderLine, OrderStatusChange

Status = Order.Status
REFUNDABLE = (Status.PAID, Status.SHIPPED, Status.COMPLETE, Status.PARTIALLY_REFUNDED)


def _transition(
    *,
    order: Order,
    allowed_from: Iterable[str],
    to: str,
    actor: User | None,
    event: str,
    note: str = "",
    apply: Callable[[Order], list[str]] | None = None,
) -> Order:
    """Move `order` to `to` if its current status is one of `allowed_from`.

    `apply` changes the locked order's other fields and returns their names.
    """
    allowed = tuple(allowed_from)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in allowed:
            raise InvalidTransitionError(
                _("An order that is %(current)s cannot become %(target)s.")
                % {
                    "current": Status(locked.status).label,
                    "target": Status(to).label,
                }
            )
        before = locked.status
        changed = apply(locked) if apply is not None else []
        locked.status = to
        locked.save(update_fields=["status", "updated", *changed])
        OrderStatusChange.objects.create(
            order=locked, from_status=before, to_status=to, actor=actor, note=note[:255]
        )
        changes: dict[str, tuple[Any, Any]] = {"status": (before, to)}
        audit_record(actor=actor, action=f"order.{to}", entity=locked, changes=changes, reason=note)
        event_emit(event, order_id=locked.pk)
    return locked


RESTOCK_ACTION = "order.restocked"


def _restock_records(order: Order) -> list[dict[str, Any]]:
    """The `changes` of each line restock of `order`, oldest first.

    The audit record of a line restock is also its receipt: it holds the units of each line
    back in stock so far and the key of the refund that asked, so a repeat is recognised.
    """
    return audit_changes_list(entity=order, action=RESTOCK_ACTION)


def _restocked_quantities(
    order: Order, lines: Iterable[OrderLine], records: list[dict[str, Any]]
) -> dict[int, int]:
    """Units of each line of `order` already back in stock."""
    if order.is_restocked:
        return {line.pk: line.quantity for line in lines}
    if not records:
        return {}
    return {int(line_id): int(units) for line_id, units in records[-1]["restocked"][1].items()}


def _release(
    order: Order, units: Mapping[OrderLine, int], *, actor: User | None, reason: str
) -> None:
    """Put `units` of each line back on sale, locking the variants in a consistent order."""
    quantities: dict[int, int] = {}
    for line, quantity in units.items():
        if line.variant_id is not None and quantity > 0:  # the variant may have been deleted
            quantities[line.variant_id] = quantities.get(line.variant_id, 0) + quantity
    variants = variants_by_id(variant_ids=quantities)
    for variant in variants_in_lock_order(variants.values()):
        stock_release(
            variant=variant,
            quantity=quantities[variant.pk],
            reference=order.number,
            reason=reason,
            actor=actor,
        )


def _restock(order: Order, *, actor: User | None, reason: str) -> list[str]:
    """Give back the stock of every line not yet back (once per order, whatever calls it)."""
    if order.is_restocked:
        return []
    lines = list(order.lines.all())
    already = _restocked_quantities(order, lines, _restock_records(order))
    _release(
        order,
        {line: line.quantity - already.get(line.pk, 0) for line in lines},
        actor=actor,
        reason=reason,
    )
    order.is_restocked = True
    return ["is_restocked"]


def order_lines_restock(
    *,
    order: Order,
    quantities: Mapping[int, int],
    actor: User | None,
    reason: str = "",
    key: str = "",
) -> Order:
    """Put `quantities` ({order line id: units}) of `order` back on sale, as returns.

    A line gives back at most the units bought less those already back; the order counts as
    restocked once every unit is. With a `key` (the refund's), a repeat changes nothing, so a
    retried webhook or job never restocks twice. Audited.
    """
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        records = _restock_records(locked)
        if key and any(record.get("key", [None, None])[1] == key for record in records):
            return locked
        lines = {line.pk: line for line in locked.lines.all()}
        already = _restocked_quantities(locked, lines.values(), records)
        errors: list[str] = []
        units: dict[OrderLine, int] = {}
        for line_id, quantity in quantities.items():
            line = lines.get(int(line_id))
            if line is None:
                errors.append(_("Line %(id)s is not part of this order.") % {"id": line_id})
                continue
            left = line.quantity - already.get(line.pk, 0)
            if quantity < 1 or quantity > left:
                errors.append(
                    _("Restock between 1 and %(left)s of %(product)s.")
                    % {"left": left, "product": line.product_title}
                )
                continue
            units[line] = quantity
        if errors or not units:
            raise CheckoutError(
                _("Check the lines to restock."),
                code=OrdersErrorCode.INVALID_REFUND,
                fields={"lines": errors or [_("Choose at least one line.")]},
            )
        _release(locked, units, actor=actor, reason=StockMovement.Reason.RETURN)
        after = dict(already)
        for line, quantity in units.items():
            after[line.pk] = after.get(line.pk, 0) + quantity
        if all(after.get(pk, 0) >= line.quantity for pk, line in lines.items()):
            locked.is_restocked = True
            locked.save(update_fields=["is_restocked", "updated"])
        audit_record(
            actor=actor,
            action=RESTOCK_ACTION,
            entity=locked,
            changes={
                "restocked": (
                    {str(pk): count for pk, count in sorted(already.items())},
                    {str(pk): count for pk, count in sorted(after.items())},
                ),
                "key": (None, key),
            },
            reason=reason,
        )
    return locked


def order_mark_paid(
    *, order: Order, payment_reference: str = "", actor: User | None = None
) -> Order:
    """pending -> paid; for the payments app when the payment has succeeded."""

    def apply(locked: Order) -> list[str]:
        locked.paid_at = timezone.now()
        locked.payment_reference = payment_reference[:120]
        return ["paid_at", "payment_reference"]

    return _transition(
        order=order,
        allowed_from=[Status.PENDING],
        to=Status.PAID,
        actor=actor,
        event="order.paid",
        apply=apply,
    )


def order_ship(*, order: Order, actor: User, carrier: str, tracking_number: str) -> Order:
    """paid -> shipped, with the carrier and tracking number."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        message = _("This field is required.")
        raise CheckoutError(
            _("Give the carrier and the tracking number."),
            fields={
                name: [message]
                for name, value in (("carrier", carrier), ("tracking_number", tracking_number))
                if not value
            },
        )

    def apply(locked: Order) -> list[str]:
        locked.shipped_at = timezone.now()
        locked.carrier = carrier[:60]
        locked.tracking_number = tracking_number[:80]
        return ["shipped_at", "carrier", "tracking_number"]

    return _transition(
        order=order,
        allowed_from=[Status.PAID],
        to=Status.SHIPPED,
        actor=actor,
        event="order.shipped",
        apply=apply,
        note=_("%(carrier)s %(number)s") % {"carrier": carrier, "number": tracking_number},
    )


def order_complete(*, order: Order, actor: User | None) -> Order:
    """shipped -> complete: the shopper has the goods."""

    def apply(locked: Order) -> list[str]:
        locked.completed_at = timezone.now()
        return ["completed_at"]

    return _transition(
        order=order,
        allowed_from=[Status.SHIPPED],
        to=Status.COMPLETE,
        actor=actor,
        event="order.completed",
        apply=apply,
    )


def order_cancel(*, order: Order, actor: User | None, reason: str = "") -> Order:
    """pending | paid -> cancelled, and the stock goes back on sale.

    A paid order's money is returned by the payments app, which hears `order.cancelled`.
    """

    def apply(locked: Order) -> list[str]:
        locked.cancelled_at = timezone.now()
        return [
            "cancelled_at",
            *_restock(locked, actor=actor, reason=StockMovement.Reason.ORDER_RELEASE),
        ]

    return _transition(
        order=order,
        allowed_from=[Status.PENDING, Status.PAID],
        to=Status.CANCELLED,
        actor=actor,
        event="order.cancelled",
        apply=apply,
        note=reason,
    )


def order_mark_refunded(
    *, order: Order, amount: Decimal, restock: bool = False, actor: User | None = None
) -> Order:
    """paid | shipped | complete | partially refunded -> refunded or partially refunded.

    For the payments app once the gateway has refunded `amount`; amounts add up, and the order
    is refunded when they reach its total. `restock` puts the goods back on sale (returns).
    """
    amount = money_round(amount, order.currency)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status not in REFUNDABLE:
            raise InvalidTransitionError(
                _("An order that is %(current)s cannot be refunded.")
                % {"current": Status(locked.status).label}
            )
        refundable = locked.total - locked.refunded_amount
        if amount <= 0 or amount > refundable:
            message = _("Refund between %(least)s and %(amount)s.") % {
                "least": quantum(locked.currency),
                "amount": refundable,
            }
            raise CheckoutError(
                message, code=OrdersErrorCode.INVALID_REFUND, fields={"amount": [message]}
            )
        target = Status.REFUNDED if amount == refundable else Status.PARTIALLY_REFUNDED

        def apply(row: Order) -> list[str]:
            row.refunded_amount = row.refunded_amount + amount
            row.refunded_at = timezone.now()
            changed = ["refunded_amount", "refunded_at"]
            if restock:
                changed += _restock(row, actor=actor, reason=StockMovement.Reason.RETURN)
            return changed

        return _transition(
            order=locked,
            allowed_from=REFUNDABLE,
            to=target,
            actor=actor,
            event="order.refunded",
            apply=apply,
            # The amount alone: the timeline names the status in the reader's language.
            note=money_format(amount=amount, currency=locked.currency),
        )


def order_record_refund_of_cancelled(
    *, order: Order, amount: Decimal, actor: User | None = None
) -> Order:
    """Record on a cancelled order that `amount` of what was paid for it went back.

    The order stays cancelled; its `refunded_amount` grows (never past its total), so a later
    refund reported by the provider is not booked against it again.
    """
    amount = money_round(amount, order.currency)
    with transaction.atomic():
        locked = Order.objects.select_for_update().get(pk=order.pk)
        if locked.status != Status.CANCELLED:
            raise InvalidTransitionError(
                _("An order that is %(current)s is not cancelled.")
                % {"current": Status(locked.status).label}
            )
        left = locked.total - locked.refunded_amount
        if amount <= 0 or amount > left:
            message = _("Refund between 0.01 and %(amount)s.") % {"amount": left}
            raise CheckoutError(
                message, code=OrdersErrorCode.INVALID_REFUND, fields={"amount": [message]}
            )
        before = locked.refunded_amount
        locked.refunded_amount = before + amount
        locked.refunded_at = timezone.now()
        locked.save(update_fields=["refunded_amount", "refunded_at", "updated"])
        audit_record(
            actor=actor,
            action="order.refund_recorded",
            entity=locked,
            changes={"refunded_amount": (str(before), str(locked.refunded_amount))},
        )
    return locked


def order_expire(*, order: Order) -> bool:
    """Cancel `order` if it is still unpaid; False when it has moved on meanwhile."""
    try:
        order_cancel(order=order, actor=None, reason=_("Not paid in time."))
    except InvalidTransitionError:
        return False
    return True


def orders_expire_unpaid(*, now: Any = None) -> int:
    """Cancel every pending order older than ORDER_PENDING_EXPIRY_MINUTES; returns how many.

    Safe to run again and concurrently: each order is re-checked under its row lock.
    """
    cutoff = (now or timezone.now()) - timedelta(minutes=settings.ORDER_PENDING_EXPIRY_MINUTES)
    stale = Order.objects.filter(status=Status.PENDING, created__lt=cutoff).order_by("id")
    return sum(1 for order in stale.only("id") if order_expire(order=order))
