from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from marketmate.admin_actions import ReadOnlyModelAdmin
from marketmate.errors import ApplicationError
from orders.models import (
    Cart,
    CartItem,
    CheckoutRequest,
    Order,
    OrderLine,
    OrderStatusChange,
    Promotion,
    PromotionUsage,
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
    # payments adds "refund_orders" and the disputes (payments/admin.py registers this admin).
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
