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

from catalog.models import Category, CategoryProductCount

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
