"""What the catalog does when a lower app reports a change (registered by CatalogConfig.ready)."""

from collections.abc import Sequence

from catalog.search import search_vector_update_for_shop
from catalog.storefront_cache import catalog_changed


def shop_catalog_refresh(*, shop_id: int, fields: Sequence[str]) -> None:
    """A shop changed (its settings or its status): re-stem its products when its language
    changed, and forget the cached storefront pages that show it."""
    if "language" in fields:
        # The shop's language picks its products' text search configuration.
        search_vector_update_for_shop(shop_id=shop_id)
    catalog_changed(shop_ids=[shop_id], shops=True)
