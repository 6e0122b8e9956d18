"""Reads for staff reports and vendor analytics.

Staff reports (`sales_report`) are computed directly from orders, refunds and the ledger, so
they are exact up to the second; the API, the admin reports page and its CSV export all call
`sales_report`. The vendor dashboard (`shop_analytics`) reads the daily roll-ups only, so it
stays fast however many orders a shop has.

What counts, everywhere:
- an order counts on the UTC day it was paid (`paid_at`), whatever happened to it later:
  GMV is the sum of those orders' totals (goods, shipping and tax, less discounts);
- refunds count on the day the gateway confirmed them (succeeded `Refund` rows);
- commission is the platform's net commission posted to the ledger that day: commission on
  sales less commission given back on refunds and chargebacks;
- average order value is GMV / orders.
"""

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import user_signups_by_period
from analytics.models import ProductDailyStats, ShopDailyStats
from analytics.services import product_views_for_day
from catalog.models import Product
from marketmate.errors import ApplicationError
from marketmate.money import money_round_cent
from orders.models import Order, OrderLine
from payments.selectors import commission_totals_by_period, refund_totals_by_period
from shops.models import Shop
from shops.selectors import shops_opened_by_period

ZERO = Decimal("0.00")
GROUPS = ("day", "week", "month")
# The longest report: this many periods (400 days by day, about 7 years by week).
MAX_PERIODS = 400
EARLIEST = date(2000, 1, 1)
LATEST = date(2999, 12, 31)
TOP_PRODUCTS = 10


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants [start of `start`, end of `end`)."""
    return (
        datetime.combine(start, time.min, tzinfo=UTC),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )


def period_start(day: date, group: str) -> date:
    if group == "week":
        return day - timedelta(days=day.weekday())
    if group == "month":
        return day.replace(day=1)
    return day


def _next_period(day: date, group: str) -> date:
    if group == "week":
        return day + timedelta(days=7)
    if group == "month":
        return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return day + timedelta(days=1)


def period_starts(start: date, end: date, group: str) -> list[date]:
    """The first day of every period that overlaps [start, end] (weeks start on Monday)."""
    starts = []
    current = period_start(start, group)
    while current <= end:
        starts.append(current)
        current = _next_period(current, group)
    return starts


def report_range_validate(*, start: date, end: date, group: str) -> None:
    """Refuse a report range that is backwards, out of bounds or too long (400, with fields)."""
    fields: dict[str, list[str]] = {}
    if group not in GROUPS:
        fields["group"] = [_("Choose day, week or month.")]
    for name, value in (("from", start), ("to", end)):
        if not EARLIEST <= value <= LATEST:
            fields[name] = [
                _("Choose a date from %(earliest)s to %(latest)s.")
                % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()}
            ]
    if not fields and start > end:
        fields["to"] = [_("The end date must not come before the start date.")]
    if not fields and len(period_starts(start, end, group)) > MAX_PERIODS:
        fields["to"] = [
            _("The range is too long: at most %(count)d periods; group by week or month.")
            % {"count": MAX_PERIODS}
        ]
    if fields:
        raise ApplicationError(
            _("The report parameters are invalid."), code="validation_error", fields=fields
        )


# --- Staff sales report ---------------------------------------------------------------------------
@dataclass
class Figures:
    gmv: Decimal = ZERO
    orders: int = 0
    commission: Decimal = ZERO
    refunds: Decimal = ZERO

    @property
    def average_order_value(self) -> Decimal:
        return money_round_cent(self.gmv / self.orders) if self.orders else ZERO


@dataclass
class ReportPeriod(Figures):
    start: date = EARLIEST
    end: date = EARLIEST
    new_users: int = 0
    new_shops: int = 0


@dataclass
class ShopFigures(Figures):
    shop_id: int = 0
    shop_name: str = ""


@dataclass(frozen=True)
class ProductFigures:
    product_id: int | None
    title: str
    shop_id: int
    shop_name: str
    units: int
    revenue: Decimal


@dataclass
class SalesReport:
    start: date
    end: date
    group: str
    currency: str
    shop_id: int | None
    periods: list[ReportPeriod]
    totals: ReportPeriod
    shops: list[ShopFigures] = field(default_factory=list)
    top_products: list[ProductFigures] = field(default_factory=list)


def sales_report(
    *, start: date, end: date, group: str = "day", currency: str = "USD", shop_id: int | None = None
) -> SalesReport:
    """The marketplace's sales from `start` to `end` (UTC days, both included) in `currency`,
    per `group` period, per shop and for the top products; `shop_id` narrows sales, refunds
    and commission to one shop (new users and shops stay marketplace-wide)."""
    report_range_validate(start=start, end=end, group=group)
    since, until = _bounds(start, end)
    periods = {
        first: ReportPeriod(
            start=max(first, start),
            end=min(_next_period(first, group), end + timedelta(days=1)) - timedelta(days=1),
        )
        for first in period_starts(start, end, group)
    }
    by_shop: dict[int, ShopFigures] = {}

    orders = Order.objects.filter(paid_at__gte=since, paid_at__lt=until, currency=currency)
    if shop_id is not None:
        orders = orders.filter(shop_id=shop_id)
    for row in (
        orders.annotate(period=Trunc("paid_at", group, tzinfo=UTC))
        .values("period", "shop_id", "shop__name")
        .annotate(gmv=Sum("total"), orders=Count("id"))
        .order_by()
    ):
        for figures in (
            periods[row["period"].date()],
            by_shop.setdefault(
                row["shop_id"], ShopFigures(shop_id=row["shop_id"], shop_name=row["shop__name"])
            ),
        ):
            figures.gmv += row["gmv"]
            figures.orders += row["orders"]

    money_rows = (
        ("refunds", refund_totals_by_period),
        ("commission", commission_totals_by_period),
    )
    for name, selector in money_rows:
        for amount in selector(start=since, end=until, period=group, shop_id=shop_id):
            if amount.currency != currency:
                continue
            period = periods[amount.period]
            setattr(period, name, getattr(period, name) + amount.amount)
            shop = by_shop.get(amount.shop_id)
            if shop is None:
                shop = by_shop[amount.shop_id] = ShopFigures(shop_id=amount.shop_id)
            setattr(shop, name, getattr(shop, name) + amount.amount)
    unnamed = [shop.shop_id for shop in by_shop.values() if not shop.shop_name]
    for pk, name in Shop.objects.filter(pk__in=unnamed).values_list("pk", "name"):
        by_shop[pk].shop_name = name

    for first, count in user_signups_by_period(start=since, end=until, period=group).items():
        periods[first].new_users = count
    for first, count in shops_opened_by_period(start=since, end=until, period=group).items():
        periods[first].new_shops = count

    totals = ReportPeriod(start=start, end=end)
    for period in periods.values():
        totals.gmv += period.gmv
        totals.orders += period.orders
        totals.refunds += period.refunds
        totals.commission += period.commission
        totals.new_users += period.new_users
        totals.new_shops += period.new_shops

    lines = OrderLine.objects.filter(order__in=orders)
    top = (
        lines.values("variant__product_id", "order__shop_id", "order__shop__name")
        .annotate(title=Max("product_title"), units=Sum("quantity"), revenue=Sum("total"))
        .order_by("-revenue", "-units", "variant__product_id")[:TOP_PRODUCTS]
    )
    return SalesReport(
        start=start,
        end=end,
        group=group,
        currency=currency,
        shop_id=shop_id,
        periods=list(periods.values()),
        totals=totals,
        shops=sorted(by_shop.values(), key=lambda shop: (-shop.gmv, shop.shop_name, shop.shop_id)),
        top_products=[
            ProductFigures(
                product_id=row["variant__product_id"],
                title=row["title"],
                shop_id=row["order__shop_id"],
                shop_name=row["order__shop__name"],
                units=row["units"],
                revenue=row["revenue"],
            )
            for row in top
        ],
    )


def sales_report_csv(report: SalesReport) -> str:
    """The report as CSV: the periods with a total line, then the shops, then the top products."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Period start"),
            _("Period end"),
            _("GMV"),
            _("Orders"),
            _("Average order value"),
            _("Commission"),
            _("Refunds"),
            _("New users"),
            _("New shops"),
        ]
    )
    for period in [*report.periods, report.totals]:
        writer.writerow(
            [
                period.start.isoformat() if period is not report.totals else _("Total"),
                period.end.isoformat() if period is not report.totals else "",
                f"{period.gmv:.2f}",
                period.orders,
                f"{period.average_order_value:.2f}",
                f"{period.commission:.2f}",
                f"{period.refunds:.2f}",
                period.new_users,
                period.new_shops,
            ]
        )
    writer.writerow([])
    writer.writerow(
        [
            _("Shop"),
            _("GMV"),
            _("Orders"),
            _("Average order value"),
            _("Commission"),
            _("Refunds"),
        ]
    )
    for shop in report.shops:
        writer.writerow(
            [
                _csv_text(shop.shop_name),
                f"{shop.gmv:.2f}",
                shop.orders,
                f"{shop.average_order_value:.2f}",
                f"{shop.commission:.2f}",
                f"{shop.refunds:.2f}",
            ]
        )
    writer.writerow([])
    writer.writerow([_("Product"), _("Shop"), _("Units"), _("Revenue")])
    for product in report.top_products:
        writer.writerow(
            [
                _csv_text(product.title),
                _csv_text(product.shop_name),
                product.units,
                f"{product.revenue:.2f}",
            ]
        )
    return out.getvalue()


def sales_report_chart_data(report: SalesReport) -> dict[str, list[str] | list[int]]:
    """The report's series for the charts of the reports page (money as decimal strings)."""
    return {
        "labels": [period.start.isoformat() for period in report.periods],
        "gmv": [f"{period.gmv:.2f}" for period in report.periods],
        "orders": [period.orders for period in report.periods],
        "average_order_value": [f"{p.average_order_value:.2f}" for p in report.periods],
        "commission": [f"{period.commission:.2f}" for period in report.periods],
        "refunds": [f"{period.refunds:.2f}" for period in report.periods],
        "new_users": [period.new_users for period in report.periods],
        "new_shops": [period.new_shops for period in report.periods],
    }


def _csv_text(value: str) -> str:
    # A cell starting with = + - @ would be run as a formula by spreadsheet programs.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- Vendor analytics -----------------------------------------------------------------------------
@dataclass
class DayFigures:
    day: date
    revenue: Decimal = ZERO
    orders: int = 0
    units: int = 0
    refunds: Decimal = ZERO
    views: int = 0


@dataclass
class PeriodTotals:
    revenue: Decimal = ZERO
    orders: int = 0
    units: int = 0
    refunds: Decimal = ZERO
    views: int = 0

    @property
    def average_order_value(self) -> Decimal:
        return money_round_cent(self.revenue / self.orders) if self.orders else ZERO

    @property
    def conversion(self) -> Decimal | None:
        """Orders per product view, in percent (None without views)."""
        if not self.views:
            return None
        return (Decimal(self.orders) * 100 / self.views).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProductRow:
    product_id: int
    title: str
    units: int
    revenue: Decimal
    orders: int
    views: int

    @property
    def conversion(self) -> Decimal | None:
        if not self.views:
            return None
        return (Decimal(self.orders) * 100 / self.views).quantize(Decimal("0.1"))


@dataclass
class ShopAnalytics:
    start: date
    end: date
    currency: str
    days: list[DayFigures]
    totals: PeriodTotals
    previous: PeriodTotals
    top_products: list[ProductRow]

    def delta(self, name: str) -> Decimal | None:
        """The change of a figure against the previous period, in percent (None from zero)."""
        now = getattr(self.totals, name)
        before = getattr(self.previous, name)
        if now is None or before is None or not before:
            return None
        return ((Decimal(now) - Decimal(before)) * 100 / Decimal(before)).quantize(Decimal("0.1"))


def open_day() -> date:
    """The UTC day still running: its roll-up is at most 15 minutes old, so it is read live."""
    return timezone.now().astimezone(UTC).date()


def _shop_day_live(*, shop: Shop, day: date) -> tuple[DayFigures, dict[int, dict[str, Any]]]:
    """`shop`'s figures of `day` in its currency straight from orders, refunds and the view
    counters (what the roll-up would store), and per product."""
    since, until = _bounds(day, day)
    orders = Order.objects.filter(
        shop=shop, currency=shop.currency, paid_at__gte=since, paid_at__lt=until
    )
    figures = DayFigures(day=day)
    totals = orders.aggregate(revenue=Sum("total"), orders=Count("id"))
    figures.revenue, figures.orders = totals["revenue"] or ZERO, totals["orders"]
    products: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"units": 0, "revenue": ZERO, "orders": 0, "views": 0}
    )
    for row in (
        OrderLine.objects.filter(order__in=orders, variant__isnull=False)
        .values("variant__product_id")
        .annotate(
            revenue=Sum("total"), units=Sum("quantity"), orders=Count("order_id", distinct=True)
        )
        .order_by()
    ):
        product = products[row["variant__product_id"]]
        product.update(revenue=row["revenue"], units=row["units"], orders=row["orders"])
        figures.units += row["units"]
    figures.refunds = sum(
        (
            amount.amount
            for amount in refund_totals_by_period(
                start=since, end=until, period="day", shop_id=shop.pk
            )
            if amount.currency == shop.currency
        ),
        ZERO,
    )
    counted = product_views_for_day(day=day) or {}
    if counted:
        for product_id in Product.objects.filter(
            shop=shop, currency=shop.currency, pk__in=counted.keys()
        ).values_list("pk", flat=True):
            if counted[product_id] > 0:
                products[product_id]["views"] = counted[product_id]
                figures.views += counted[product_id]
    return figures, products


def shop_analytics(*, shop: Shop, start: date, end: date, top: int = TOP_PRODUCTS) -> ShopAnalytics:
    """The figures of `shop` in its currency from `start` to `end` (UTC days, both included),
    each day, in total, in total over the period of the same length just before, and its
    best-selling products. Closed days come from the daily roll-ups; the open day (today) is
    computed live, so a sale shows at once."""
    length = (end - start).days + 1
    previous_start = start - timedelta(days=length)
    today = open_day()
    days = {
        start + timedelta(days=offset): DayFigures(day=start + timedelta(days=offset))
        for offset in range(length)
    }
    totals, previous = PeriodTotals(), PeriodTotals()
    stored = ShopDailyStats.objects.filter(
        shop=shop, currency=shop.currency, day__gte=previous_start, day__lte=end
    ).exclude(day=today)
    rows: list[tuple[date, Decimal, int, int, Decimal, int]] = list(
        stored.values_list("day", "revenue", "orders", "units", "refunds", "views")
    )
    live_products: dict[int, dict[str, Any]] = {}
    if previous_start <= today <= end:
        live, live_products = _shop_day_live(shop=shop, day=today)
        rows.append((today, live.revenue, live.orders, live.units, live.refunds, live.views))
        if today < start:
            live_products = {}
    for day, revenue, orders, units, refunds, views in rows:
        target = totals if day >= start else previous
        target.revenue += revenue
        target.orders += orders
        target.units += units
        target.refunds += refunds
        target.views += views
        if day in days:
            figures = days[day]
            figures.revenue, figures.orders, figures.units = revenue, orders, units
            figures.refunds, figures.views = refunds, views

    by_product: dict[int, dict[str, Any]] = {
        row["product_id"]: dict(row)
        for row in ProductDailyStats.objects.filter(
            shop=shop, currency=shop.currency, day__gte=start, day__lte=end
        )
        .exclude(day=today)
        .values("product_id")
        .annotate(
            units=Sum("units"), revenue=Sum("revenue"), orders=Sum("orders"), views=Sum("views")
        )
        .order_by()
    }
    for product_id, figures_today in live_products.items():
        row = by_product.setdefault(
            product_id,
            {"product_id": product_id, "units": 0, "revenue": ZERO, "orders": 0, "views": 0},
        )
        for name in ("units", "revenue", "orders", "views"):
            row[name] += figures_today[name]
    products = sorted(
        by_product.values(),
        key=lambda row: (-row["revenue"], -row["units"], -row["views"], row["product_id"]),
    )[:top]
    titles = dict(
        Product.objects.filter(pk__in=[row["product_id"] for row in products]).values_list(
            "pk", "title"
        )
    )
    return ShopAnalytics(
        start=start,
        end=end,
        currency=shop.currency,
        days=list(days.values()),
        totals=totals,
        previous=previous,
        top_products=[
            ProductRow(
                product_id=row["product_id"],
                title=titles.get(row["product_id"], ""),
                units=row["units"],
                revenue=row["revenue"],
                orders=row["orders"],
                views=row["views"],
            )
            for row in products
        ],
    )


@dataclass(frozen=True)
class SalesOverview:
    today: Decimal
    period: Decimal
    period_days: int
    to_ship: int


OVERVIEW_DAYS = 30


def shop_sales_overview(*, shop: Shop) -> SalesOverview:
    """`shop`'s sales of today and of the last 30 days (UTC days, today included) in its
    currency, live from the orders, and how many paid orders wait to be shipped. One query."""
    today = open_day()
    today_start, _end = _bounds(today, today)
    period_start, _end = _bounds(today - timedelta(days=OVERVIEW_DAYS - 1), today)
    in_currency = Q(currency=shop.currency)
    figures = Order.objects.filter(shop=shop).aggregate(
        today=Sum("total", filter=in_currency & Q(paid_at__gte=today_start)),
        period=Sum("total", filter=in_currency & Q(paid_at__gte=period_start)),
        to_ship=Count("id", filter=Q(status=Order.Status.PAID)),
    )
    return SalesOverview(
        today=figures["today"] or ZERO,
        period=figures["period"] or ZERO,
        period_days=OVERVIEW_DAYS,
        to_ship=figures["to_ship"],
    )
