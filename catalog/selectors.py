"""Reads of the catalog for other apps and for the pages and API."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from catalog.exceptions import NotPurchasableError
from catalog.models import Product, ProductVariant
from shops.models import Shop


def variant_queryset_purchasable() -> QuerySet[ProductVariant]:
    """Variants a shopper may buy: of active products in active shops."""
    return ProductVariant.objects.select_related("product", "shop").filter(
        product__status=Product.Status.ACTIVE, shop__status=Shop.Status.ACTIVE
    )


def variant_get_purchasable(*, variant_id: int) -> ProductVariant:
    """The variant if a shopper may buy it now; NotPurchasableError otherwise."""
    variant = variant_queryset_purchasable().filter(pk=variant_id).first()
    if variant is None:
        raise NotPurchasableError(
            _("This item is not available."), fields={"variant_id": [_("Not available.")]}
        )
    return variant


def variants_by_id(*, variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Variants with their product and shop, by id, whatever their status (for carts)."""
    variants = ProductVariant.objects.select_related("product", "shop").filter(
        pk__in=set(variant_ids)
    )
    return {variant.pk: variant for variant in variants}
