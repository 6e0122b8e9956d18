"""The sales figures on the dashboard overview: sales of today and of the last 30 days (to the
analytics page), and the paid orders waiting to be shipped (to the orders list), all from one
query."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from analytics.selectors import open_day, shop_sales_overview
from marketmate.currency import money_format
from orders.models import Order
from shops.models import ShopMember
from shops.overview import OverviewFigure


def sales_overview_figures(membership: ShopMember) -> list[OverviewFigure]:
    """The overview provider of the analytics app (registered in `AnalyticsConfig.ready`)."""
    shop = membership.shop
    sales = shop_sales_overview(shop=shop)
    analytics = reverse("dashboard:analytics")
    today = open_day().isoformat()
    return [
        OverviewFigure(
            key="sales_today",
            label=_("Sales today"),
            value=money_format(amount=sales.today, currency=shop.currency),
            url=f"{analytics}?{urlencode({'period': 'custom', 'from': today, 'to': today})}",
            position=10,
        ),
        OverviewFigure(
            key="sales_period",
            label=_("Sales, last %(days)d days") % {"days": sales.period_days},
            value=money_format(amount=sales.period, currency=shop.currency),
            url=f"{analytics}?{urlencode({'period': sales.period_days})}",
            position=20,
        ),
        OverviewFigure(
            key="orders_to_ship",
            label=_("Orders to ship"),
            value=str(sales.to_ship),
            url=f"{reverse('dashboard_orders:list')}?{urlencode({'status': Order.Status.PAID})}",
            position=30,
            needs_attention=sales.to_ship > 0,
        ),
    ]
