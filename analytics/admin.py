"""The staff's sales reports page and the read-only daily roll-ups, in the admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from analytics.forms import SalesReportForm
from analytics.models import ProductDailyStats, SalesReport, ShopDailyStats
from analytics.selectors import sales_report, sales_report_chart_data, sales_report_csv
from marketmate.admin_actions import ReadOnlyModelAdmin


@admin.register(SalesReport)
class SalesReportAdmin(admin.ModelAdmin):
    """The sales reports page: GMV, orders, commission, refunds and sign-ups as charts and
    tables, with a CSV export; the same figures as `GET /api/v1/admin/reports`."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        data = request.GET.copy()
        for name, value in SalesReportForm.defaults().items():
            data.setdefault(name, value)
        form = SalesReportForm(data)
        report = None
        if form.is_valid():
            params = form.cleaned_data
            report = sales_report(
                start=params["from"],
                end=params["to"],
                group=params["group"],
                currency=params["currency"],
                shop_id=params["shop"].pk if params.get("shop") else None,
            )
            if request.GET.get("format") == "csv":
                response = HttpResponse(
                    sales_report_csv(report), content_type="text/csv; charset=utf-8"
                )
                filename = f"sales-{report.start}-{report.end}-{report.group}.csv"
                response["Content-Disposition"] = f'attachment; filename="{filename}"'
                return response
        query = data.copy()
        query["format"] = "csv"
        per_shop = data.copy()
        per_shop.pop("shop", None)
        per_shop.pop("format", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Sales reports"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "chart_data": sales_report_chart_data(report) if report else None,
            "csv_query": query.urlencode(),
            "shop_query": per_shop.urlencode(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "analytics/admin/sales_report.html", context)


class DailyStatsAdmin(ReadOnlyModelAdmin):
    """Roll-ups are rewritten by the analytics job only: staff can look, never edit."""

    date_hierarchy = "day"
    list_filter = ["currency"]
    readonly_fields = ["updated"]


@admin.register(ShopDailyStats)
class ShopDailyStatsAdmin(DailyStatsAdmin):
    list_display = ["day", "shop", "currency", "revenue", "orders", "units", "refunds", "views"]
    list_select_related = ["shop"]
    search_fields = ["shop__name"]


@admin.register(ProductDailyStats)
class ProductDailyStatsAdmin(DailyStatsAdmin):
    list_display = ["day", "product", "shop", "currency", "revenue", "orders", "units", "views"]
    list_select_related = ["product", "shop"]
    search_fields = ["product__title", "shop__name"]
