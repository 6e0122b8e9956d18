"""Stock: reservations by orders and adjustments by shops.

Every change is one conditional UPDATE on the variant row (no read-then-write), so concurrent
buyers can never take more than there is; the CHECK constraint on `inventory_count` is the last
line of defence. Callers that reserve several variants do so in ascending id order, inside their
own transaction, so two checkouts never wait on each other in opposite orders.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import (
    IdempotencyKeyReusedError,
    InvalidStockAdjustmentError,
    OutOfStockError,
)
from catalog.models import INTEGER_COLUMN_MAX, ProductVariant, StockMovement
from catalog.storefront_cache import catalog_changed
from marketmate.audit import audit_record
from marketmate.events import event_emit


def stock_reserve(
    *, variant: ProductVariant, quantity: int, reference: str = "", actor: User | None = None
) -> None:
    """Take `quantity` units of `variant` for an order; OutOfStockError when there are fewer.

    Must run inside the caller's transaction: the units come back if it rolls back.
    """
    if quantity <= 0:
        raise InvalidStockAdjustmentError(_("Quantity must be at least 1."))
    if not variant.product.track_inventory:
        return
    updated = ProductVariant.objects.filter(pk=variant.pk, inventory_count__gte=quantity).update(
        inventory_count=F("inventory_count") - quantity
    )
    if not updated:
        available = (
            ProductVariant.objects.filter(pk=variant.pk)
            .values_list("inventory_count", flat=True)
            .first()
        ) or 0
        raise OutOfStockError(
            _("Only %(available)d of %(item)s left in stock.")
            % {"available": available, "item": variant},
            variant_id=variant.pk,
            available=available,
        )
    StockMovement.objects.create(
        variant=variant,
        delta=-quantity,
        reason=StockMovement.Reason.ORDER,
        reference=reference,
        actor=actor,
    )
    _low_stock_announce(variant=variant, delta=-quantity)


def stock_release(
    *,
    variant: ProductVariant,
    quantity: int,
    reference: str = "",
    reason: str = StockMovement.Reason.ORDER_RELEASE,
    actor: User | None = None,
) -> None:
    """Give back `quantity` units that an order had reserved (cancelled, expired, restocked)."""
    if quantity <= 0:
        raise InvalidStockAdjustmentError(_("Quantity must be at least 1."))
    if not variant.product.track_inventory:
        return
    ProductVariant.objects.filter(pk=variant.pk).update(
        inventory_count=F("inventory_count") + quantity
    )
    movement = StockMovement.objects.create(
        variant=variant, delta=quantity, reason=reason, reference=reference, actor=actor
    )
    count_now = (
        ProductVariant.objects.filter(pk=variant.pk).values_list("inventory_count", flat=True).get()
    )
    if count_now == quantity:
        _back_in_stock_announce(variant=variant, movement=movement)


@transaction.atomic
def stock_adjust(
    *,
    variant: ProductVariant,
    delta: int,
    reason: str,
    actor: User | None,
    note: str = "",
    idempotency_key: str = "",
) -> ProductVariant:
    """Change a variant's stock by `delta` on a shop's say-so, recording who and why.

    With an `idempotency_key`, a repeat of the same change (same key, delta and reason) changes
    nothing and gives back the variant; the same key with another change is an
    IdempotencyKeyReusedError.
    """
    if idempotency_key:
        # Concurrent repeats wait here for each other, so only the first one adjusts.
        ProductVariant.objects.select_for_update().filter(pk=variant.pk).first()
        earlier = StockMovement.objects.filter(
            variant=variant, idempotency_key=idempotency_key
        ).first()
        if earlier is not None:
            if (earlier.delta, earlier.reason) != (delta, reason):
                raise IdempotencyKeyReusedError(
                    _("This Idempotency-Key was already used for another change."),
                    fields={"idempotency_key": [_("Use a new key for a new change.")]},
                )
            variant.refresh_from_db(fields=["inventory_count"])
            return variant
    if delta == 0:
        raise InvalidStockAdjustmentError(
            _("The change must not be zero."), fields={"delta": [_("Must not be zero.")]}
        )
    if reason not in StockMovement.Reason.values or reason in {
        StockMovement.Reason.ORDER,
        StockMovement.Reason.ORDER_RELEASE,
    }:
        raise InvalidStockAdjustmentError(
            _("Choose a reason for the change."), fields={"reason": [_("Not a valid reason.")]}
        )
    if abs(delta) > INTEGER_COLUMN_MAX:
        raise InvalidStockAdjustmentError(
            _("The change is too large."), fields={"delta": [_("The change is too large.")]}
        )
    updated = ProductVariant.objects.filter(
        pk=variant.pk,
        inventory_count__gte=max(0, -delta),
        inventory_count__lte=INTEGER_COLUMN_MAX - max(0, delta),
    ).update(inventory_count=F("inventory_count") + delta)
    if not updated:
        variant.refresh_from_db(fields=["inventory_count"])
        if delta > 0:
            message = _("Stock cannot go above %(limit)d.") % {"limit": INTEGER_COLUMN_MAX}
            raise InvalidStockAdjustmentError(message, fields={"delta": [message]})
        raise InvalidStockAdjustmentError(
            _("Stock cannot go below zero."), fields={"delta": [_("Stock cannot go below zero.")]}
        )
    variant.refresh_from_db(fields=["inventory_count"])
    movement = StockMovement.objects.create(
        variant=variant,
        delta=delta,
        reason=reason,
        note=note,
        actor=actor,
        idempotency_key=idempotency_key,
    )
    if delta > 0 and variant.inventory_count == delta:
        _back_in_stock_announce(variant=variant, movement=movement)
    _low_stock_announce(variant=variant, delta=delta)
    catalog_changed(product_ids=[variant.product_id])
    audit_record(
        actor=actor,
        action="stock.adjust",
        entity=variant,
        changes={"inventory_count": (variant.inventory_count - delta, variant.inventory_count)},
        reason=note or reason,
    )
    return variant


def _back_in_stock_announce(*, variant: ProductVariant, movement: StockMovement) -> None:
    """Emit `product.back_in_stock` (for wishlists) when `movement` took the variant from none
    to some and no other variant of the product had stock: the product was sold out."""
    others_stocked = (
        ProductVariant.objects.filter(product_id=variant.product_id, inventory_count__gt=0)
        .exclude(pk=variant.pk)
        .exists()
    )
    if not others_stocked:
        event_emit("product.back_in_stock", product_id=variant.product_id, movement_id=movement.pk)


def _low_stock_announce(*, variant: ProductVariant, delta: int) -> None:
    """Emit `inventory.low` when a decrease took the variant to the low-stock threshold or
    below from above it: once per crossing, not on every sale below it."""
    if delta >= 0:
        return
    threshold = settings.CATALOG_LOW_STOCK_THRESHOLD
    count_now = (
        ProductVariant.objects.filter(pk=variant.pk).values_list("inventory_count", flat=True).get()
    )
    if count_now <= threshold < count_now - delta:
        event_emit(
            "inventory.low",
            variant_id=variant.pk,
            product_id=variant.product_id,
            shop_id=variant.shop_id,
            inventory_count=count_now,
            threshold=threshold,
        )


def variants_in_lock_order(variants: Iterable[ProductVariant]) -> list[ProductVariant]:
    """The order in which to reserve several variants so that checkouts never deadlock."""
    return sorted(variants, key=lambda variant: variant.pk)
