"""Vendor analytics roll-ups: they equal a direct computation from orders, refunds and views;
the beat job and the backfill command fill them; product views are counted cheaply."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from analytics.models import ProductDailyStats, ShopDailyStats
from analytics.services import (
    analytics_rollup,
    product_view_record,
    product_views_for_day,
)
from analytics.tasks import analytics_rollup_task
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from marketmate.celery import app
from orders.models import Order, OrderLine
from orders.tests.factories import OrderFactory, OrderLineFactory
from payments.models import Refund
from payments.tests.factories import RefundFactory
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

DAYS = (date(2026, 3, 1), date(2026, 3, 3))


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def _sell(order: Order, product: Product | None, quantity: int, price: str) -> None:
    variant = product.variants.get() if product else None
    OrderLineFactory(order=order, variant=variant, quantity=quantity, unit_price=Decimal(price))


@pytest.fixture
def sales() -> dict[str, Any]:
    """Three shops (one in EUR), orders over three days and around their edges, refunds, a line
    whose product was deleted, unpaid orders, and product views."""
    north, south = ShopFactory(name="North"), ShopFactory(name="South")
    euro = ShopFactory(name="Euro", currency="EUR")
    mug, cup = ProductFactory(shop=north, title="Mug"), ProductFactory(shop=north, title="Cup")
    lamp = ProductFactory(shop=south, title="Lamp")
    vase = ProductFactory(shop=euro, title="Vase")

    plan = [
        (north, at(1, 0, 0, 0), [(mug, 2, "10.00"), (cup, 1, "4.50")]),
        (north, at(1, 23, 59, 59), [(mug, 1, "10.00")]),
        (north, at(2, 9), [(cup, 3, "4.50"), (None, 1, "7.00")]),
        (south, at(2, 10), [(lamp, 1, "80.00")]),
        (south, at(3, 18), [(lamp, 2, "80.00")]),
        (euro, at(3, 8), [(vase, 1, "30.00")]),
        (north, at(4, 0, 0, 0), [(mug, 5, "10.00")]),  # the day after the range
        (south, at(28, 12).replace(month=2), [(lamp, 1, "80.00")]),  # before the range
    ]
    orders = []
    for shop, paid_at, lines in plan:
        subtotal = sum((Decimal(price) * qty for _, qty, price in lines), Decimal("0"))
        order = OrderFactory(
            shop=shop, paid_at=paid_at, subtotal=subtotal, shipping=Decimal("3.00")
        )
        for product, quantity, price in lines:
            _sell(order, product, quantity, price)
        orders.append(order)
    unpaid = OrderFactory(shop=north, paid_at=None, status=Order.Status.PENDING)
    _sell(unpaid, mug, 9, "10.00")

    RefundFactory(order=orders[3], amount=Decimal("40.00"), confirmed_at=at(3, 9))
    RefundFactory(order=orders[7], amount=Decimal("83.00"), confirmed_at=at(1, 9))
    RefundFactory(order=orders[0], amount=Decimal("5.00"), status="pending", confirmed_at=None)

    for product, day, count in [(mug, 1, 4), (mug, 2, 2), (cup, 2, 5), (lamp, 3, 7), (vase, 3, 1)]:
        for _ in range(count):
            product_view_record(product_id=product.pk, when=at(day, 15))
    return {"orders": orders, "products": [mug, cup, lamp, vase], "shops": [north, south, euro]}


def _expected_shop_rows(views: dict[tuple[int, date], int]) -> set[tuple[Any, ...]]:
    """(shop, day, currency, revenue, orders, units, refunds, views), straight from the rows."""
    start = datetime.combine(DAYS[0], datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(DAYS[1] + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    figures: dict[tuple[int, date, str], list[Any]] = defaultdict(
        lambda: [Decimal("0"), 0, 0, Decimal("0"), 0]
    )
    for order in Order.objects.filter(paid_at__isnull=False):
        assert order.paid_at is not None
        if start <= order.paid_at < end:
            row = figures[(order.shop_id, order.paid_at.date(), order.currency)]
            row[0] += order.total
            row[1] += 1
            row[2] += sum(line.quantity for line in order.lines.all())
    for refund in Refund.objects.filter(status=Refund.Status.SUCCEEDED):
        assert refund.confirmed_at is not None
        if start <= refund.confirmed_at < end:
            figures[(refund.order.shop_id, refund.confirmed_at.date(), refund.currency)][3] += (
                refund.amount
            )
    for (product_id, day), count in views.items():
        product = Product.objects.get(pk=product_id)
        figures[(product.shop_id, day, product.currency)][4] += count
    return {(*key, *values) for key, values in figures.items()}


def _expected_product_rows(views: dict[tuple[int, date], int]) -> set[tuple[Any, ...]]:
    """(product, day, currency, revenue, orders, units, views), straight from the rows."""
    figures: dict[tuple[int, date, str], list[Any]] = defaultdict(
        lambda: [Decimal("0"), set(), 0, 0]
    )
    for line in OrderLine.objects.select_related("order", "variant"):
        paid_at = line.order.paid_at
        if line.variant is None or paid_at is None or not DAYS[0] <= paid_at.date() <= DAYS[1]:
            continue
        row = figures[(line.variant.product_id, paid_at.date(), line.order.currency)]
        row[0] += line.total
        row[1].add(line.order_id)
        row[2] += line.quantity
    for (product_id, day), count in views.items():
        currency = Product.objects.get(pk=product_id).currency
        figures[(product_id, day, currency)][3] += count
    return {(*key, row[0], len(row[1]), row[2], row[3]) for key, row in figures.items()}


def _shop_rows() -> set[tuple[Any, ...]]:
    return set(
        ShopDailyStats.objects.values_list(
            "shop_id", "day", "currency", "revenue", "orders", "units", "refunds", "views"
        )
    )


def _product_rows() -> set[tuple[Any, ...]]:
    return set(
        ProductDailyStats.objects.values_list(
            "product_id", "day", "currency", "revenue", "orders", "units", "views"
        )
    )


def _views(sales: dict[str, Any]) -> dict[tuple[int, date], int]:
    mug, cup, lamp, vase = sales["products"]
    return {
        (mug.pk, date(2026, 3, 1)): 4,
        (mug.pk, date(2026, 3, 2)): 2,
        (cup.pk, date(2026, 3, 2)): 5,
        (lamp.pk, date(2026, 3, 3)): 7,
        (vase.pk, date(2026, 3, 3)): 1,
    }


def test_the_roll_up_equals_a_direct_computation_from_orders(sales: dict[str, Any]) -> None:
    result = analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])

    assert _shop_rows() == _expected_shop_rows(_views(sales))
    assert _product_rows() == _expected_product_rows(_views(sales))
    assert (result.days, result.shop_rows, result.product_rows) == (3, 6, 7)


def test_the_roll_up_of_one_shop_day_by_hand(sales: dict[str, Any]) -> None:
    north = sales["shops"][0]

    analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])

    row = ShopDailyStats.objects.get(shop=north, day=date(2026, 3, 1))
    # 2 x 10.00 + 4.50 + 3.00 shipping, and 10.00 + 3.00 just before midnight
    assert (row.revenue, row.orders, row.units, row.refunds, row.views) == (
        Decimal("40.50"),
        2,
        4,
        Decimal("0.00"),
        4,
    )


def test_the_roll_up_is_idempotent_and_catches_up_with_late_changes(
    sales: dict[str, Any],
) -> None:
    analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])
    first = _shop_rows()

    analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])
    assert _shop_rows() == first

    RefundFactory(order=sales["orders"][4], amount=Decimal("10.00"), confirmed_at=at(3, 20))
    analytics_rollup(start_day=DAYS[1], end_day=DAYS[1])
    assert _shop_rows() == _expected_shop_rows(_views(sales))


def test_views_already_rolled_up_survive_expired_counters(sales: dict[str, Any]) -> None:
    analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])
    cache.clear()  # the counters expire after a week

    analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])

    assert _shop_rows() == _expected_shop_rows(_views(sales))
    assert _product_rows() == _expected_product_rows(_views(sales))


def test_a_shop_that_only_had_views_gets_a_row() -> None:
    product = ProductFactory()
    product_view_record(product_id=product.pk, when=at(2))

    analytics_rollup(start_day=date(2026, 3, 2), end_day=date(2026, 3, 2))

    assert _shop_rows() == {
        (product.shop_id, date(2026, 3, 2), "USD", Decimal("0.00"), 0, 0, Decimal("0.00"), 1)
    }


# --- Counting views -----------------------------------------------------------------------------
def test_each_product_page_view_is_counted_for_today(client: Client) -> None:
    product = ProductFactory(slug="mug")

    for _ in range(3):
        assert client.get(f"/p/{product.pk}/mug/").status_code == 200
    client.get(f"/p/{product.pk}/old-slug/")  # redirected, not counted

    assert product_views_for_day(day=timezone.now().date()) == {product.pk: 3}


def test_views_are_counted_in_the_local_cache_of_the_embedded_default(settings) -> None:  # type: ignore[no-untyped-def]
    settings.REDIS_URL = ""
    settings.CACHES = {
        "default": {"BACKEND": "marketmate.cache.LocMemCache", "LOCATION": "analytics-test"}
    }
    product_view_record(product_id=7, when=at(2))
    product_view_record(product_id=7, when=at(2, 23))
    product_view_record(product_id=8, when=at(2))
    product_view_record(product_id=7, when=at(3))

    assert product_views_for_day(day=date(2026, 3, 2)) == {7: 2, 8: 1}
    assert product_views_for_day(day=date(2026, 3, 3)) == {7: 1}
    assert product_views_for_day(day=date(2026, 3, 4)) is None


def test_a_day_without_views_has_no_counter() -> None:
    assert product_views_for_day(day=date(2026, 3, 9)) is None


# --- Beat job and backfill ----------------------------------------------------------------------
def test_the_beat_job_rolls_up_yesterday_and_today(settings) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    shop = ShopFactory()
    OrderLineFactory(order=OrderFactory(shop=shop, paid_at=now), quantity=2)
    OrderLineFactory(order=OrderFactory(shop=shop, paid_at=now - timedelta(days=1)), quantity=1)
    OrderLineFactory(order=OrderFactory(shop=shop, paid_at=now - timedelta(days=2)), quantity=1)

    analytics_rollup_task.delay()

    assert set(ShopDailyStats.objects.values_list("day", "orders", "units")) == {
        (now.date(), 1, 2),
        ((now - timedelta(days=1)).date(), 1, 1),
    }
    assert settings.CELERY_BEAT_SCHEDULE["analytics-rollup"]["task"] == (
        "analytics.analytics_rollup_task"
    )


def test_a_roll_up_queued_under_the_tasks_former_name_still_runs() -> None:
    now = timezone.now()
    shop = ShopFactory()
    OrderLineFactory(order=OrderFactory(shop=shop, paid_at=now), quantity=3)

    app.tasks["orders.analytics_rollup_task"].delay()

    assert list(ShopDailyStats.objects.values_list("shop_id", "day", "orders", "units")) == [
        (shop.pk, now.date(), 1, 3)
    ]


def test_the_backfill_command_fills_a_range_of_days(sales: dict[str, Any]) -> None:
    out = StringIO()

    call_command("analytics_backfill", "--from", "2026-02-28", "--to", "2026-03-03", stdout=out)

    assert out.getvalue().strip() == (
        "Rolled up 4 days from 2026-02-28 to 2026-03-03: 7 shop rows, 8 product rows."
    )
    assert ShopDailyStats.objects.filter(day=date(2026, 2, 28)).get().orders == 1
    assert _shop_rows() >= _expected_shop_rows(_views(sales))


@pytest.mark.parametrize(
    "arguments",
    [["--from", "2026-03-05", "--to", "2026-03-01"], ["--from", "March"], ["--to", "2026-13-01"]],
)
def test_the_backfill_command_refuses_bad_dates(arguments: list[str]) -> None:
    with pytest.raises(CommandError):
        call_command("analytics_backfill", *arguments, stdout=StringIO())


@pytest.mark.parametrize("model", ["shopdailystats", "productdailystats"])
def test_the_roll_ups_are_listed_read_only_in_the_admin_within_a_query_budget(
    sales: dict[str, Any], model: str, django_assert_max_num_queries
) -> None:
    analytics_rollup(start_day=DAYS[0], end_day=DAYS[1])
    client = Client()
    client.force_login(StaffFactory())

    # Session, user, the staff's second factor, counts, date hierarchy, the currency filter and
    # the page: not one per row.
    with django_assert_max_num_queries(10):
        response = client.get(f"/admin/analytics/{model}/")

    assert response.status_code == 200
    assert "Mug" in response.content.decode() or "North" in response.content.decode()
    assert client.get(f"/admin/analytics/{model}/add/").status_code == 403
