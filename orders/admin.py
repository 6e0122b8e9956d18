from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketmate.errors import ApplicationError
from orders.models import (
    Order,
    OrderLine,
    OrderStatusChange,
    Promotion,
    ShippingMethod,
    ShippingWeightBand,
    TaxRate,
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
    actions = ["cancel_orders"]
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
