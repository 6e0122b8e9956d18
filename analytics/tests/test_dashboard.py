"""The vendor analytics page: the current shop's roll-ups only, compared with the period before."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from accounts.tests.factories import UserFactory
from analytics.selectors import shop_analytics
from analytics.services import analytics_rollup, product_view_record
from catalog.tests.factories import ProductFactory
from orders.tests.factories import OrderFactory, OrderLineFactory
from payments.tests.factories import RefundFactory
from shops.models import Shop, ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db

URL = "/dashboard/analytics/"


@pytest.fixture
def shop() -> Shop:
    """This week: 2 orders of 30.00 and 50.00 (4 units) and 8 views of the mug, 2.00 refunded;
    the week before: 1 order of 40.00 and 4 views."""
    shop = ShopFactory(name="Clay & Co")
    mug = ProductFactory(shop=shop, title="Speckled mug")
    today = timezone.now()
    for days_ago, quantity, price in [(1, 3, "10.00"), (2, 1, "50.00"), (8, 4, "10.00")]:
        order = OrderFactory(
            shop=shop, paid_at=today - timedelta(days=days_ago), subtotal=Decimal(price) * quantity
        )
        OrderLineFactory(
            order=order, variant=mug.variants.get(), quantity=quantity, unit_price=Decimal(price)
        )
    for days_ago, views in [(1, 8), (9, 4)]:
        for _ in range(views):
            product_view_record(product_id=mug.pk, when=today - timedelta(days=days_ago))
    RefundFactory(order=order, amount=Decimal("2.00"), confirmed_at=today - timedelta(days=1))
    other = ShopFactory(name="Rival")
    OrderFactory(shop=other, paid_at=today - timedelta(days=1), subtotal=Decimal("999.00"))
    analytics_rollup(start_day=(today - timedelta(days=20)).date(), end_day=today.date())
    return shop


def _member_client(shop: Shop, role: str = ShopMember.Role.STAFF) -> tuple[Client, User]:
    user = UserFactory()
    ShopMemberFactory(shop=shop, user=user, role=role)
    client = Client()
    client.force_login(user)
    return client, user


def test_figures_of_the_last_7_days_against_the_7_before(shop: Shop) -> None:
    today = timezone.now().date()

    analytics = shop_analytics(shop=shop, start=today - timedelta(days=6), end=today)

    totals = analytics.totals
    assert (totals.revenue, totals.orders, totals.units, totals.refunds, totals.views) == (
        Decimal("80.00"),
        2,
        4,
        Decimal("2.00"),
        8,
    )
    assert totals.average_order_value == Decimal("40.00")
    assert totals.conversion == Decimal("25.0")
    previous = analytics.previous
    assert (previous.revenue, previous.orders, previous.views) == (Decimal("40.00"), 1, 4)
    assert analytics.delta("revenue") == Decimal("100.0")
    assert analytics.delta("average_order_value") == Decimal("0.0")
    assert analytics.delta("refunds") is None
    assert [row.title for row in analytics.top_products] == ["Speckled mug"]
    assert (analytics.top_products[0].units, analytics.top_products[0].conversion) == (
        4,
        Decimal("25.0"),
    )
    assert len(analytics.days) == 7
    assert analytics.days[-2].revenue == Decimal("30.00")


def test_a_member_sees_the_page_with_charts_data_within_a_query_budget(
    shop: Shop, django_assert_max_num_queries
) -> None:
    client, _ = _member_client(shop)

    # 4 of them read today live (orders, lines, refunds, viewed products), whatever the sizes;
    # 1 the header's categories menu, cached after the first page; the display-currency flag
    # (on by default) is read once for the page and the footer's currency picker
    with django_assert_max_num_queries(17):
        response = client.get(URL, {"period": "7"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "80.00" in page and "Speckled mug" in page
    assert "100.0 % vs previous period" in page
    assert '<script id="analytics-data" type="application/json">' in page
    assert "999.00" not in page
    assert 'href="/dashboard/analytics/" aria-current="page"' in page


def test_the_default_period_is_the_last_30_days(shop: Shop) -> None:
    client, _ = _member_client(shop)

    response = client.get(URL)

    assert response.context["analytics"].end - response.context["analytics"].start == timedelta(
        days=29
    )
    assert response.context["analytics"].totals.revenue == Decimal("120.00")


def test_the_period_menu_shows_the_period_shown(shop: Shop) -> None:
    client, _ = _member_client(shop)

    default = client.get(URL).context["form"]["period"]
    week = client.get(URL, {"period": "7"}).context["form"]["period"]

    assert '<option value="30" selected>' in str(default)
    assert "selected" not in str(default).replace('<option value="30" selected>', "")
    assert '<option value="7" selected>' in str(week)


def test_todays_sales_count_at_once_without_waiting_for_the_roll_up(shop: Shop) -> None:
    # given a sale, a refund and views today after the last roll-up (which stored today as empty)
    mug = shop.products.get()
    order = OrderFactory(shop=shop, paid_at=timezone.now(), subtotal=Decimal("25.00"))
    OrderLineFactory(
        order=order, variant=mug.variants.get(), quantity=5, unit_price=Decimal("5.00")
    )
    RefundFactory(order=order, amount=Decimal("1.50"), confirmed_at=timezone.now())
    for _ in range(3):
        product_view_record(product_id=mug.pk)
    OrderFactory(shop=ShopFactory(), paid_at=timezone.now(), subtotal=Decimal("777.00"))
    today = timezone.now().date()

    # when the vendor looks at the last 7 days
    analytics = shop_analytics(shop=shop, start=today - timedelta(days=6), end=today)

    # then today is counted live, once, and only for this shop
    assert (analytics.days[-1].revenue, analytics.days[-1].orders, analytics.days[-1].units) == (
        Decimal("25.00"),
        1,
        5,
    )
    assert (analytics.days[-1].refunds, analytics.days[-1].views) == (Decimal("1.50"), 3)
    totals = analytics.totals
    assert (totals.revenue, totals.orders, totals.units, totals.refunds, totals.views) == (
        Decimal("105.00"),
        3,
        9,
        Decimal("3.50"),
        11,
    )
    assert (analytics.top_products[0].revenue, analytics.top_products[0].units) == (
        Decimal("105.00"),
        9,
    )
    # and a later roll-up of today changes nothing
    analytics_rollup(start_day=today, end_day=today)
    again = shop_analytics(shop=shop, start=today - timedelta(days=6), end=today)
    assert again.totals == totals


def test_a_custom_period_needs_both_days_in_order(shop: Shop) -> None:
    client, _ = _member_client(shop)

    missing = client.get(URL, {"period": "custom", "from": "2026-03-01"})
    backwards = client.get(URL, {"period": "custom", "from": "2026-03-05", "to": "2026-03-01"})
    too_long = client.get(URL, {"period": "custom", "from": "2024-01-01", "to": "2026-01-01"})
    fine = client.get(URL, {"period": "custom", "from": "2026-03-01", "to": "2026-03-05"})

    assert missing.context["analytics"] is None
    assert "Choose the last day." in missing.content.decode()
    assert "The end date must not come before the start date." in backwards.content.decode()
    assert "Choose at most a year." in too_long.content.decode()
    assert len(fine.context["analytics"].days) == 5


def test_another_shops_member_gets_404_for_this_shop(shop: Shop) -> None:
    rival = Shop.objects.get(name="Rival")
    client, _ = _member_client(rival)

    response = client.get(URL, {"shop": shop.pk})
    own = client.get(URL, {"period": "7"})

    assert response.status_code == 404
    assert own.context["shop"] == rival
    assert own.context["analytics"].totals.revenue == Decimal("999.00")


def test_a_member_of_two_shops_switches_with_the_shop_parameter(shop: Shop) -> None:
    rival = Shop.objects.get(name="Rival")
    client, user = _member_client(rival)
    ShopMemberFactory(shop=shop, user=user)

    response = client.get(URL, {"shop": shop.pk, "period": "7"})

    assert response.context["analytics"].totals.revenue == Decimal("80.00")


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get(URL)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_user_without_a_shop_is_sent_to_open_one() -> None:
    client = Client()
    client.force_login(UserFactory())

    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/shops/create/"
