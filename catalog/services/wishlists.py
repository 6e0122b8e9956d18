"""Wishlists: shoppers save products; price drops and restocks are announced once each.

The announcements claim their wishlist items with a conditional UPDATE on rows locked in id
order: an event delivered twice, or two events racing, tell each user about one drop (or one
restock) once.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from catalog.exceptions import ProductNotFoundError
from catalog.models import Product, WishlistItem
from catalog.selectors import product_in_stock, product_lowest_price, product_queryset_public


def wishlist_add(*, user: User, product_id: int) -> tuple[WishlistItem, bool]:
    """Save a public product to the user's wishlist with its lowest price now.

    Saving it again changes nothing. Returns the item and whether it was created.
    """
    product = product_queryset_public().filter(pk=product_id).prefetch_related("variants").first()
    if product is None:
        raise ProductNotFoundError(_("Product not found."))
    existing = WishlistItem.objects.filter(user=user, product=product).first()
    if existing is not None:
        return existing, False
    variants = list(product.variants.all())
    try:
        with transaction.atomic():
            item = WishlistItem.objects.create(
                user=user,
                product=product,
                price_when_saved=product_lowest_price(product=product, variants=variants),
                had_stock_when_saved=product_in_stock(product=product, variants=variants),
            )
    except IntegrityError:
        # The same user saved it at the same moment in another request.
        return WishlistItem.objects.get(user=user, product=product), False
    return item, True


def wishlist_remove(*, user: User, product_id: int) -> None:
    """Take a product off the user's wishlist; ProductNotFoundError if it was not on it."""
    deleted, _rows = WishlistItem.objects.filter(user=user, product_id=product_id).delete()
    if not deleted:
        raise ProductNotFoundError(_("This product is not on your wishlist."))


def _public_product(product_id: int) -> Product | None:
    return product_queryset_public().filter(pk=product_id).prefetch_related("variants").first()


def wishlist_claim_price_drop(*, product_id: int) -> tuple[Product | None, list[WishlistItem]]:
    """The items to tell about the product's current lowest price, marked as told.

    An item is told when the price is below what it was saved at and below the last price
    it was told about. Call inside a transaction, with the notifications sent in it.
    """
    product = _public_product(product_id)
    if product is None:
        return None, []
    price: Decimal = product_lowest_price(product=product, variants=product.variants.all())
    items = list(
        WishlistItem.objects.select_for_update(of=("self",))
        .filter(product_id=product_id, price_when_saved__gt=price)
        .filter(Q(price_alerted_at__isnull=True) | Q(price_alerted_at__gt=price))
        .select_related("user")
        .order_by("pk")
    )
    WishlistItem.objects.filter(pk__in=[item.pk for item in items]).update(price_alerted_at=price)
    for item in items:
        item.price_alerted_at = price
    return product, items


def wishlist_claim_restock(
    *, product_id: int, movement_id: int
) -> tuple[Product | None, list[WishlistItem]]:
    """The items to tell that the product is back in stock (after stock movement
    `movement_id`), marked as told. Call inside a transaction, with the notifications."""
    product = _public_product(product_id)
    if product is None or not product_in_stock(product=product, variants=product.variants.all()):
        return None, []
    items = list(
        WishlistItem.objects.select_for_update(of=("self",))
        .filter(product_id=product_id)
        .filter(
            Q(restock_alerted_movement__isnull=True) | Q(restock_alerted_movement__lt=movement_id)
        )
        .select_related("user")
        .order_by("pk")
    )
    WishlistItem.objects.filter(pk__in=[item.pk for item in items]).update(
        restock_alerted_movement=movement_id
    )
    for item in items:
        item.restock_alerted_movement = movement_id
    return product, items
