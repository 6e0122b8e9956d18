"""Staff sales reports: figures against a hand-computed fixture, through the selector, the API,
the CSV export and the admin reports page."""

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import StaffFactory, UserFactory
from analytics.selectors import sales_report
from catalog.models import Product
from catalog.tests.factories import ProductFactory
from orders.models import Order
from orders.tests.factories import OrderFactory, OrderLineFactory
from payments.models import LedgerEntry
from payments.tests.factories import LedgerEntryFactory, RefundFactory
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

MARCH = (date(2026, 3, 1), date(2026, 3, 14))


def at(day: int, hour: int = 12, minute: int = 0, second: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    """Rows stamped with `auto_now_add` (ledger entries, shops) get `moment` as their time."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass
class Marketplace:
    alpha: Shop
    beta: Shop
    p1: Product
    p2: Product
    p3: Product


def _order(
    shop: Shop,
    product: Product,
    quantity: int,
    price: str,
    paid_at: datetime | None,
    **kwargs: object,
) -> Order:
    total = Decimal(price) * quantity
    order = OrderFactory(shop=shop, subtotal=total, paid_at=paid_at, **kwargs)
    OrderLineFactory(
        order=order, variant=product.variants.get(), quantity=quantity, unit_price=Decimal(price)
    )
    return order


def _commission(order: Order, amount: str, when: datetime, kind: str = "commission") -> None:
    with clock(when):
        LedgerEntryFactory(order=order, kind=kind, amount=Decimal(amount))


@pytest.fixture
def marketplace() -> Marketplace:
    """Two USD shops and a EUR one, with orders in and around 1-14 March 2026.

    In range (USD):  Mar 2  Alpha 3 x P1 @ 10 = 30.00, commission 3.00
                     Mar 2  Alpha 1 x P2 @ 50 = 50.00 (23:59:59), commission 5.00
                     Mar 3  Beta  2 x P3 @ 10 = 20.00 (00:00:00), commission 2.00
                     Mar 10 Beta 10 x P3 @ 10 = 100.00, commission 10.00;
                            refunded in full Mar 11, commission 10.00 given back
    Left out:        Alpha's unpaid order, Alpha's order paid Feb 28 (but its 10.00 refund
                     on Mar 5 counts), Alpha's order paid Mar 15, Gamma's EUR order.
    Sign-ups:        users on Mar 2 and Mar 9, a shop opened Mar 3.
    """
    alpha = ShopFactory(name="Alpha")
    beta = ShopFactory(name="Beta")
    gamma = ShopFactory(name="Gamma", currency="EUR")
    p1 = ProductFactory(shop=alpha, title="Mug")
    p2 = ProductFactory(shop=alpha, title="Teapot")
    p3 = ProductFactory(shop=beta, title="Candle")
    p4 = ProductFactory(shop=gamma, title="Vase")

    first = _order(alpha, p1, 3, "10.00", at(2, 10))
    second = _order(alpha, p2, 1, "50.00", at(2, 23, 59, 59))
    third = _order(beta, p3, 2, "10.00", at(3, 0))
    refunded = _order(beta, p3, 10, "10.00", at(10), status=Order.Status.REFUNDED)
    _order(alpha, p1, 1, "10.00", None, status=Order.Status.PENDING)
    february = _order(alpha, p1, 2, "10.00", at(28, month=2))
    _order(alpha, p2, 1, "50.00", at(15, 0))
    _order(gamma, p4, 1, "40.00", at(4))

    _commission(first, "-3.00", at(2, 10))
    _commission(second, "-5.00", at(2, 23, 59, 59))
    _commission(third, "-2.00", at(3, 0))
    _commission(refunded, "-10.00", at(10))
    _commission(refunded, "10.00", at(11), kind=LedgerEntry.Kind.COMMISSION_REFUND)
    _commission(refunded, "100.00", at(10), kind=LedgerEntry.Kind.SALE)
    RefundFactory(order=refunded, amount=Decimal("100.00"), confirmed_at=at(11))
    RefundFactory(order=february, amount=Decimal("10.00"), confirmed_at=at(5))
    RefundFactory(order=first, amount=Decimal("5.00"), status="failed", confirmed_at=None)

    UserFactory(created=at(2))
    UserFactory(created=at(9))
    with clock(at(3)):
        ShopFactory(name="Delta")
    return Marketplace(alpha=alpha, beta=beta, p1=p1, p2=p2, p3=p3)


def _figures(period: object) -> tuple[object, ...]:
    return tuple(
        getattr(period, name)
        for name in ("gmv", "orders", "average_order_value", "commission", "refunds")
    )


def test_daily_report_matches_the_hand_computed_figures(marketplace: Marketplace) -> None:
    report = sales_report(start=MARCH[0], end=MARCH[1], group="day", currency="USD")

    days = {period.start: period for period in report.periods}
    assert len(report.periods) == 14
    assert _figures(days[date(2026, 3, 2)]) == (
        Decimal("80.00"),
        2,
        Decimal("40.00"),
        Decimal("8.00"),
        Decimal("0.00"),
    )
    assert _figures(days[date(2026, 3, 3)]) == (
        Decimal("20.00"),
        1,
        Decimal("20.00"),
        Decimal("2.00"),
        Decimal("0.00"),
    )
    assert days[date(2026, 3, 5)].refunds == Decimal("10.00")
    assert _figures(days[date(2026, 3, 10)]) == (
        Decimal("100.00"),
        1,
        Decimal("100.00"),
        Decimal("10.00"),
        Decimal("0.00"),
    )
    assert _figures(days[date(2026, 3, 11)]) == (
        Decimal("0.00"),
        0,
        Decimal("0.00"),
        Decimal("-10.00"),
        Decimal("100.00"),
    )
    assert [
        (p.start, p.new_users, p.new_shops) for p in report.periods if p.new_users or p.new_shops
    ] == [
        (date(2026, 3, 2), 1, 0),
        (date(2026, 3, 3), 0, 1),
        (date(2026, 3, 9), 1, 0),
    ]
    assert _figures(report.totals) == (
        Decimal("200.00"),
        4,
        Decimal("50.00"),
        Decimal("10.00"),
        Decimal("110.00"),
    )
    assert (report.totals.new_users, report.totals.new_shops) == (2, 1)


def test_weekly_report_clips_the_first_and_last_week_to_the_range(
    marketplace: Marketplace,
) -> None:
    report = sales_report(start=MARCH[0], end=MARCH[1], group="week", currency="USD")

    assert [(p.start, p.end) for p in report.periods] == [
        (date(2026, 3, 1), date(2026, 3, 1)),
        (date(2026, 3, 2), date(2026, 3, 8)),
        (date(2026, 3, 9), date(2026, 3, 14)),
    ]
    assert [_figures(p) for p in report.periods] == [
        (Decimal("0.00"), 0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00")),
        (Decimal("100.00"), 3, Decimal("33.33"), Decimal("10.00"), Decimal("10.00")),
        (Decimal("100.00"), 1, Decimal("100.00"), Decimal("0.00"), Decimal("100.00")),
    ]


def test_monthly_report_has_one_period(marketplace: Marketplace) -> None:
    report = sales_report(start=MARCH[0], end=MARCH[1], group="month", currency="USD")

    assert [(p.start, p.end, p.gmv, p.orders) for p in report.periods] == [
        (date(2026, 3, 1), date(2026, 3, 14), Decimal("200.00"), 4)
    ]


def test_report_by_shop_and_top_products(marketplace: Marketplace) -> None:
    report = sales_report(start=MARCH[0], end=MARCH[1], currency="USD")

    assert [(s.shop_name, *_figures(s)) for s in report.shops] == [
        ("Beta", Decimal("120.00"), 2, Decimal("60.00"), Decimal("2.00"), Decimal("100.00")),
        ("Alpha", Decimal("80.00"), 2, Decimal("40.00"), Decimal("8.00"), Decimal("10.00")),
    ]
    assert [
        (p.product_id, p.title, p.shop_name, p.units, p.revenue) for p in report.top_products
    ] == [
        (marketplace.p3.pk, "Candle", "Beta", 12, Decimal("120.00")),
        (marketplace.p2.pk, "Teapot", "Alpha", 1, Decimal("50.00")),
        (marketplace.p1.pk, "Mug", "Alpha", 3, Decimal("30.00")),
    ]


def test_report_for_one_shop(marketplace: Marketplace) -> None:
    report = sales_report(
        start=MARCH[0], end=MARCH[1], currency="USD", shop_id=marketplace.alpha.pk
    )

    assert _figures(report.totals) == (
        Decimal("80.00"),
        2,
        Decimal("40.00"),
        Decimal("8.00"),
        Decimal("10.00"),
    )
    assert [s.shop_name for s in report.shops] == ["Alpha"]
    assert (report.totals.new_users, report.totals.new_shops) == (2, 1)


def test_report_in_another_currency_counts_only_its_orders(marketplace: Marketplace) -> None:
    report = sales_report(start=MARCH[0], end=MARCH[1], currency="EUR")

    assert (report.totals.gmv, report.totals.orders) == (Decimal("40.00"), 1)
    assert [s.shop_name for s in report.shops] == ["Gamma"]


# --- API ------------------------------------------------------------------------------------------
@pytest.fixture
def staff() -> User:
    return StaffFactory()


@pytest.fixture
def staff_api(staff: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=staff)
    return client


def test_the_report_api_answers_money_as_decimal_strings(
    staff_api: APIClient, marketplace: Marketplace
) -> None:
    response = staff_api.get(
        "/api/v1/admin/reports", {"from": "2026-03-01", "to": "2026-03-14", "group": "week"}
    )

    body = response.json()
    assert response.status_code == 200
    assert body["totals"] == {
        "gmv": "200.00",
        "orders": 4,
        "average_order_value": "50.00",
        "commission": "10.00",
        "refunds": "110.00",
        "start": "2026-03-01",
        "end": "2026-03-14",
        "new_users": 2,
        "new_shops": 1,
    }
    assert [p["gmv"] for p in body["periods"]] == ["0.00", "100.00", "100.00"]
    assert body["shops"][0] == {
        "gmv": "120.00",
        "orders": 2,
        "average_order_value": "60.00",
        "commission": "2.00",
        "refunds": "100.00",
        "shop_id": marketplace.beta.pk,
        "shop_name": "Beta",
    }
    assert body["top_products"][0] == {
        "product_id": marketplace.p3.pk,
        "title": "Candle",
        "shop_id": marketplace.beta.pk,
        "shop_name": "Beta",
        "units": 12,
        "revenue": "120.00",
    }
    assert (body["group"], body["currency"], body["shop_id"]) == ("week", "USD", None)


def test_the_report_api_filters_by_shop(staff_api: APIClient, marketplace: Marketplace) -> None:
    response = staff_api.get(
        "/api/v1/admin/reports",
        {"from": "2026-03-01", "to": "2026-03-14", "shop": marketplace.alpha.pk},
    )

    assert response.json()["totals"]["gmv"] == "80.00"
    assert response.json()["shop_id"] == marketplace.alpha.pk


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ({"from": "yesterday"}, "from"),
        ({"from": "2026-02-30"}, "from"),
        ({"from": "1999-12-31", "to": "2000-01-01"}, "from"),
        ({"from": "2000-01-01", "to": "2026-01-01", "group": "day"}, "to"),
        ({"from": "0001-01-01", "to": "9999-12-31", "group": "month"}, "from"),
        ({"group": "year"}, "group"),
        ({"currency": "usd"}, "currency"),
        ({"shop": "-1"}, "shop"),
    ],
)
def test_bad_report_parameters_are_field_errors(
    staff_api: APIClient, params: dict[str, str], field: str
) -> None:
    response = staff_api.get("/api/v1/admin/reports", params)

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_the_report_api_defaults_to_the_last_30_days(staff_api: APIClient) -> None:
    response = staff_api.get("/api/v1/admin/reports")

    assert response.status_code == 200
    assert len(response.json()["periods"]) == 30


# --- CSV and the admin page -----------------------------------------------------------------------
@pytest.fixture
def staff_browser_client(staff: User) -> Client:
    client = Client()
    client.force_login(staff)
    return client


REPORT_URL = "/admin/analytics/salesreport/"


def test_the_csv_export_has_the_same_figures(
    staff_browser_client: Client, marketplace: Marketplace
) -> None:
    response = staff_browser_client.get(
        REPORT_URL, {"from": "2026-03-01", "to": "2026-03-14", "group": "week", "format": "csv"}
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "sales-2026-03-01-2026-03-14-week.csv" in response["Content-Disposition"]
    assert rows[:5] == [
        [
            "Period start",
            "Period end",
            "GMV",
            "Orders",
            "Average order value",
            "Commission",
            "Refunds",
            "New users",
            "New shops",
        ],
        ["2026-03-01", "2026-03-01", "0.00", "0", "0.00", "0.00", "0.00", "0", "0"],
        ["2026-03-02", "2026-03-08", "100.00", "3", "33.33", "10.00", "10.00", "1", "1"],
        ["2026-03-09", "2026-03-14", "100.00", "1", "100.00", "0.00", "100.00", "1", "0"],
        ["Total", "", "200.00", "4", "50.00", "10.00", "110.00", "2", "1"],
    ]
    assert rows[6:9] == [
        ["Shop", "GMV", "Orders", "Average order value", "Commission", "Refunds"],
        ["Beta", "120.00", "2", "60.00", "2.00", "100.00"],
        ["Alpha", "80.00", "2", "40.00", "8.00", "10.00"],
    ]
    assert rows[10:12] == [
        ["Product", "Shop", "Units", "Revenue"],
        ["Candle", "Beta", "12", "120.00"],
    ]


def test_csv_cells_that_look_like_formulas_are_defused(staff_browser_client: Client) -> None:
    shop = ShopFactory(name="=HYPERLINK(1)")
    _order(shop, ProductFactory(shop=shop, title="+cmd"), 1, "10.00", at(2))

    response = staff_browser_client.get(
        REPORT_URL, {"from": "2026-03-01", "to": "2026-03-14", "format": "csv"}
    )

    assert "'=HYPERLINK(1),10.00" in response.content.decode()
    assert "'+cmd,'=HYPERLINK(1),1,10.00" in response.content.decode()


def test_the_admin_reports_page_shows_the_figures_and_chart_data(
    staff_browser_client: Client, marketplace: Marketplace, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(15):
        response = staff_browser_client.get(
            REPORT_URL, {"from": "2026-03-01", "to": "2026-03-14", "group": "week"}
        )

    page = response.content.decode()
    assert response.status_code == 200
    assert '<script id="report-data" type="application/json">' in page
    assert '"gmv": ["0.00", "100.00", "100.00"]' in page
    assert "vendor/chartjs/chart.umd.js" in page
    assert "200.00" in page and "Candle" in page and "Beta" in page
    assert "<script>" not in page


def test_the_admin_reports_page_shows_form_errors(staff_browser_client: Client) -> None:
    response = staff_browser_client.get(REPORT_URL, {"from": "2026-03-10", "to": "2026-03-01"})

    assert response.status_code == 200
    assert "The end date must not come before the start date." in response.content.decode()


def test_the_admin_index_links_the_reports_page(staff_browser_client: Client) -> None:
    response = staff_browser_client.get("/admin/")

    assert REPORT_URL in response.content.decode()


@pytest.mark.parametrize("page", ["salesreport/", "shopdailystats/", "productdailystats/1/change/"])
def test_the_former_admin_addresses_lead_to_the_analytics_section(
    staff_browser_client: Client, page: str
) -> None:
    response = staff_browser_client.get(f"/admin/orders/{page}?group=week&currency=EUR")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/analytics/{page}?group=week&currency=EUR"


def test_the_reports_page_is_for_staff_only(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get(REPORT_URL)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_reports_page_picks_a_shop_by_name(
    staff_browser_client: Client, marketplace: Marketplace
) -> None:
    page = staff_browser_client.get(REPORT_URL).content.decode()
    found = staff_browser_client.get(
        "/admin/autocomplete/",
        {"term": "alp", "app_label": "orders", "model_name": "order", "field_name": "shop"},
    ).json()
    narrowed = staff_browser_client.get(
        REPORT_URL, {"from": "2026-03-01", "to": "2026-03-14", "shop": marketplace.alpha.pk}
    )

    assert 'data-ajax--url="/admin/autocomplete/"' in page
    assert [item["text"] for item in found["results"]] == ["Alpha"]
    assert [shop.shop_name for shop in narrowed.context["report"].shops] == ["Alpha"]
    assert f'<option value="{marketplace.alpha.pk}" selected>Alpha</option>' in narrowed.text
