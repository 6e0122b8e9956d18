"""Writes of the analytics app: product views are counted cheaply as they happen, and whole
UTC days are rolled up into `ShopDailyStats` and `ProductDailyStats` by a beat job and the
`analytics_backfill` command.

A roll-up recomputes its days from scratch (orders paid that day, refunds confirmed that day,
the day's view counters) and upserts them, so running it twice changes nothing. View counters
live in the cache for `ANALYTICS_VIEW_COUNTER_DAYS`: once a day's counter has expired, a
recomputation keeps the views already stored for that day.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from redis.exceptions import RedisError

from analytics.models import ProductDailyStats, ShopDailyStats
from catalog.selectors import product_shops_and_currencies
from orders.models import Order, OrderLine
from payments.selectors import refund_totals_by_period

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")
VIEW_COUNTER_DAYS = 8


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants [start, end) of a calendar day."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


# --- Product views --------------------------------------------------------------------------------
def _views_key(day: date) -> str:
    return f"analytics:views:{day.isoformat()}"


def _redis() -> Any:
    if not settings.REDIS_URL:
        return None
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def product_view_record(*, product_id: int, when: datetime | None = None) -> None:
    """Count one view of a product page on the day `when` (now): one Redis HINCRBY on the day's
    hash (a counter per product in the local cache of the embedded default).

    Never fails the page: when the cache is away the view is lost and logged.
    """
    day = (when or timezone.now()).astimezone(UTC).date()
    ttl = VIEW_COUNTER_DAYS * 24 * 60 * 60
    try:
        redis = _redis()
        if redis is not None:
            key = cache.make_key(_views_key(day))
            pipe = redis.pipeline()
            pipe.hincrby(key, str(product_id), 1)
            pipe.expire(key, ttl)
            pipe.execute()
            return
        # The embedded default (one process): a counter per product and the day's index of them.
        counter = f"{_views_key(day)}:{product_id}"
        if cache.add(counter, 1, timeout=ttl):
            index = cache.get(_views_key(day)) or set()
            cache.set(_views_key(day), {*index, product_id}, timeout=ttl)
        else:
            try:
                cache.incr(counter)
            except ValueError:
                cache.set(counter, 1, timeout=ttl)
    except RedisError:
        logger.warning("Product view of %s not counted: the cache is unavailable", product_id)


def product_views_for_day(*, day: date) -> dict[int, int] | None:
    """The views counted on `day` per product; None when the day has no counter (nothing was
    viewed, or its counter has expired)."""
    redis = _redis()
    if redis is not None:
        counts = redis.hgetall(cache.make_key(_views_key(day)))
        if not counts:
            return None
        return {int(product_id): int(count) for product_id, count in counts.items()}
    index = cache.get(_views_key(day))
    if not index:
        return None
    counters = cache.get_many([f"{_views_key(day)}:{product_id}" for product_id in index])
    return {
        product_id: int(counters.get(f"{_views_key(day)}:{product_id}", 0)) for product_id in index
    }


# --- Daily roll-ups -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RollupResult:
    days: int
    shop_rows: int
    product_rows: int


def _shop_figures(day: date) -> dict[tuple[int, str], dict[str, Any]]:
    start, end = day_bounds(day)
    figures: dict[tuple[int, str], dict[str, Any]] = defaultdict(
        lambda: {"revenue": ZERO, "orders": 0, "units": 0, "refunds": ZERO, "views": 0}
    )
    paid = Q(paid_at__gte=start, paid_at__lt=end)
    for row in (
        Order.objects.filter(paid)
        .values("shop_id", "currency")
        .annotate(revenue=Sum("total"), orders=Count("id"))
        .order_by()
    ):
        key = (row["shop_id"], row["currency"])
        figures[key]["revenue"] = row["revenue"]
        figures[key]["orders"] = row["orders"]
    for line in (
        OrderLine.objects.filter(order__paid_at__gte=start, order__paid_at__lt=end)
        .values("order__shop_id", "order__currency")
        .annotate(units=Sum("quantity"))
        .order_by()
    ):
        figures[(line["order__shop_id"], line["order__currency"])]["units"] = line["units"]
    for refund in refund_totals_by_period(start=start, end=end, period="day"):
        figures[(refund.shop_id, refund.currency)]["refunds"] = refund.amount
    return figures


def _product_figures(day: date) -> dict[tuple[int, str], dict[str, Any]]:
    start, end = day_bounds(day)
    figures: dict[tuple[int, str], dict[str, Any]] = defaultdict(
        lambda: {"shop_id": 0, "revenue": ZERO, "orders": 0, "units": 0, "views": 0}
    )
    for row in (
        OrderLine.objects.filter(
            order__paid_at__gte=start, order__paid_at__lt=end, variant__isnull=False
        )
        .values("variant__product_id", "order__shop_id", "order__currency")
        .annotate(
            revenue=Sum("total"), units=Sum("quantity"), orders=Count("order_id", distinct=True)
        )
        .order_by()
    ):
        figure = figures[(row["variant__product_id"], row["order__currency"])]
        figure.update(
            shop_id=row["order__shop_id"],
            revenue=row["revenue"],
            units=row["units"],
            orders=row["orders"],
        )
    return figures


def _stored_views(day: date) -> dict[tuple[int, str, int], int]:
    return {
        (row["product_id"], row["currency"], row["shop_id"]): row["views"]
        for row in ProductDailyStats.objects.filter(day=day, views__gt=0).values(
            "product_id", "currency", "shop_id", "views"
        )
    }


@transaction.atomic
def _rollup_day(day: date) -> tuple[int, int]:
    shops = _shop_figures(day)
    products = _product_figures(day)

    counted = product_views_for_day(day=day)
    if counted is None:
        views = _stored_views(day)
    else:
        views = {
            (product_id, currency, shop_id): counted[product_id]
            for product_id, (shop_id, currency) in product_shops_and_currencies(
                product_ids=counted.keys()
            ).items()
            if counted[product_id] > 0
        }
    for (product_id, currency, shop_id), count in views.items():
        products[(product_id, currency)]["shop_id"] = shop_id
        products[(product_id, currency)]["views"] = count
        shops[(shop_id, currency)]["views"] += count

    shop_rows = [
        ShopDailyStats(shop_id=shop_id, day=day, currency=currency, **figure)
        for (shop_id, currency), figure in shops.items()
    ]
    product_rows = [
        ProductDailyStats(product_id=product_id, day=day, currency=currency, **figure)
        for (product_id, currency), figure in products.items()
    ]
    # The day is written whole: rows with nothing left to count go, the rest are upserted (a
    # concurrent run of the same day updates instead of colliding).
    ShopDailyStats.objects.filter(day=day).delete()
    ProductDailyStats.objects.filter(day=day).delete()
    ShopDailyStats.objects.bulk_create(
        shop_rows,
        update_conflicts=True,
        unique_fields=["shop", "day", "currency"],
        update_fields=["revenue", "orders", "units", "refunds", "views", "updated"],
    )
    ProductDailyStats.objects.bulk_create(
        product_rows,
        update_conflicts=True,
        unique_fields=["product", "day", "currency"],
        update_fields=["shop", "revenue", "orders", "units", "views", "updated"],
    )
    return len(shop_rows), len(product_rows)


def analytics_rollup(*, start_day: date, end_day: date) -> RollupResult:
    """Recompute the daily figures of every shop and product for the UTC days from `start_day`
    to `end_day` (both included), one day per transaction. Idempotent."""
    if end_day < start_day:
        raise ValueError("end_day comes before start_day")
    shop_rows = product_rows = 0
    day = start_day
    while day <= end_day:
        shops, products = _rollup_day(day)
        shop_rows += shops
        product_rows += products
        day += timedelta(days=1)
    days = (end_day - start_day).days + 1
    logger.info("Analytics rolled up for %s days from %s", days, start_day)
    return RollupResult(days=days, shop_rows=shop_rows, product_rows=product_rows)


def analytics_rollup_recent(*, now: datetime | None = None) -> RollupResult:
    """Recompute yesterday and today (UTC): what the beat job runs."""
    today = (now or timezone.now()).astimezone(UTC).date()
    return analytics_rollup(start_day=today - timedelta(days=1), end_day=today)
