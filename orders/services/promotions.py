"""Coupons and automatic promotions: who may use them, and counting their uses safely."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.audit import audit_record, field_changes
from orders.exceptions import CheckoutError, OrdersErrorCode
from orders.models import Promotion, PromotionUsage
from orders.selectors import promotion_uses_by
from shops.models import Shop


def _coupon_error(message: str) -> CheckoutError:
    return CheckoutError(message, code=OrdersErrorCode.INVALID_COUPON, fields={"coupon": [message]})


def _refuse_if_unusable(*, promotion: Promotion, buyer: User) -> None:
    now = timezone.now()
    if not promotion.is_active:
        raise _coupon_error(_("This coupon is no longer active."))
    if promotion.starts_at is not None and promotion.starts_at > now:
        raise _coupon_error(_("This coupon is not valid yet."))
    if promotion.ends_at is not None and promotion.ends_at <= now:
        raise _coupon_error(_("This coupon has expired."))
    if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
        raise _coupon_error(_("This coupon has been used up."))
    if (
        promotion.usage_limit_per_user is not None
        and promotion_uses_by(promotion=promotion, user=buyer) >= promotion.usage_limit_per_user
    ):
        raise _coupon_error(_("You have already used this coupon."))


def coupon_get_usable(*, code: str, buyer: User) -> Promotion:
    """The coupon with `code` (any case) if `buyer` may use it now; CheckoutError otherwise."""
    promotion = (
        Promotion.objects.exclude(code="")
        .select_related("shop")
        .prefetch_related("categories")
        .filter(code__iexact=code.strip())
        .first()
    )
    if promotion is None:
        raise _coupon_error(_("There is no coupon with this code."))
    _refuse_if_unusable(promotion=promotion, buyer=buyer)
    return promotion


def promotions_claim(
    *, promotions: Iterable[Promotion], buyer: User, checkout_reference: uuid.UUID
) -> None:
    """Count one use of each promotion by `buyer`, refusing any that is used up meanwhile.

    Runs inside the checkout's transaction; the rows are locked in id order, so concurrent
    checkouts queue on a coupon instead of both taking its last use.
    """
    ids = sorted({promotion.pk for promotion in promotions})
    if not ids:
        return
    locked = list(Promotion.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    for promotion in locked:
        if promotion.usage_limit is not None and promotion.times_used >= promotion.usage_limit:
            raise _coupon_error(
                _("This coupon has been used up.")
                if promotion.code
                else _("A promotion has just ended; review your order again.")
            )
        if (
            promotion.usage_limit_per_user is not None
            and promotion_uses_by(promotion=promotion, user=buyer) >= promotion.usage_limit_per_user
        ):
            raise _coupon_error(_("You have already used this coupon."))
        Promotion.objects.filter(pk=promotion.pk).update(times_used=F("times_used") + 1)
        PromotionUsage.objects.create(
            promotion=promotion, user=buyer, checkout_reference=checkout_reference
        )


PROMOTION_FIELDS = (
    "name",
    "code",
    "kind",
    "value",
    "currency",
    "starts_at",
    "ends_at",
    "minimum_subtotal",
    "usage_limit",
    "usage_limit_per_user",
    "is_active",
)


@transaction.atomic
def promotion_save(
    *,
    actor: User,
    shop: Shop | None,
    promotion: Promotion | None = None,
    name: str,
    code: str,
    kind: str,
    value: Decimal,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    minimum_subtotal: Decimal = Decimal("0"),
    usage_limit: int | None = None,
    usage_limit_per_user: int | None = None,
    is_active: bool = True,
) -> Promotion:
    """Create or change a promotion of `shop` (None: platform-wide), validated and audited.

    A shop's amounts are in the shop's currency.
    """
    creating = promotion is None
    promotion = promotion if promotion is not None else Promotion(shop=shop)
    before = {name_: getattr(promotion, name_) for name_ in PROMOTION_FIELDS}
    promotion.name = name
    promotion.code = code.strip().upper()
    promotion.kind = kind
    promotion.value = value
    promotion.currency = shop.currency if shop is not None else promotion.currency
    promotion.starts_at = starts_at
    promotion.ends_at = ends_at
    promotion.minimum_subtotal = minimum_subtotal
    promotion.usage_limit = usage_limit
    promotion.usage_limit_per_user = usage_limit_per_user
    promotion.is_active = is_active
    promotion.full_clean()
    promotion.save()
    audit_record(
        actor=actor,
        action="promotion.create" if creating else "promotion.update",
        entity=promotion,
        changes=field_changes(before, promotion, PROMOTION_FIELDS),
    )
    return promotion
