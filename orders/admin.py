from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from marketmate.admin_actions import ReadOnlyModelAdmin, reason_action
from marketmate.errors import ApplicationError
from orders.forms_analytics import SalesReportForm
from orders.models import (
    Cart,
    CartItem,
    CheckoutRequest,
    Order,
    OrderLine,
    OrderStatusChange,
    ProductDailyStats,
    Promotion,
    PromotionUsage,
    SalesReport,
    ShippingMethod,
    ShippingWeightBand,
    ShopDailyStats,
    TaxRate,
)
from orders.selectors_analytics import (
    sales_report,
    sales_report_chart_data,
    sales_report_csv,
)
from orders.services.lifecycle import order_cancel


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "product_title",
        "sku",
        "options",
        "unit_price",
        "quantity",
        "discount",
        "tax",
        "total",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OrderStatusChangeInline(admin.TabularInline):
    model = OrderStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("created", "from_status", "to_status", "actor", "note")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    """Orders are read here; their status changes only through the state machine (actions)."""

    list_display = ["number", "created", "buyer", "shop", "status", "total", "currency"]
    list_filter = ["status", "currency", "created"]
    list_select_related = ["buyer", "shop"]
    search_fields = ["number", "buyer__email", "shop__name", "tracking_number"]
    date_hierarchy = "created"
    inlines = [OrderLineInline, OrderStatusChangeInline]
    actions = ["cancel_orders", "refund_orders"]
    readonly_fields = [field.name for field in Order._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Cancel the selected orders and restock"))
    def cancel_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        cancelled = 0
        for order in queryset:
            try:
                order_cancel(order=order, actor=request.user, reason=str(_("Cancelled by staff.")))  # type: ignore[arg-type]
            except ApplicationError as error:
                self.message_user(request, f"{order.number}: {error.message}", messages.WARNING)
            else:
                cancelled += 1
        self.message_user(request, _("%(count)d orders cancelled.") % {"count": cancelled})

    @admin.action(description=_("Refund the selected orders in full and restock"))
    def refund_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
        from payments.services.refunds import refund_request

        def refund(order: Order, actor: Any, reason: str) -> Any:
            return refund_request(
                actor=actor,
                order=order,
                restock=True,
                reason=reason,
                idempotency_key=f"admin-refund-{order.pk}",
            )

        return reason_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="refund_orders",
            title=str(_("Refund orders in full")),
            submit_label=str(_("Refund and restock")),
            transition=refund,
            reason_required=True,
        )


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "value", "shop", "is_active", "times_used", "ends_at"]
    list_filter = ["kind", "is_active", ("shop", admin.EmptyFieldListFilter)]
    list_select_related = ["shop"]
    search_fields = ["name", "code", "shop__name"]
    raw_id_fields = ["shop"]
    filter_horizontal = ["categories"]
    readonly_fields = ["times_used", "created", "updated"]


@admin.register(TaxRate)
class TaxRateAdmin(admin.ModelAdmin):
    list_display = ["country", "region", "name", "rate"]
    list_filter = ["country"]
    search_fields = ["country", "region", "name"]


class ShippingWeightBandInline(admin.TabularInline):
    model = ShippingWeightBand
    extra = 1


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "shop", "kind", "price", "free_above", "is_default", "is_active"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["shop"]
    search_fields = ["name", "shop__name"]
    raw_id_fields = ["shop"]
    inlines = [ShippingWeightBandInline]


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
        return TemplateResponse(request, "admin/reports.html", context)


class DailyStatsAdmin(admin.ModelAdmin):
    """Roll-ups are rewritten by the analytics job only: staff can look, never edit."""

    date_hierarchy = "day"
    list_filter = ["currency"]
    readonly_fields = ["updated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    can_delete = False
    fields = readonly_fields = ("variant", "quantity", "price_when_added", "updated")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[CartItem]:
        return super().get_queryset(request).select_related("variant__product")


@admin.register(Cart)
class CartAdmin(ReadOnlyModelAdmin):
    """Shoppers' carts, to answer "what was in my cart?" (signed-in carts only)."""

    list_display = ["pk", "user", "items", "updated"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    date_hierarchy = "updated"
    inlines = [CartItemInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Cart]:
        return super().get_queryset(request).annotate(item_count=Count("items"))

    @admin.display(description=_("items"), ordering="item_count")
    def items(self, cart: Any) -> int:
        return int(cart.item_count)


@admin.register(PromotionUsage)
class PromotionUsageAdmin(ReadOnlyModelAdmin):
    list_display = ["created", "promotion", "user", "checkout_reference"]
    list_select_related = ["promotion", "user"]
    search_fields = ["promotion__code", "user__email"]
    date_hierarchy = "created"


@admin.register(CheckoutRequest)
class CheckoutRequestAdmin(ReadOnlyModelAdmin):
    """Checkouts answered once per Idempotency-Key: what a retried request got back."""

    list_display = ["created", "user", "key", "checkout_reference"]
    list_select_related = ["user"]
    search_fields = ["user__email", "key", "checkout_reference"]
    date_hierarchy = "created"
