"""Every total of MarketMate: lines, promotions, shipping and tax of one order.

This module is pure: plain dataclasses in, plain dataclasses out, no database and no clock, so
that the same inputs always give the same totals and the rules can be tested exhaustively.
Services gather the inputs (current prices, the destination's tax rate, the chosen shipping
method, the promotions that are live for the buyer) and store the result on the order.

The rules (docs/orders.md explains them for shop owners):

- Money is `Decimal`, rounded once per amount to the currency's minor unit, half up (the cent
  for EUR, the yen for JPY, the fils for BHD: `marketmate.money`).
- A line's subtotal is unit price x quantity. Discounts are worked out per line: the best
  automatic promotion first, then the coupon on what is left; a line's discount never exceeds
  its subtotal. A fixed-amount discount is spread over the eligible lines in proportion to their
  value, minor unit by minor unit (`marketmate.money.allocate`), so the parts always add up.
- Tax is worked out per line on the discounted amount. When the shop's prices include tax, the
  tax is the part of the amount that is tax (amount x rate / (1 + rate)) and the line total is
  the amount; otherwise the tax is added on top (amount x rate).
- Shipping is priced from the discounted goods subtotal (for "free above") and the total weight
  (for weight bands); a free-shipping promotion makes it zero. Shipping carries no tax.
- The order's subtotal, discount and tax are the sums of its lines'; its total is the sum of
  the line totals plus shipping, and never negative.
- A platform-wide promotion is paid for by the platform: its part of the goods discount is
  `platform_discount`, which the shop is owed on top of what the buyer pays (a shop's own
  promotion is paid for by the shop). Free shipping from a platform-wide promotion is paid for
  by the platform too: the shipping it waives (`platform_shipping`) is part of
  `platform_discount`, so the shop is owed its full shipping; a shop's free shipping is the
  shop's.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from marketmate.money import allocate, money_round, money_round_cent

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


class PromotionKind(StrEnum):
    PERCENTAGE = "percentage"
    FIXED = "fixed"
    FREE_SHIPPING = "free_shipping"


class ShippingKind(StrEnum):
    FLAT = "flat"
    FREE_ABOVE = "free_above"
    WEIGHT = "weight"


class CouponRefusal(StrEnum):
    MINIMUM_SUBTOTAL = "minimum_subtotal"
    NO_ELIGIBLE_ITEMS = "no_eligible_items"


@dataclass(frozen=True)
class PriceLine:
    """One cart line as pricing sees it."""

    key: int
    unit_price: Decimal
    quantity: int
    weight_grams: int = 0
    category_ids: frozenset[int] = frozenset()


@dataclass(frozen=True)
class PromotionRule:
    """A promotion already known to be live for this order (dates, limits, shop checked).

    `category_ids` empty means every line; otherwise only lines in one of those categories.
    `value` is a percentage (10 for 10 %) or an amount in the order's currency.
    """

    id: int
    kind: PromotionKind
    value: Decimal = ZERO
    minimum_subtotal: Decimal = ZERO
    category_ids: frozenset[int] = frozenset()
    code: str = ""
    # Paid for by the platform (a platform-wide promotion), not by the shop.
    platform_funded: bool = False


@dataclass(frozen=True)
class WeightBand:
    up_to_grams: int
    price: Decimal


@dataclass(frozen=True)
class ShippingRate:
    """A shipping method as pricing sees it. `id` None is the built-in free "Standard"."""

    id: int | None
    name: str
    kind: ShippingKind = ShippingKind.FLAT
    price: Decimal = ZERO
    free_above: Decimal | None = None
    bands: tuple[WeightBand, ...] = ()


# The built-in method's name is stored on orders as this English key and translated where it is
# shown (`Order.shipping_method_label`), so an order reads right in every reader's language.
STANDARD_SHIPPING_NAME = "Standard"
STANDARD_SHIPPING = ShippingRate(id=None, name=STANDARD_SHIPPING_NAME)


@dataclass(frozen=True)
class LinePrice:
    key: int
    unit_price: Decimal
    quantity: int
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    total: Decimal


@dataclass(frozen=True)
class OrderPrice:
    currency: str
    prices_include_tax: bool
    tax_rate: Decimal
    lines: tuple[LinePrice, ...]
    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    shipping_before_discount: Decimal
    tax: Decimal
    total: Decimal
    weight_grams: int
    automatic_promotion_id: int | None = None
    coupon_applied: bool = False
    coupon_refusal: CouponRefusal | None = None
    applied_promotion_ids: tuple[int, ...] = field(default_factory=tuple)
    # What platform-funded promotions pay for (the shop is owed it): their part of `discount`
    # plus the shipping a platform free-shipping promotion waives (`platform_shipping`).
    platform_discount: Decimal = ZERO
    platform_shipping: Decimal = ZERO


def _shipping_round(price: Decimal, currency: str | None) -> Decimal:
    return money_round(price, currency) if currency else money_round_cent(price)


def shipping_price(
    *, rate: ShippingRate, goods_amount: Decimal, weight_grams: int, currency: str | None = None
) -> Decimal | None:
    """What `rate` charges for goods worth `goods_amount` weighing `weight_grams`.

    None when the method cannot carry the parcel (heavier than its heaviest band).
    """
    if rate.kind == ShippingKind.WEIGHT:
        for band in sorted(rate.bands, key=lambda band: band.up_to_grams):
            if weight_grams <= band.up_to_grams:
                return _shipping_round(band.price, currency)
        return None
    if (
        rate.kind == ShippingKind.FREE_ABOVE
        and rate.free_above is not None
        and goods_amount >= rate.free_above
    ):
        return ZERO
    return _shipping_round(rate.price, currency)


def _applies_to(rule: PromotionRule, line: PriceLine) -> bool:
    return not rule.category_ids or bool(rule.category_ids & line.category_ids)


def _spread(amount: Decimal, weights: Sequence[Decimal], currency: str) -> list[Decimal]:
    """`amount` split in minor units in proportion to `weights` (largest remainder).

    The parts add up to exactly `amount` and none exceeds its weight when amount <= sum.
    """
    if sum(weights, ZERO) <= 0 or amount <= 0:
        return [ZERO for _ in weights]
    return allocate(amount, weights, currency)


def _discounts(
    rule: PromotionRule,
    lines: Sequence[PriceLine],
    remaining: Sequence[Decimal],
    currency: str,
) -> list[Decimal]:
    """What `rule` takes off each line, given what is left of each line."""
    eligible = [_applies_to(rule, line) for line in lines]
    if rule.kind == PromotionKind.PERCENTAGE:
        rate = min(max(rule.value, ZERO), HUNDRED) / HUNDRED
        return [
            min(money_round(left * rate, currency), left) if ok else ZERO
            for left, ok in zip(remaining, eligible, strict=True)
        ]
    if rule.kind == PromotionKind.FIXED:
        weights = [left if ok else ZERO for left, ok in zip(remaining, eligible, strict=True)]
        amount = min(money_round(max(rule.value, ZERO), currency), sum(weights, ZERO))
        return _spread(amount, weights, currency)
    return [ZERO for _ in lines]


def _eligible_subtotal(rule: PromotionRule, lines: Sequence[PriceLine], currency: str) -> Decimal:
    return sum(
        (
            money_round(line.unit_price, currency) * line.quantity
            for line in lines
            if _applies_to(rule, line)
        ),
        ZERO,
    )


def price_order(
    *,
    currency: str,
    lines: Sequence[PriceLine],
    prices_include_tax: bool,
    tax_rate: Decimal,
    shipping: ShippingRate,
    automatic_promotions: Iterable[PromotionRule] = (),
    coupon: PromotionRule | None = None,
) -> OrderPrice:
    """The totals of one order (one shop, one currency). See the module's docstring."""
    subtotals = [money_round(line.unit_price, currency) * line.quantity for line in lines]
    subtotal = sum(subtotals, ZERO)
    weight = sum(line.weight_grams * line.quantity for line in lines)

    # The best automatic promotion (by what it saves on goods, or on shipping) applies.
    best_automatic: PromotionRule | None = None
    best_saving = ZERO
    best_discounts = [ZERO for _ in lines]
    for rule in automatic_promotions:
        if subtotal < rule.minimum_subtotal or _eligible_subtotal(rule, lines, currency) <= 0:
            continue
        discounts = _discounts(rule, lines, subtotals, currency)
        saving = sum(discounts, ZERO)
        if rule.kind == PromotionKind.FREE_SHIPPING:
            saving = (
                shipping_price(
                    rate=shipping, goods_amount=subtotal, weight_grams=weight, currency=currency
                )
                or ZERO
            )
        if best_automatic is None or saving > best_saving:
            best_automatic, best_saving, best_discounts = rule, saving, discounts

    remaining = [sub - disc for sub, disc in zip(subtotals, best_discounts, strict=True)]
    coupon_discounts = [ZERO for _ in lines]
    coupon_refusal: CouponRefusal | None = None
    if coupon is not None:
        if subtotal < coupon.minimum_subtotal:
            coupon_refusal = CouponRefusal.MINIMUM_SUBTOTAL
        elif _eligible_subtotal(coupon, lines, currency) <= 0:
            coupon_refusal = CouponRefusal.NO_ELIGIBLE_ITEMS
        else:
            coupon_discounts = _discounts(coupon, lines, remaining, currency)
    coupon_applied = coupon is not None and coupon_refusal is None

    rate = max(tax_rate, ZERO)
    priced: list[LinePrice] = []
    for line, sub, auto, extra in zip(
        lines, subtotals, best_discounts, coupon_discounts, strict=True
    ):
        discount = min(auto + extra, sub)
        amount = sub - discount
        if prices_include_tax:
            tax = money_round(amount * rate / (1 + rate), currency)
            total = amount
        else:
            tax = money_round(amount * rate, currency)
            total = amount + tax
        priced.append(
            LinePrice(
                key=line.key,
                unit_price=money_round(line.unit_price, currency),
                quantity=line.quantity,
                subtotal=sub,
                discount=discount,
                tax=tax,
                total=total,
            )
        )

    discount_total = sum((line.discount for line in priced), ZERO)
    goods_amount = subtotal - discount_total
    shipping_full = shipping_price(
        rate=shipping, goods_amount=goods_amount, weight_grams=weight, currency=currency
    )
    shipping_full = shipping_full if shipping_full is not None else ZERO
    free_shipping = (
        best_automatic is not None and best_automatic.kind == PromotionKind.FREE_SHIPPING
    ) or (coupon_applied and coupon is not None and coupon.kind == PromotionKind.FREE_SHIPPING)
    shipping_charged = ZERO if free_shipping else shipping_full
    # Whose free shipping it is: the automatic promotion's when it gives free shipping (the best
    # automatic one applies first), else the coupon's.
    free_rule = (
        best_automatic
        if best_automatic is not None and best_automatic.kind == PromotionKind.FREE_SHIPPING
        else coupon
        if coupon_applied
        else None
    )
    platform_shipping = (
        shipping_full
        if free_shipping and free_rule is not None and free_rule.platform_funded
        else ZERO
    )

    platform_discount = ZERO
    if (
        best_automatic is not None
        and best_automatic.platform_funded
        and best_automatic.kind != PromotionKind.FREE_SHIPPING
    ):
        platform_discount += sum(best_discounts, ZERO)
    if coupon_applied and coupon is not None and coupon.platform_funded:
        platform_discount += sum(coupon_discounts, ZERO)

    applied = tuple(
        rule.id
        for rule, used in ((best_automatic, True), (coupon, coupon_applied))
        if rule is not None and used
    )
    return OrderPrice(
        currency=currency,
        prices_include_tax=prices_include_tax,
        tax_rate=rate,
        lines=tuple(priced),
        subtotal=subtotal,
        discount=discount_total,
        shipping=shipping_charged,
        shipping_before_discount=shipping_full,
        tax=sum((line.tax for line in priced), ZERO),
        total=sum((line.total for line in priced), ZERO) + shipping_charged,
        weight_grams=weight,
        automatic_promotion_id=best_automatic.id if best_automatic is not None else None,
        coupon_applied=coupon_applied,
        coupon_refusal=coupon_refusal,
        applied_promotion_ids=applied,
        platform_discount=min(platform_discount, discount_total) + platform_shipping,
        platform_shipping=platform_shipping,
    )
