"""Reads of carts, promotions, tax, shipping and orders, scoped to whoever asks.

The catalog is read through `catalog.selectors`; the two reads it does not offer yet (the
categories of products, for category promotions) are done here over the catalog models,
read-only. Shop membership is read from `ShopMember` rows, read-only.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from catalog.models import Product, ProductImage, ProductVariant
from catalog.selectors import (
    category_ids_with_descendants,
    category_queryset_paths,
    product_category_ids,
    variants_by_id,
)
from marketmate.money import money_round
from orders.models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    Promotion,
    PromotionUsage,
    ShippingMethod,
    TaxRate,
    shipping_method_label,
)
from orders.pricing import (
    STANDARD_SHIPPING,
    PriceLine,
    PromotionKind,
    PromotionRule,
    ShippingKind,
    ShippingRate,
    WeightBand,
    shipping_price,
)
from shops.models import Shop, ShopMember
from shops.selectors import shop_ids_for_member

if TYPE_CHECKING:
    from accounts.models import User

CART_SESSION_KEY = "orders_cart_id"
CANCEL_ROLES = (ShopMember.Role.OWNER, ShopMember.Role.MANAGER)


# --- Cart -----------------------------------------------------------------------------------------
@dataclass
class CartLine:
    """A cart item with what the shopper needs to know about it now."""

    item: CartItem
    variant: ProductVariant
    unit_price: Decimal
    price_when_added: Decimal
    quantity: int
    is_purchasable: bool
    available: int | None  # None: the shop does not count its stock

    @property
    def id(self) -> int:
        return self.item.pk

    @property
    def line_total(self) -> Decimal:
        return money_round(self.unit_price * self.quantity, self.variant.product.currency)

    @property
    def price_changed(self) -> bool:
        return self.unit_price != self.price_when_added

    @property
    def has_enough_stock(self) -> bool:
        return self.available is None or self.quantity <= self.available

    @property
    def is_ready(self) -> bool:
        return self.is_purchasable and self.has_enough_stock

    @property
    def title(self) -> str:
        return self.variant.product.title

    @property
    def options_text(self) -> str:
        """ "Size: Large · Colour: Rust": the option names and values, in the shop's order."""
        return " · ".join(
            f"{key[:1].upper()}{key[1:]}: {value}" for key, value in self.variant.options.items()
        )

    @property
    def image(self) -> "ProductImage | None":
        """The product's first photo (prefetched by `variants_by_id`)."""
        return next(iter(self.variant.product.images.all()), None)


@dataclass
class CartShopGroup:
    shop: Shop
    lines: list[CartLine] = field(default_factory=list)

    @property
    def currency(self) -> str:
        return self.shop.currency

    @property
    def subtotal(self) -> Decimal:
        return sum((line.line_total for line in self.lines), Decimal("0.00"))

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass
class CartSummary:
    cart: Cart | None
    groups: list[CartShopGroup]

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def price_changes(self) -> list[CartLine]:
        return [line for line in self.lines if line.price_changed]

    @property
    def problems(self) -> list[CartLine]:
        return [line for line in self.lines if not line.is_ready]

    @property
    def totals_by_currency(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for group in self.groups:
            totals[group.currency] += group.subtotal
        return dict(totals)


def cart_get(*, user: "User | AnonymousUser", session: SessionBase | None) -> Cart | None:
    """The cart of a signed-in user, or of an anonymous session; None when there is none yet."""
    if user.is_authenticated:
        return Cart.objects.filter(user=user).first()
    cart_id = session.get(CART_SESSION_KEY) if session is not None else None
    if cart_id is None:
        return None
    return Cart.objects.filter(pk=cart_id, user__isnull=True).first()


def cart_item_count(*, user: "User | AnonymousUser", session: SessionBase | None) -> int:
    """How many units are in the cart, in one query (for the header)."""
    if user.is_authenticated:
        items = CartItem.objects.filter(cart__user=user)
    else:
        cart_id = session.get(CART_SESSION_KEY) if session is not None else None
        if cart_id is None:
            return 0
        items = CartItem.objects.filter(cart_id=cart_id, cart__user__isnull=True)
    return int(items.aggregate(units=Sum("quantity"))["units"] or 0)


def cart_summarise(*, cart: Cart | None) -> CartSummary:
    """The cart grouped by shop, at current prices and stock (three queries)."""
    if cart is None:
        return CartSummary(cart=None, groups=[])
    items = list(cart.items.all())
    variants = variants_by_id(variant_ids=[item.variant_id for item in items])
    groups: dict[int, CartShopGroup] = {}
    for item in items:
        variant = variants[item.variant_id]
        product = variant.product
        group = groups.setdefault(variant.shop_id, CartShopGroup(shop=variant.shop))
        group.lines.append(
            CartLine(
                item=item,
                variant=variant,
                unit_price=money_round(variant.unit_price, product.currency),
                price_when_added=money_round(item.price_when_added, product.currency),
                quantity=item.quantity,
                is_purchasable=(product.status == Product.Status.ACTIVE and variant.shop.is_active),
                available=variant.inventory_count if product.track_inventory else None,
            )
        )
    return CartSummary(cart=cart, groups=sorted(groups.values(), key=lambda g: g.shop.name))


def price_lines_for(*, lines: Iterable[CartLine]) -> list[PriceLine]:
    lines = list(lines)
    categories = product_category_ids(product_ids=[line.variant.product_id for line in lines])
    return [
        PriceLine(
            key=line.variant.pk,
            unit_price=line.unit_price,
            quantity=line.quantity,
            weight_grams=line.variant.weight_grams,
            category_ids=categories.get(line.variant.product_id, frozenset()),
        )
        for line in lines
    ]


# --- Promotions -----------------------------------------------------------------------------------
def promotion_queryset_live() -> QuerySet[Promotion]:
    """Active promotions within their validity window and under their total usage limit."""
    now = timezone.now()
    return (
        Promotion.objects.filter(is_active=True)
        .filter(Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=now))
        .filter(Q(usage_limit__isnull=True) | Q(times_used__lt=F("usage_limit")))
        .prefetch_related(Prefetch("categories", queryset=category_queryset_paths()))
    )


def promotion_uses_by(*, promotion: Promotion, user: "User") -> int:
    return PromotionUsage.objects.filter(promotion=promotion, user=user).count()


def promotion_category_ids(*, promotion: Promotion) -> frozenset[int]:
    """The promotion's categories with all their subcategories."""
    ids: set[int] = set()
    for category in promotion.categories.all():
        ids.add(category.pk)
        ids.update(category_ids_with_descendants(category=category))
    return frozenset(ids)


def promotion_rule(*, promotion: Promotion) -> PromotionRule:
    return PromotionRule(
        id=promotion.pk,
        kind=PromotionKind(promotion.kind),
        value=promotion.value,
        minimum_subtotal=promotion.minimum_subtotal,
        category_ids=promotion_category_ids(promotion=promotion),
        code=promotion.code,
        platform_funded=promotion.shop_id is None,
    )


def promotion_fits_currency(*, promotion: Promotion, currency: str) -> bool:
    return not promotion.currency or promotion.currency == currency


def automatic_promotions_for(*, shop: Shop, buyer: "User") -> list[Promotion]:
    """Automatic promotions that may apply to an order from `shop` by `buyer`."""
    candidates = (
        promotion_queryset_live().filter(code="").filter(Q(shop__isnull=True) | Q(shop=shop))
    )
    usable = []
    for promotion in candidates:
        if not promotion_fits_currency(promotion=promotion, currency=shop.currency):
            continue
        if (
            promotion.usage_limit_per_user is not None
            and promotion_uses_by(promotion=promotion, user=buyer) >= promotion.usage_limit_per_user
        ):
            continue
        usable.append(promotion)
    return usable


def promotions_for_shop(*, shop: Shop) -> QuerySet[Promotion]:
    return Promotion.objects.filter(shop=shop).order_by("-created", "-id")


# --- Tax and shipping -----------------------------------------------------------------------------
def tax_rate_for(*, country: str, region: str = "") -> Decimal:
    """The rate of the destination: its region's when it has one, else its country's, else 0."""
    rates = {
        rate.region.casefold(): rate.rate
        for rate in TaxRate.objects.filter(country=country.upper()).filter(
            Q(region="") | Q(region__iexact=region)
        )
    }
    if region and region.casefold() in rates:
        return rates[region.casefold()]
    return rates.get("", Decimal("0"))


@dataclass(frozen=True)
class ShippingChoice:
    """A way a shop can ship this parcel, priced. `method` None is the free Standard method."""

    method: ShippingMethod | None
    rate: ShippingRate

    @property
    def id(self) -> int | None:
        return self.method.pk if self.method is not None else None

    @property
    def name(self) -> str:
        """The name stored on the order (the built-in method's is a key, see `label`)."""
        return self.rate.name

    @property
    def label(self) -> str:
        """The name as the shopper reads it, in the active language."""
        return shipping_method_label(name=self.rate.name, is_builtin=self.method is None)


def shipping_methods_for_shop(*, shop: Shop) -> QuerySet[ShippingMethod]:
    """Every shipping method of `shop` (active or not), with its weight bands."""
    return ShippingMethod.objects.filter(shop=shop).prefetch_related("bands")


def shipping_rate(*, method: ShippingMethod) -> ShippingRate:
    return ShippingRate(
        id=method.pk,
        name=method.name,
        kind=ShippingKind(method.kind),
        price=method.price,
        free_above=method.free_above,
        bands=tuple(WeightBand(band.up_to_grams, band.price) for band in method.bands.all()),
    )


def shipping_choices_for(*, shop: Shop, country: str) -> list[ShippingChoice]:
    """The methods of `shop` that ship to `country`, default first.

    A shop that has set up no method at all ships everywhere with a free "Standard" method.
    """
    methods = list(
        ShippingMethod.objects.filter(shop=shop, is_active=True).prefetch_related("bands")
    )
    if not methods:
        return [ShippingChoice(method=None, rate=STANDARD_SHIPPING)]
    return [
        ShippingChoice(method=method, rate=shipping_rate(method=method))
        for method in methods
        if not method.countries or country.upper() in {str(code) for code in method.countries}
    ]


@dataclass(frozen=True)
class ShippingOption:
    """A shipping choice as the shipping step shows it: what it costs for this parcel (None
    when the method cannot carry it) and when it should arrive (None when the shop has not
    said)."""

    choice: ShippingChoice
    price: Decimal | None
    currency: str
    arrives_from: date | None
    arrives_by: date | None


def shipping_options_for(
    *, group: CartShopGroup, country: str, today: date | None = None
) -> list[ShippingOption]:
    """The shop's choices for this cart group's parcel, each priced and with its delivery
    window counted from `today` (the shopper's date)."""
    today = today or timezone.localdate()
    weight = sum(line.variant.weight_grams * line.quantity for line in group.lines)
    options = []
    for choice in shipping_choices_for(shop=group.shop, country=country):
        method = choice.method
        low = method.delivery_days_min if method is not None else None
        high = method.delivery_days_max if method is not None else None
        options.append(
            ShippingOption(
                choice=choice,
                price=shipping_price(
                    rate=choice.rate, goods_amount=group.subtotal, weight_grams=weight
                ),
                currency=group.currency,
                arrives_from=today + timedelta(days=low) if low is not None else None,
                arrives_by=today + timedelta(days=high) if high is not None else None,
            )
        )
    return options


# --- Orders ---------------------------------------------------------------------------------------
def order_queryset() -> QuerySet[Order]:
    return Order.objects.select_related("shop", "buyer")


def order_get(*, order_id: int) -> Order:
    """Order `order_id` (`Order.DoesNotExist` when gone): for jobs and other apps' services,
    never for a lookup a user asked for (use `order_get_for_viewer`)."""
    return Order.objects.get(pk=order_id)


def order_get_with_lines(*, order_id: int) -> Order:
    """Order `order_id` with its shop, buyer and lines, for a document such as its invoice."""
    return Order.objects.select_related("shop", "buyer").prefetch_related("lines").get(pk=order_id)


def order_lock(*, order_id: int) -> Order:
    """Order `order_id`, its row locked (FOR UPDATE) until the caller's transaction ends."""
    return Order.objects.select_for_update().get(pk=order_id)


def orders_lock(*, order_ids: Iterable[int]) -> list[Order]:
    """The orders, their rows locked (FOR UPDATE) in id order, the documented lock order."""
    return list(Order.objects.select_for_update().filter(pk__in=set(order_ids)).order_by("pk"))


def order_list_for_buyer(*, buyer: "User") -> QuerySet[Order]:
    return order_queryset().filter(buyer=buyer)


def order_list_for_shop(*, shop: Shop) -> QuerySet[Order]:
    return order_queryset().filter(shop=shop)


def order_get_for_viewer(
    *, user: "User | AnonymousUser", order_id: int | None = None, number: str | None = None
) -> Order | None:
    """The order if `user` bought it or works for its shop; None otherwise (shown as 404)."""
    if not user.is_authenticated:
        return None
    lookup = Q(pk=order_id) if order_id is not None else Q(number=number)
    shop_ids = shop_ids_for_member(user=user)
    return (
        order_queryset()
        .prefetch_related("lines", "status_changes__actor")
        .filter(lookup)
        .filter(Q(buyer=user) | Q(shop_id__in=shop_ids))
        .first()
    )


def order_is_visible_to(*, user: "User | AnonymousUser", order_id: int) -> bool:
    """Whether `user` bought order `order_id` or works for its shop (and may follow it live)."""
    if not user.is_authenticated:
        return False
    return Order.objects.filter(
        Q(buyer_id=user.pk) | Q(shop__members__user_id=user.pk), pk=order_id
    ).exists()


def order_get_for_buyer(*, buyer: "User", number: str) -> Order | None:
    return (
        order_list_for_buyer(buyer=buyer)
        # the lines' variants: a completed order links each product to its review form
        .prefetch_related("lines__variant", "status_changes")
        .filter(number=number)
        .first()
    )


def order_get_for_shop(*, shop: Shop, number: str) -> Order | None:
    """An order of `shop` by number (the caller has checked the user works for the shop)."""
    return (
        order_list_for_shop(shop=shop)
        .prefetch_related("lines", "status_changes__actor")
        .filter(number=number)
        .first()
    )


def product_has_order_lines(product: Product) -> bool:
    """Whether any order bought the product (the catalog then archives it, never deletes it)."""
    return OrderLine.objects.filter(variant__product=product).exists()


def product_received_by(*, buyer: "User | AnonymousUser", product_id: int) -> bool:
    """Whether `buyer` has a completed order with a line of the product (for reviews).

    A completed order that was later partly refunded still counts: the goods arrived.
    """
    if not buyer.is_authenticated:
        return False
    return OrderLine.objects.filter(
        Q(order__status=Order.Status.COMPLETE)
        | Q(order__status=Order.Status.PARTIALLY_REFUNDED, order__completed_at__isnull=False),
        order__buyer_id=buyer.pk,
        variant__product_id=product_id,
    ).exists()


def orders_for_checkout(*, buyer: "User", checkout_reference: str) -> list[Order]:
    return list(
        order_list_for_buyer(buyer=buyer)
        .filter(checkout_reference=checkout_reference)
        .prefetch_related("lines")
        .order_by("id")
    )


def orders_by_id(*, buyer: "User", order_ids: Iterable[int]) -> list[Order]:
    return list(
        order_list_for_buyer(buyer=buyer)
        .filter(pk__in=list(order_ids))
        .prefetch_related("lines", "status_changes")
        .order_by("id")
    )


def payment_summary(*, orders: Iterable[Order]) -> dict[str, object]:
    """What the payment step needs: the amount due per currency, and the orders it pays."""
    orders = list(orders)
    amounts: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for order in orders:
        if order.status == Order.Status.PENDING:
            amounts[order.currency] += order.total
    return {
        "status": "awaiting_payment" if amounts else "nothing_due",
        "amounts": [
            {"currency": currency, "amount": str(amount)}
            for currency, amount in sorted(amounts.items())
        ],
        "order_ids": [order.pk for order in orders],
    }


def order_held_until(*, orders: Iterable[Order]) -> datetime | None:
    """When the first of these unpaid orders is cancelled and its stock released (the expiry
    job's cut-off, ORDER_PENDING_EXPIRY_MINUTES after it was placed); None when none is unpaid."""
    placed = [order.created for order in orders if order.status == Order.Status.PENDING]
    if not placed:
        return None
    return min(placed) + timedelta(minutes=settings.ORDER_PENDING_EXPIRY_MINUTES)
