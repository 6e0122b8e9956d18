"""The vendor's analytics page: the current shop's figures from the daily roll-ups."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from analytics.forms import AnalyticsPeriodForm
from analytics.selectors import ShopAnalytics, shop_analytics
from shops.permissions import ShopMemberRequiredMixin, current_shop_set


def chart_data(analytics: ShopAnalytics) -> dict[str, list[str] | list[int]]:
    return {
        "labels": [figures.day.isoformat() for figures in analytics.days],
        "revenue": [f"{figures.revenue:.2f}" for figures in analytics.days],
        "refunds": [f"{figures.refunds:.2f}" for figures in analytics.days],
        "orders": [figures.orders for figures in analytics.days],
        "units": [figures.units for figures in analytics.days],
        "views": [figures.views for figures in analytics.days],
    }


class ShopAnalyticsView(ShopMemberRequiredMixin, View):
    """Revenue, orders, units, refunds, views and conversion of the current shop over a period,
    against the period before. `?shop=` switches to another of the user's shops (404 if not)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if request.GET.get("shop", "").isdigit():
            self.shop = current_shop_set(request, shop_id=int(request.GET["shop"]))
        form = AnalyticsPeriodForm(request.GET)
        analytics = None
        if form.is_valid():
            analytics = shop_analytics(
                shop=self.shop, start=form.cleaned_data["start"], end=form.cleaned_data["end"]
            )
        stats = []
        if analytics is not None:
            totals = analytics.totals
            stats = [
                {
                    "label": label,
                    "value": value,
                    "delta": analytics.delta(name),
                    "suffix": "%" if name == "conversion" else "",
                    "is_money": name in ("revenue", "average_order_value", "refunds"),
                }
                for name, label, value in (
                    ("revenue", _("Revenue"), totals.revenue),
                    ("orders", _("Orders"), totals.orders),
                    ("average_order_value", _("Average order"), totals.average_order_value),
                    ("units", _("Units sold"), totals.units),
                    ("refunds", _("Refunds"), totals.refunds),
                    ("views", _("Product views"), totals.views),
                    ("conversion", _("Conversion"), totals.conversion),
                )
            ]
        return render(
            request,
            "analytics/shop_analytics.html",
            {
                "shop": self.shop,
                "form": form,
                "analytics": analytics,
                "stats": stats,
                "chart_data": chart_data(analytics) if analytics else None,
            },
        )
