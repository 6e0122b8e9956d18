"""What the catalog does when a lower app reports a change (registered by CatalogConfig.ready)."""

from collections.abc import Sequence
from typing import Any

from catalog.models import Product
from catalog.search import facet_keys_update, search_vector_update_for_shop
from catalog.storefront_cache import catalog_changed


def shop_catalog_refresh(*, shop_id: int, fields: Sequence[str]) -> None:
    """A shop changed (its settings or its status): re-stem its products when its language
    changed, and forget the cached storefront pages that show it."""
    if "language" in fields:
        # The shop's language picks its products' text search configuration.
        search_vector_update_for_shop(shop_id=shop_id)
    catalog_changed(shop_ids=[shop_id], shops=True)


def product_links_changed(
    *,
    sender: Any,
    instance: Any,
    action: str,
    reverse: bool,
    pk_set: set[int] | None,
    **kwargs: Any,
) -> None:
    """A product's categories or tags changed, from either side (`m2m_changed`, registered for
    both link tables): recompute the facet keys of the products concerned, in the same
    transaction, whichever code changed the links (services, the admin, a script)."""
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            facet_keys_update(product_ids=[instance.pk])
        return
    # A category or tag gaining or losing products.
    if action == "pre_clear":
        column = "category_id" if sender is Product.categories.through else "tag_id"
        instance._facet_products_cleared = list(  # kept until post_clear
            sender.objects.filter(**{column: instance.pk}).values_list("product_id", flat=True)
        )
    elif action == "post_clear":
        facet_keys_update(product_ids=getattr(instance, "_facet_products_cleared", []))
    elif action in {"post_add", "post_remove"} and pk_set:
        facet_keys_update(product_ids=pk_set)
