"""Writes to carts: add, change, remove, merge on sign-in."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.base import SessionBase
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import NotPurchasableError, OutOfStockError
from catalog.models import ProductVariant
from catalog.selectors import variant_get_purchasable
from marketmate.errors import NotFoundError
from orders.exceptions import CartError
from orders.models import Cart, CartItem
from orders.selectors import CART_SESSION_KEY, cart_get


@dataclass(frozen=True)
class CartChange:
    """The item after a change (None when removed) and what to tell the shopper, if anything."""

    item: CartItem | None
    message: str = ""


# Above this a request is a mistake, not an order to clamp to the stock.
MAX_REQUESTED_QUANTITY = 100_000


def _max_quantity() -> int:
    return int(settings.ORDERS_CART_MAX_QUANTITY)


def cart_get_or_create(*, user: User | AnonymousUser, session: SessionBase) -> Cart:
    """The cart of a signed-in user, or of this anonymous session, created when missing."""
    cart = cart_get(user=user, session=session)
    if cart is not None:
        return cart
    if isinstance(user, User):
        try:
            with transaction.atomic():
                return Cart.objects.create(user=user)
        except IntegrityError:
            # Another request of the same user created it first.
            return Cart.objects.get(user=user)
    cart = Cart.objects.create()
    session[CART_SESSION_KEY] = cart.pk
    return cart


def _allowed_quantity(*, variant: ProductVariant, wanted: int) -> tuple[int, str]:
    """`wanted` clamped to the stock and the per-line cap, with the message that explains it."""
    limit = _max_quantity()
    if variant.product.track_inventory:
        if variant.inventory_count <= 0:
            raise OutOfStockError(
                _("%(item)s is out of stock.") % {"item": variant},
                variant_id=variant.pk,
                available=0,
            )
        limit = min(limit, variant.inventory_count)
    if wanted > limit:
        return limit, _("Only %(count)d of %(item)s available; your cart holds %(count)d.") % {
            "count": limit,
            "item": variant,
        }
    return wanted, ""


def _check_quantity(quantity: int, *, allow_zero: bool) -> None:
    lowest = 0 if allow_zero else 1
    if quantity < lowest or quantity > MAX_REQUESTED_QUANTITY:
        message = _("Choose a quantity between %(low)d and %(high)d.") % {
            "low": lowest,
            "high": _max_quantity(),
        }
        raise CartError(message, fields={"quantity": [message]})


@transaction.atomic
def cart_item_add(*, cart: Cart, variant_id: int, quantity: int = 1) -> CartChange:
    """Put `quantity` of a variant in the cart (on top of what is there).

    Refused when the item cannot be bought or is out of stock; clamped, with a message, when
    the shopper asks for more than there is.
    """
    _check_quantity(quantity, allow_zero=False)
    Cart.objects.select_for_update().filter(pk=cart.pk).first()
    variant = variant_get_purchasable(variant_id=variant_id)
    item = CartItem.objects.filter(cart=cart, variant=variant).first()
    current = item.quantity if item is not None else 0
    allowed, message = _allowed_quantity(variant=variant, wanted=current + quantity)
    if item is not None and allowed <= current:
        raise OutOfStockError(
            _("Your cart already holds all %(count)d of %(item)s that are available.")
            % {"count": current, "item": variant},
            variant_id=variant.pk,
            available=allowed,
        )
    price = variant.unit_price
    if item is None:
        item = CartItem.objects.create(
            cart=cart, variant=variant, quantity=allowed, price_when_added=price
        )
    else:
        item.quantity = allowed
        item.price_when_added = price
        item.save(update_fields=["quantity", "price_when_added", "updated"])
    cart.save(update_fields=["updated"])
    return CartChange(item=item, message=message)


def _item_in_cart(*, cart: Cart, item_id: int | None, variant_id: int | None) -> CartItem:
    items = CartItem.objects.select_for_update().filter(cart=cart)
    item = (
        items.filter(pk=item_id).first()
        if item_id is not None
        else items.filter(variant_id=variant_id).first()
    )
    if item is None:
        raise NotFoundError(_("This item is not in your cart."))
    return item


@transaction.atomic
def cart_item_update(
    *, cart: Cart, quantity: int, item_id: int | None = None, variant_id: int | None = None
) -> CartChange:
    """Set an item's quantity (0 removes it), clamped to the stock with a message."""
    _check_quantity(quantity, allow_zero=True)
    item = _item_in_cart(cart=cart, item_id=item_id, variant_id=variant_id)
    if quantity == 0:
        item.delete()
        return CartChange(item=None, message=_("The item was removed from your cart."))
    try:
        variant = variant_get_purchasable(variant_id=item.variant_id)
    except NotPurchasableError:
        raise NotPurchasableError(
            _("This item is no longer available; remove it from your cart."),
            fields={"quantity": [_("Not available.")]},
        ) from None
    allowed, message = _allowed_quantity(variant=variant, wanted=quantity)
    item.quantity = allowed
    item.save(update_fields=["quantity", "updated"])
    return CartChange(item=item, message=message)


@transaction.atomic
def cart_item_remove(*, cart: Cart, item_id: int) -> None:
    """Take an item out of the cart; NotFoundError when it is not in this cart."""
    _item_in_cart(cart=cart, item_id=item_id, variant_id=None).delete()


@transaction.atomic
def cart_prices_acknowledge(*, cart: Cart) -> int:
    """The shopper has seen the current prices: stop flagging them as changed."""
    changed = 0
    for item in (
        CartItem.objects.select_for_update().filter(cart=cart).select_related("variant__product")
    ):
        if item.price_when_added != item.variant.unit_price:
            item.price_when_added = item.variant.unit_price
            item.save(update_fields=["price_when_added", "updated"])
            changed += 1
    return changed


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> Cart:
    """Move every item of `source` (an anonymous cart) into `target` and delete `source`.

    Quantities of the same variant add up, clamped to the stock and the per-line cap; the
    earlier price stays the reference, so a change since then is still shown.
    """
    if source.pk == target.pk:
        return target
    Cart.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk").first()
    existing = {item.variant_id: item for item in CartItem.objects.filter(cart=target)}
    for item in CartItem.objects.filter(cart=source).select_related("variant__product"):
        mine = existing.get(item.variant_id)
        wanted = item.quantity + (mine.quantity if mine is not None else 0)
        try:
            allowed, _message = _allowed_quantity(variant=item.variant, wanted=wanted)
        except OutOfStockError:
            allowed = wanted  # kept, and shown as out of stock in the cart
        if mine is None:
            CartItem.objects.create(
                cart=target,
                variant=item.variant,
                quantity=allowed,
                price_when_added=item.price_when_added,
            )
        else:
            mine.quantity = allowed
            mine.price_when_added = min(mine.price_when_added, item.price_when_added)
            mine.save(update_fields=["quantity", "price_when_added", "updated"])
    source.delete()
    return target


def cart_merge_session_into_user(*, session: SessionBase, user: User) -> None:
    """On sign-in: the anonymous session's cart joins the user's cart."""
    anonymous = cart_get(user=AnonymousUser(), session=session)
    session.pop(CART_SESSION_KEY, None)
    if anonymous is None:
        return
    if not anonymous.items.exists():
        anonymous.delete()
        return
    target = cart_get_or_create(user=user, session=session)
    cart_merge(source=anonymous, target=target)


@transaction.atomic
def cart_clear_variants(*, cart: Cart, variant_ids: list[int]) -> None:
    """Remove the items that an order now holds."""
    CartItem.objects.filter(cart=cart, variant_id__in=variant_ids).delete()
