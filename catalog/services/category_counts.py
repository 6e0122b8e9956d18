"""The maintained number of public products of each category (with its sub-categories), which
category pages show and paginate by instead of counting a department's products per request.

Any catalog change that may move a count (a product published, archived, moved to other
categories, a shop suspended) goes through `storefront_cache.catalog_changed`, which schedules
`category_counts_refresh_task` for the categories concerned after its transaction commits. The
task waits a few seconds and recounts each category once, however many changes came meanwhile,
so a count is late by those seconds at most.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection, transaction

from catalog.models import Category, CategoryListing, CategoryProductCount

# How long a scheduled recount waits for more changes to the same categories.
COUNT_DELAY_SECONDS = 5
_PENDING_PREFIX = "catalog:category-count-pending:"

# One statement counts the public products of each category whose id is given, with those of
# its sub-categories (treebeard paths: a descendant's path starts with its ancestor's), and
# stores the counts.
_COUNT_SQL = """
INSERT INTO catalog_categoryproductcount (category_id, products, counted)
SELECT c.id,
       (SELECT count(*) FROM catalog_product p JOIN shops_shop s ON s.id = p.shop_id
         WHERE p.status = 'active' AND s.status = 'active'
           AND p.id IN (SELECT pc.product_id FROM catalog_product_categories pc
                          JOIN catalog_category d ON d.id = pc.category_id
                         WHERE d.path LIKE c.path || '%%')),
       CURRENT_TIMESTAMP
  FROM catalog_category c
 WHERE c.id IN (__IDS__)
ON CONFLICT (category_id) DO UPDATE SET products = EXCLUDED.products, counted = EXCLUDED.counted
"""


# Every category at once (the migration that made the table; `category_counts_refresh()`).
CATEGORY_COUNTS_ALL_SQL = _COUNT_SQL.replace("c.id IN (__IDS__)", "TRUE").replace("%%", "%")


def category_counts_refresh(*, category_ids: Iterable[int] | None = None) -> int:
    """Recount these categories (every category when None); how many were counted."""
    ids = (
        sorted(set(category_ids))
        if category_ids is not None
        else list(Category.objects.order_by("pk").values_list("pk", flat=True))
    )
    if not ids:
        return 0
    for id_ in ids:
        cache.delete(_PENDING_PREFIX + str(id_))
    placeholders = ", ".join(["%s"] * len(ids))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL.replace("__IDS__", placeholders), ids)
    return len(ids)


def category_counts_schedule(*, category_paths: Iterable[str] = (), every: bool = False) -> None:
    """Recount (soon, in the worker) the categories with these paths and their ancestors, or
    every category; categories whose recount is already waiting are not scheduled twice."""
    from catalog.tasks import category_counts_refresh_task

    if every:
        category_counts_refresh_task.apply_async(
            kwargs={"category_ids": None}, countdown=COUNT_DELAY_SECONDS
        )
        return
    steplen = Category.steplen
    prefixes = {
        path[:end] for path in category_paths for end in range(steplen, len(path) + 1, steplen)
    }
    if not prefixes:
        return
    ids = list(Category.objects.filter(path__in=prefixes).values_list("pk", flat=True))
    waiting = [
        id_
        for id_ in ids
        if cache.add(_PENDING_PREFIX + str(id_), 1, timeout=COUNT_DELAY_SECONDS * 12) is not False
    ]
    if waiting:
        category_counts_refresh_task.apply_async(
            kwargs={"category_ids": sorted(waiting)}, countdown=COUNT_DELAY_SECONDS
        )


def category_product_count(*, category: Category) -> int:
    """The maintained number of public products of `category` and below (counted now, once,
    when it has never been)."""
    row = CategoryProductCount.objects.filter(category=category).values_list("products", flat=True)
    found = row.first()
    if found is None:
        category_counts_refresh(category_ids=[category.pk])
        found = row.first()
    return int(found or 0)


# The listing rows of the public products that `__WHERE__` (over `p`, the product, and `s`, its
# shop) selects: one per category a product is in and per ancestor of it (treebeard paths: an
# ancestor's path is a prefix of `Category.steplen` characters times its depth).
_LISTING_SQL = """
INSERT INTO catalog_categorylisting (category_id, product_id, created)
SELECT DISTINCT a.id, p.id, p.created
  FROM catalog_product p
  JOIN shops_shop s ON s.id = p.shop_id
  JOIN catalog_product_categories pc ON pc.product_id = p.id
  JOIN catalog_category c ON c.id = pc.category_id
 CROSS JOIN LATERAL generate_series(1, c.depth) AS level
  JOIN catalog_category a ON a.path = substr(c.path, 1, level * __STEPLEN__)
 WHERE p.status = 'active' AND s.status = 'active' AND (__WHERE__)
ON CONFLICT (category_id, product_id) DO NOTHING
"""
CATEGORY_LISTING_ALL_SQL = _LISTING_SQL.replace("__WHERE__", "TRUE").replace(
    "__STEPLEN__", str(Category.steplen)
)


def category_listing_sync(
    *, product_ids: Iterable[int] = (), shop_ids: Iterable[int] = (), every: bool = False
) -> None:
    """Bring the listing rows of these products (and of every product of these shops; of every
    product when `every`) in line with their status, shop and categories."""
    if connection.vendor != "postgresql":
        return
    products = sorted(set(product_ids))
    shops = sorted(set(shop_ids))
    if not (products or shops or every):
        return
    if every:
        where, params = "TRUE", []
        stale = CategoryListing.objects.all()
    else:
        where = "p.id = ANY(%s) OR p.shop_id = ANY(%s)"
        params = [products, shops]
        stale = CategoryListing.objects.filter(product_id__in=products) | (
            CategoryListing.objects.filter(product__shop_id__in=shops)
        )
    sql = _LISTING_SQL.replace("__WHERE__", where).replace("__STEPLEN__", str(Category.steplen))
    with transaction.atomic():
        stale.delete()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def category_listing_product_ids(*, category: Category, offset: int, limit: int) -> list[int]:
    """The ids of the newest public products of `category` (and below), from `offset`."""
    return list(
        CategoryListing.objects.filter(category=category)
        .order_by("-created", "-product_id")
        .values_list("product_id", flat=True)[offset : offset + limit]
    )
