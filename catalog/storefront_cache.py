"""The storefront's read cache: product lists, category and shop pages, facet counts.

Entries are never deleted: each entry carries the *catalog versions* it was computed at, and
the services that change products, variants, stock, images, shops, categories or tags bump
those versions after their transaction commits, so the next request computes a fresh entry
(while others asking meanwhile get the stale one: stale-while-revalidate). The versions:

- `global`: every catalog change (search results, facets, the product list API, the home page);
- `shop:<id>`: a change to the shop or to one of its products (the shop page);
- `category:<path>`: a change to a product in the category or below it (the category page;
  versions are keyed by treebeard path so that a category's ancestors are its path prefixes);
- `shops`: a shop renamed, suspended or reinstated (category pages show shop names);
- `tree`: a category renamed or moved (breadcrumbs and sub-category links).

What is cached here is data (model instances and counts), never HTML: prices in the shopper's
display currency, translations and everything about the signed-in user are rendered per request.
The one piece of HTML kept is a list's product cards (`{% product_cards %}` in
catalog/templatetags/catalog.py), keyed by what the cards show, the language, the display
currency and the reviews flag, because rendering them cost more than the rest of a page.
A missing version (first use, or evicted) is created from the clock, so it never matches a key
written before it was lost.
"""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from catalog.models import Category, Product

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long an entry may live even if nothing bumps its versions (stock taken by checkouts,
# ratings and exchange rates are not versioned: they are at most this late on list pages).
CACHE_SECONDS = 300
# How long others wait for a request computing a missing entry (then they compute it too), and
# how often they look.
COMPUTE_SECONDS = 10
WAIT_STEP_SECONDS = 0.05
_VERSION_PREFIX = "catalog:version:"


def _version_key(scope: str) -> str:
    return _VERSION_PREFIX + scope


def catalog_versions(scopes: Iterable[str]) -> list[int]:
    """The current version of each scope (one cache round trip when they all exist)."""
    return _versions_and_entry(scopes, None)[0]


def _versions_and_entry(scopes: Iterable[str], key: str | None) -> tuple[list[int], Any]:
    """The current version of each scope and the entry `key` holds (None when missing), read
    in one cache round trip when the versions all exist."""
    version_keys = [_version_key(scope) for scope in scopes]
    found = cache.get_many(version_keys if key is None else [*version_keys, key])
    versions = []
    for version_key in version_keys:
        version = found.get(version_key)
        if version is None:
            cache.add(version_key, time.time_ns(), timeout=None)
            version = cache.get(version_key) or 0
        versions.append(int(version))
    return versions, None if key is None else found.get(key)


def _bump(scopes: Iterable[str]) -> None:
    for scope in sorted(set(scopes)):
        key = _version_key(scope)
        try:
            cache.incr(key)
        except ValueError:  # not there (yet, or evicted): any new value invalidates
            cache.add(key, time.time_ns(), timeout=None)
    logger.debug("storefront cache: bumped %s", ",".join(sorted(set(scopes))))


def category_scopes(paths: Iterable[str]) -> set[str]:
    """The version scopes of categories with these paths and of all their ancestors."""
    steplen = Category.steplen
    scopes = set()
    for path in paths:
        for end in range(steplen, len(path) + 1, steplen):
            scopes.add(f"category:{path[:end]}")
    return scopes


def catalog_changed(
    *,
    product_ids: Iterable[int] = (),
    shop_ids: Iterable[int] = (),
    category_paths: Iterable[str] = (),
    shops: bool = False,
    tree: bool = False,
) -> None:
    """Invalidate what shows these products, shops and categories, once the current
    transaction commits (immediately outside one). The products' shops and categories are
    looked up now, so call it before *and* after moving a product to other categories."""
    product_ids = list(product_ids)
    shop_ids = list(shop_ids)
    scopes = {"global"} | {f"shop:{shop_id}" for shop_id in shop_ids}
    paths = set(category_paths)
    if product_ids:
        rows = Product.objects.filter(pk__in=product_ids).values_list("shop_id", "categories__path")
        for shop_id, path in rows:
            scopes.add(f"shop:{shop_id}")
            if path:
                paths.add(path)
    scopes |= category_scopes(paths)
    if shops:
        scopes.add("shops")
    if tree:
        scopes.add("tree")
    transaction.on_commit(lambda: _bump(scopes))
    # Category pages read maintained listings and counts: the products' listing rows follow
    # at once, and the categories concerned are recounted soon after.
    from catalog.services.category_counts import category_counts_schedule, category_listing_sync

    transaction.on_commit(lambda: category_listing_sync(product_ids=product_ids, shop_ids=shop_ids))
    transaction.on_commit(
        lambda: category_counts_schedule(category_paths=sorted(paths), every=shops or tree)
    )


def entry_key(name: str, parts: Iterable[object]) -> str:
    """The cache key of an entry: its name, the language and its parts."""
    raw = "|".join(str(part) for part in (get_language() or "", *parts))
    return f"storefront:{name}:{hashlib.sha256(raw.encode()).hexdigest()[:32]}"


def computing_key(key: str, versions: list[int]) -> str:
    """The lock a request holds while it computes entry `key` at `versions`."""
    return f"{key}:computing:{'.'.join(str(version) for version in versions)}"


def cached(
    name: str,
    *,
    scopes: Iterable[str],
    parts: Iterable[object],
    compute: Callable[[], T],
) -> T:
    """`compute()`'s value, from the cache when the versions of `scopes` have not moved.

    An entry whose versions moved is stale: the first request to find it computes a fresh one,
    and the requests that come meanwhile get the stale one rather than waiting or computing it
    too (stale-while-revalidate), so a catalog change costs one computation per entry, not a
    burst of them."""
    key = entry_key(name, parts)
    versions, entry = _versions_and_entry(scopes, key)
    if entry is not None and entry[0] == versions:
        logger.debug("storefront cache hit %s", key)
        return entry[1]
    stale = entry
    # One request computes a missing or stale entry; the others asking for it meanwhile get the
    # stale one, or wait for it when there is none (a burst of shoppers on a changed home page
    # would otherwise all run its queries at once).
    lock = computing_key(key, versions)
    claimed = cache.add(lock, 1, timeout=COMPUTE_SECONDS)
    if claimed or claimed is None:  # None: the cache is unreachable (its errors are ignored)
        logger.debug("storefront cache miss %s", key)
        try:
            value = compute()
            cache.set(key, (versions, value), CACHE_SECONDS)
        finally:
            cache.delete(lock)
        return value
    if stale is not None:
        logger.debug("storefront cache stale %s", key)
        return stale[1]
    deadline = time.monotonic() + COMPUTE_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP_SECONDS)
        entry = cache.get(key)
        if entry is not None and entry[0] == versions:
            return entry[1]
        if cache.get(lock) is None:  # the computing request failed or the cache lost the lock
            break
    logger.debug("storefront cache miss %s (computed again)", key)
    value = compute()
    cache.set(key, (versions, value), CACHE_SECONDS)
    return value
