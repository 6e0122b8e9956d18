"""Checkout: the quote (what every order would cost) and placing the orders, one per shop."""

import hashlib
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.models import Address, User
from accounts.selectors import address_get_for_user
from catalog.exceptions import NotPurchasableError, OutOfStockError
from catalog.services.stock import stock_reserve, variants_in_lock_order
from marketmate.audit import audit_record
from marketmate.errors import NotFoundError
from marketmate.events import event_emit
from orders.exceptions import (
    CheckoutError,
    IdempotencyKeyReusedError,
    NotVerifiedError,
    OrdersErrorCode,
)
from orders.models import Cart, CheckoutRequest, Order, OrderLine, OrderStatusChange, Promotion
from orders.pricing import OrderPrice, PromotionKind, price_order, shipping_price
from orders.selectors import (
    CartShopGroup,
    CartSummary,
    ShippingChoice,
    automatic_promotions_for,
    cart_summarise,
    orders_by_id,
    price_lines_for,
    promotion_fits_currency,
    promotion_rule,
    shipping_choices_for,
    tax_rate_for,
)
from orders.services.cart import cart_clear_variants
from orders.services.promotions import coupon_get_usable, promotions_claim
from shops.models import Shop

ADDRESS_FIELDS = (
    "full_name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
)
# Not every country has postal codes.
REQUIRED_ADDRESS_FIELDS = ("full_name", "line1", "city", "country")
ADDRESS_MAX_LENGTH = 120
NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


# --- Address --------------------------------------------------------------------------------------
def address_clean(*, data: Mapping[str, object]) -> dict[str, str]:
    """The address-book fields of `data`, trimmed and checked; CheckoutError with field
    messages (under `shipping_address`) when something is missing or wrong."""
    address = {name: str(data.get(name) or "").strip() for name in ADDRESS_FIELDS}
    address["country"] = address["country"].upper()
    errors: dict[str, list[str]] = {}
    for name in REQUIRED_ADDRESS_FIELDS:
        if not address[name]:
            errors[name] = [_("This field is required.")]
    for name, value in address.items():
        if len(value) > ADDRESS_MAX_LENGTH:
            errors[name] = [_("At most %(count)d characters.") % {"count": ADDRESS_MAX_LENGTH}]
    if address["country"] and address["country"] not in dict(countries):
        errors["country"] = [_("Not a known country code.")]
    if errors:
        raise CheckoutError(
            _("Check the shipping address."),
            code=OrdersErrorCode.INVALID_ADDRESS,
            fields={"shipping_address": errors},  # type: ignore[dict-item]
        )
    return address


def address_as_shipping(*, saved: Address) -> dict[str, str]:
    """A saved address-book entry as a shipping address snapshot."""
    return address_clean(data={name: str(getattr(saved, name)) for name in ADDRESS_FIELDS})


def address_from_book(*, buyer: User, address_id: int) -> dict[str, str]:
    """A saved address of `buyer` (the accounts address book) as a shipping address."""
    try:
        saved = address_get_for_user(user=buyer, address_id=address_id)
    except NotFoundError:
        message = _("Not one of your saved addresses.")
        raise CheckoutError(
            message, code=OrdersErrorCode.INVALID_ADDRESS, fields={"address_id": [message]}
        ) from None
    return address_as_shipping(saved=saved)


# --- Quote ----------------------------------------------------------------------------------------
@dataclass
class ShopQuote:
    group: CartShopGroup
    choices: list[ShippingChoice]
    shipping: ShippingChoice
    price: OrderPrice
    coupon_applied: bool = False
    automatic_promotion: Promotion | None = None

    @property
    def shop(self) -> Shop:
        return self.group.shop


@dataclass
class CheckoutQuote:
    shops: list[ShopQuote]
    address: dict[str, str]
    coupon: Promotion | None = None
    price_changes: list[object] = field(default_factory=list)

    @property
    def totals_by_currency(self) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for quote in self.shops:
            totals[quote.price.currency] = (
                totals.get(quote.price.currency, Decimal("0.00")) + quote.price.total
            )
        return totals

    @property
    def applied_promotions(self) -> list[Promotion]:
        promotions = [
            quote.automatic_promotion for quote in self.shops if quote.automatic_promotion
        ]
        if self.coupon is not None and any(quote.coupon_applied for quote in self.shops):
            promotions.append(self.coupon)
        return [promotion for promotion in promotions if promotion is not None]


def _refuse_unready_lines(summary: CartSummary) -> None:
    for line in summary.lines:
        if not line.is_purchasable:
            raise NotPurchasableError(
                _("%(item)s is no longer available; remove it from your cart.")
                % {"item": line.variant},
                fields={"items": [str(line.id)]},
            )
        if not line.has_enough_stock:
            raise OutOfStockError(
                _("Only %(available)d of %(item)s left in stock.")
                % {"available": line.available or 0, "item": line.variant},
                variant_id=line.variant.pk,
                available=line.available or 0,
            )


def _shipping_error(shop_id: int, message: str) -> CheckoutError:
    return CheckoutError(
        message,
        code=OrdersErrorCode.INVALID_SHIPPING,
        fields={"shipping_methods": {str(shop_id): [message]}},  # type: ignore[dict-item]
    )


def _coupon_refusal(coupon: Promotion, quotes: list[ShopQuote], currency_fits: bool) -> str:
    refusals = [quote.price.coupon_refusal for quote in quotes if quote.price.coupon_refusal]
    if currency_fits and refusals and refusals[0] == "minimum_subtotal":
        return _("Spend at least %(amount)s %(currency)s to use this coupon.") % {
            "amount": coupon.minimum_subtotal,
            "currency": coupon.currency or quotes[0].price.currency,
        }
    return _("No item in your cart qualifies for this coupon.")


def checkout_quote(
    *,
    buyer: User,
    summary: CartSummary,
    address: dict[str, str],
    shipping_methods: Mapping[int, int | None] | None = None,
    coupon_code: str = "",
) -> CheckoutQuote:
    """What each shop's order would cost, shipped to `address` with the chosen methods
    (each shop's default when not chosen) and the coupon; refuses what cannot be bought."""
    if summary.is_empty:
        raise CheckoutError(_("Your cart is empty."), code=OrdersErrorCode.CART_EMPTY)
    _refuse_unready_lines(summary)
    shipping_methods = shipping_methods or {}
    unknown_shops = set(shipping_methods) - {group.shop.pk for group in summary.groups}
    if unknown_shops:
        raise _shipping_error(
            min(unknown_shops), _("There is nothing from this shop in your cart.")
        )
    tax_rate = tax_rate_for(country=address["country"], region=address.get("region", ""))
    coupon = coupon_get_usable(code=coupon_code, buyer=buyer) if coupon_code.strip() else None
    shop_ids = {group.shop.pk for group in summary.groups}
    if coupon is not None and coupon.shop_id is not None and coupon.shop_id not in shop_ids:
        message = _("This coupon is for a shop you are not buying from.")
        raise CheckoutError(
            message, code=OrdersErrorCode.INVALID_COUPON, fields={"coupon": [message]}
        )
    coupon_rule = promotion_rule(promotion=coupon) if coupon is not None else None

    quotes: list[ShopQuote] = []
    currency_fits = False
    for group in summary.groups:
        shop = group.shop
        lines = price_lines_for(lines=group.lines)
        goods = group.subtotal
        weight = sum(line.weight_grams * line.quantity for line in lines)
        choices = [
            choice
            for choice in shipping_choices_for(shop=shop, country=address["country"])
            if shipping_price(rate=choice.rate, goods_amount=goods, weight_grams=weight) is not None
        ]
        if not choices:
            raise _shipping_error(
                shop.pk,
                _("%(shop)s does not ship this order to %(country)s.")
                % {"shop": shop.name, "country": dict(countries).get(address["country"], "")},
            )
        wanted = shipping_methods.get(shop.pk)
        if wanted is None:
            chosen = choices[0]
        else:
            matching = [choice for choice in choices if choice.id == wanted]
            if not matching:
                raise _shipping_error(
                    shop.pk, _("Choose one of the shipping methods offered for this address.")
                )
            chosen = matching[0]
        automatic = {
            promotion.pk: promotion
            for promotion in automatic_promotions_for(shop=shop, buyer=buyer)
        }
        coupon_for_shop = None
        if (
            coupon is not None
            and coupon_rule is not None
            and coupon.shop_id in (None, shop.pk)
            and promotion_fits_currency(promotion=coupon, currency=shop.currency)
        ):
            coupon_for_shop = coupon_rule
            currency_fits = True
        price = price_order(
            currency=shop.currency,
            lines=lines,
            prices_include_tax=shop.prices_include_tax,
            tax_rate=tax_rate,
            shipping=chosen.rate,
            automatic_promotions=[promotion_rule(promotion=p) for p in automatic.values()],
            coupon=coupon_for_shop,
        )
        quotes.append(
            ShopQuote(
                group=group,
                choices=choices,
                shipping=chosen,
                price=price,
                coupon_applied=price.coupon_applied,
                automatic_promotion=automatic.get(price.automatic_promotion_id or 0),
            )
        )

    if coupon is not None and coupon.shop_id is None and coupon.kind == PromotionKind.FIXED:
        # A platform-wide amount off is taken once: from the biggest order it fits.
        applied = [quote for quote in quotes if quote.coupon_applied]
        keep = max(applied, key=lambda quote: quote.price.subtotal, default=None)
        for index, quote in enumerate(quotes):
            if quote.coupon_applied and quote is not keep:
                quotes[index] = _without_coupon(quote, buyer=buyer, tax_rate=tax_rate)
    if coupon is not None and not any(quote.coupon_applied for quote in quotes):
        message = _coupon_refusal(coupon, quotes, currency_fits)
        raise CheckoutError(
            message, code=OrdersErrorCode.INVALID_COUPON, fields={"coupon": [message]}
        )
    return CheckoutQuote(
        shops=quotes, address=address, coupon=coupon, price_changes=list(summary.price_changes)
    )


def _without_coupon(quote: ShopQuote, *, buyer: User, tax_rate: Decimal) -> ShopQuote:
    shop = quote.group.shop
    automatic = automatic_promotions_for(shop=shop, buyer=buyer)
    price = price_order(
        currency=shop.currency,
        lines=price_lines_for(lines=quote.group.lines),
        prices_include_tax=shop.prices_include_tax,
        tax_rate=tax_rate,
        shipping=quote.shipping.rate,
        automatic_promotions=[promotion_rule(promotion=p) for p in automatic],
        coupon=None,
    )
    return replace(quote, price=price, coupon_applied=False)


# --- Placing the orders ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckoutResult:
    checkout_reference: uuid.UUID
    orders: list[Order]
    replayed: bool = False


def checkout_fingerprint(
    *,
    address: Mapping[str, str] | None,
    address_id: int | None,
    shipping_methods: Mapping[int, int | None],
    coupon_code: str,
) -> str:
    """A digest of what the shopper asked for, to tell a replay from a different request."""
    body = {
        "address": dict(sorted((address or {}).items())),
        "address_id": address_id,
        "shipping_methods": {str(key): value for key, value in sorted(shipping_methods.items())},
        "coupon": coupon_code.strip().upper(),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _order_number() -> str:
    suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(5))
    return f"MM-{timezone.now():%y%m%d}-{suffix}"


def _order_create(
    *,
    buyer: User,
    quote: ShopQuote,
    address: dict[str, str],
    coupon: Promotion | None,
    checkout_reference: uuid.UUID,
) -> Order:
    price = quote.price
    fields = {
        "checkout_reference": checkout_reference,
        "buyer": buyer,
        "shop": quote.group.shop,
        "status": Order.Status.PENDING,
        "currency": price.currency,
        "subtotal": price.subtotal,
        "discount": price.discount,
        "platform_discount": price.platform_discount,
        "shipping": price.shipping,
        "tax": price.tax,
        "total": price.total,
        "prices_include_tax": price.prices_include_tax,
        "tax_rate": price.tax_rate,
        "shipping_address": address,
        "shipping_method": quote.shipping.method,
        "shipping_method_name": quote.shipping.name,
        "coupon": coupon if quote.coupon_applied else None,
        "coupon_code": coupon.code if coupon is not None and quote.coupon_applied else "",
    }
    for attempt in range(5):
        try:
            with transaction.atomic():
                order = Order.objects.create(number=_order_number(), **fields)
            break
        except IntegrityError:
            if attempt == 4:
                raise
    lines_by_variant = {line.variant.pk: line for line in quote.group.lines}
    OrderLine.objects.bulk_create(
        [
            OrderLine(
                order=order,
                variant=lines_by_variant[priced.key].variant,
                product_title=lines_by_variant[priced.key].title,
                sku=lines_by_variant[priced.key].variant.sku,
                options=lines_by_variant[priced.key].variant.options,
                unit_price=priced.unit_price,
                quantity=priced.quantity,
                subtotal=priced.subtotal,
                discount=priced.discount,
                tax=priced.tax,
                total=priced.total,
            )
            for priced in price.lines
        ]
    )
    OrderStatusChange.objects.create(
        order=order, from_status="", to_status=Order.Status.PENDING, actor=buyer
    )
    audit_record(
        actor=buyer,
        action="order.place",
        entity=order,
        changes={"status": (None, Order.Status.PENDING), "total": (None, order.total)},
    )
    event_emit("order.placed", order_id=order.pk)
    return order


def checkout_place(
    *,
    buyer: User,
    cart: Cart,
    address: dict[str, str] | None = None,
    address_id: int | None = None,
    shipping_methods: Mapping[int, int | None] | None = None,
    coupon_code: str = "",
    idempotency_key: str = "",
) -> CheckoutResult:
    """Place one order per shop of the cart, in one transaction.

    Stock is reserved with conditional updates in ascending variant id order (after any
    promotion rows, locked in id order), so concurrent checkouts never oversell nor deadlock.
    With an `idempotency_key`, the same key and request give back the orders of the first
    call and create nothing; the same key with a different request is refused (422).
    """
    if not buyer.verified:
        raise NotVerifiedError(_("Confirm your e-mail address before you place an order."))
    shipping_methods = dict(shipping_methods or {})
    fingerprint = checkout_fingerprint(
        address=address,
        address_id=address_id,
        shipping_methods=shipping_methods,
        coupon_code=coupon_code,
    )
    with transaction.atomic():
        reference = uuid.uuid4()
        record: CheckoutRequest | None = None
        if idempotency_key:
            try:
                with transaction.atomic():
                    record = CheckoutRequest.objects.create(
                        user=buyer,
                        key=idempotency_key,
                        request_fingerprint=fingerprint,
                        checkout_reference=reference,
                    )
            except IntegrityError:
                # Same key seen before (or in flight: the insert waited for it to commit).
                earlier = CheckoutRequest.objects.get(user=buyer, key=idempotency_key)
                if earlier.request_fingerprint != fingerprint:
                    raise IdempotencyKeyReusedError(
                        _("This Idempotency-Key was already used for a different checkout."),
                        fields={"idempotency_key": [_("Use a new key for a new checkout.")]},
                    ) from None
                return CheckoutResult(
                    checkout_reference=earlier.checkout_reference,
                    orders=orders_by_id(buyer=buyer, order_ids=earlier.response["order_ids"]),
                    replayed=True,
                )

        # One checkout at a time per cart: a double-click cannot buy the same items twice.
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        address = (
            address_clean(data=address)
            if address is not None
            else address_from_book(buyer=buyer, address_id=address_id or 0)
        )
        summary = cart_summarise(cart=cart)
        quote = checkout_quote(
            buyer=buyer,
            summary=summary,
            address=address,
            shipping_methods=shipping_methods,
            coupon_code=coupon_code,
        )
        promotions_claim(
            promotions=quote.applied_promotions, buyer=buyer, checkout_reference=reference
        )
        orders = [
            _order_create(
                buyer=buyer,
                quote=shop_quote,
                address=address,
                coupon=quote.coupon,
                checkout_reference=reference,
            )
            for shop_quote in quote.shops
        ]
        number_of = {
            line.variant.pk: order.number
            for order, shop_quote in zip(orders, quote.shops, strict=True)
            for line in shop_quote.group.lines
        }
        quantity_of = {line.variant.pk: line.quantity for line in summary.lines}
        variants = variants_in_lock_order(line.variant for line in summary.lines)
        for variant in variants:
            stock_reserve(
                variant=variant,
                quantity=quantity_of[variant.pk],
                reference=number_of[variant.pk],
                actor=buyer,
            )
        cart_clear_variants(cart=cart, variant_ids=[variant.pk for variant in variants])
        if record is not None:
            record.response = {"order_ids": [order.pk for order in orders]}
            record.save(update_fields=["response"])
    return CheckoutResult(checkout_reference=reference, orders=orders)
