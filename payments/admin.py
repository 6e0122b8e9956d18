"""Staff's view of payments: read-mostly, with actions that go through the services."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from marketmate.admin_actions import ReadOnlyModelAdmin, reason_action
from orders.admin import OrderAdmin
from orders.models import Order
from payments.models import (
    CommissionRate,
    ConnectedAccount,
    Dispute,
    Invoice,
    LedgerAccount,
    LedgerEntry,
    LedgerPosting,
    LedgerTransaction,
    Payment,
    Payout,
    ReconciliationAlert,
    Refund,
    WebhookEvent,
)
from payments.selectors import order_disputes
from payments.services.payouts import payout_mark_paid
from payments.services.reconciliation import ledger_reconcile, reconciliation_alert_close
from payments.services.refunds import refund_request, refunds_settle_pending, refunds_stale
from payments.services.webhooks import webhook_event_process


class OrderRefundAdmin(OrderAdmin):
    """The orders' admin with what belongs to payments: the refund action and the disputes."""

    actions = [*OrderAdmin.actions, "refund_orders"]
    readonly_fields = [*OrderAdmin.readonly_fields, "disputes"]

    @admin.display(description=_("Disputes"))
    def disputes(self, obj: Order) -> str:
        """The disputes of the order's payments (status, amounts, reason, dates, fee)."""
        panel = render_to_string(
            "payments/includes/order_disputes.html",
            {"order": obj, "disputes": order_disputes(order=obj)},
        )
        return mark_safe(panel) if panel.strip() else "—"  # noqa: S308 (our template, escaped)

    @admin.action(description=_("Refund the selected orders in full and restock"))
    def refund_orders(self, request: HttpRequest, queryset: QuerySet[Order]) -> HttpResponse | None:
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


admin.site.unregister(Order)
admin.site.register(Order, OrderRefundAdmin)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "buyer",
        "amount",
        "currency",
        "provider",
        "status",
        "amount_refunded",
        "dispute_status",
        "created",
    ]
    list_filter = ["status", "provider", "dispute_status", "currency"]
    search_fields = ["provider_payment_id", "buyer__email", "orders__number"]
    date_hierarchy = "created"


class DisputeInline(admin.TabularInline):
    model = Dispute
    extra = 0
    can_delete = False
    fields = [
        "provider_dispute_id",
        "status",
        "amount",
        "reason",
        "fee",
        "fee_returned",
        "opened_at",
        "closed_at",
    ]
    readonly_fields = [
        "provider_dispute_id",
        "status",
        "amount",
        "reason",
        "fee",
        "fee_returned",
        "opened_at",
        "closed_at",
    ]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


PaymentAdmin.inlines = [DisputeInline]


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyModelAdmin):
    list_display = [
        "provider_dispute_id",
        "payment",
        "status",
        "amount",
        "currency",
        "reason",
        "fee",
        "fee_returned",
        "opened_at",
        "closed_at",
    ]
    list_filter = ["status", "reason", "currency"]
    search_fields = ["provider_dispute_id", "payment__orders__number"]
    date_hierarchy = "opened_at"


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyModelAdmin):
    list_display = ["event_id", "type", "status", "source", "deliveries", "received_at"]
    list_filter = ["status", "type", "source"]
    search_fields = ["event_id"]
    actions = ["process_again"]

    @admin.action(description=_("Process the selected received events now"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[WebhookEvent]) -> None:
        for event in queryset.filter(status=WebhookEvent.Status.RECEIVED):
            webhook_event_process(event=event)
        messages.success(request, _("Done."))


class StalePendingFilter(admin.SimpleListFilter):
    title = _("pending too long")
    parameter_name = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("Pending longer than expected"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Refund]) -> QuerySet[Refund]:
        if self.value() == "yes":
            return queryset.filter(pk__in=refunds_stale().values("pk"))
        return queryset


@admin.register(Refund)
class RefundAdmin(ReadOnlyModelAdmin):
    list_display = [
        "id",
        "order",
        "amount",
        "currency",
        "status",
        "provider_refund_id",
        "requested_by",
        "created",
    ]
    list_filter = [StalePendingFilter, "status"]
    list_select_related = ["order", "requested_by"]
    search_fields = ["order__number", "provider_refund_id"]
    actions = ["settle_now"]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        stale = refunds_stale().count()
        if stale:
            messages.warning(
                request,
                ngettext(
                    "%(count)d refund has been pending longer than expected.",
                    "%(count)d refunds have been pending longer than expected.",
                    stale,
                )
                % {"count": stale},
            )
        return super().changelist_view(request, extra_context)

    @admin.action(description=_("Settle stale pending refunds now"))
    def settle_now(self, request: HttpRequest, queryset: QuerySet[Refund]) -> None:
        settled = refunds_settle_pending()
        messages.success(request, _("%(count)d refunds settled.") % {"count": settled})


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyModelAdmin):
    list_display = ["created", "shop", "kind", "amount", "currency", "available_at", "reference"]
    list_filter = ["kind", "currency"]
    search_fields = ["reference", "shop__name", "order__number"]
    date_hierarchy = "created"


@admin.register(Payout)
class PayoutAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "shop", "amount", "currency", "method", "status", "created", "paid_at"]
    list_filter = ["status", "method"]
    search_fields = ["shop__name", "provider_transfer_id"]
    actions = ["mark_paid"]

    @admin.action(description=_("Mark the selected manual payouts as paid"))
    def mark_paid(self, request: HttpRequest, queryset: QuerySet[Payout]) -> None:
        for payout in queryset.filter(status=Payout.Status.PENDING, method=Payout.Method.MANUAL):
            payout_mark_paid(payout=payout, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Done."))


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyModelAdmin):
    list_display = ["number", "order", "created"]
    search_fields = ["number", "order__number"]


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "shop", "category", "percent", "fixed_fee"]
    list_select_related = ["shop", "category"]


@admin.register(ConnectedAccount)
class ConnectedAccountAdmin(ReadOnlyModelAdmin):
    list_display = ["shop", "stripe_account_id", "created"]


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "kind", "shop"]
    list_filter = ["kind"]
    list_select_related = ["shop"]
    search_fields = ["shop__name"]


class LedgerPostingInline(admin.TabularInline):
    model = LedgerPosting
    fields = ["account", "amount", "currency"]
    readonly_fields = ["account", "amount", "currency"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyModelAdmin):
    list_display = ["created", "reference", "kind", "currency", "order", "payout"]
    list_filter = ["kind", "currency"]
    list_select_related = ["order", "payout"]
    search_fields = ["reference", "order__number"]
    inlines = [LedgerPostingInline]


@admin.register(ReconciliationAlert)
class ReconciliationAlertAdmin(ReadOnlyModelAdmin):
    """The reconciliation page: every mismatch found, open until staff close it."""

    list_display = ["created", "check_name", "shop", "currency", "expected", "actual", "is_open"]
    list_filter = ["is_open", "check_name", "currency"]
    list_select_related = ["shop"]
    actions = ["reconcile_now", "close"]

    @admin.action(description=_("Run the reconciliation now"))
    def reconcile_now(self, request: HttpRequest, queryset: QuerySet[ReconciliationAlert]) -> None:
        alerts = ledger_reconcile()
        level = messages.ERROR if alerts else messages.SUCCESS
        messages.add_message(
            request,
            level,
            _("%(count)d mismatches found.") % {"count": len(alerts)}
            if alerts
            else _("The ledger reconciles."),
        )

    @admin.action(description=_("Close (explained and handled)"))
    def close(self, request: HttpRequest, queryset: QuerySet[ReconciliationAlert]) -> None:
        for alert in queryset.filter(is_open=True):
            reconciliation_alert_close(alert=alert, actor=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Done."))
