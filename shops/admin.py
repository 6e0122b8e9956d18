"""Staff moderate shops here: approve, suspend and reinstate, each with a reason, audited."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from marketmate.admin_actions import service_action
from shops import services
from shops.models import Shop, ShopInvitation, ShopMember


class ShopMemberInline(admin.TabularInline):
    model = ShopMember
    extra = 0
    raw_id_fields = ["user"]
    fields = ["user", "role", "created"]
    readonly_fields = ["created"]


class ShopInvitationInline(admin.TabularInline):
    model = ShopInvitation
    extra = 0
    fields = ["email", "role", "invited_by", "created", "accepted_at"]
    readonly_fields = ["email", "role", "invited_by", "created", "accepted_at"]
    can_delete = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Shop)
class ShopAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "owner",
        "status",
        "payouts_on_hold",
        "currency",
        "country",
        "created",
    ]
    list_filter = ["status", "payouts_on_hold", "currency", "country"]
    search_fields = ["name", "slug", "owner__email"]
    list_select_related = ["owner"]
    raw_id_fields = ["owner"]
    # Status and the payout hold change only through the audited actions below.
    readonly_fields = ["status", "payouts_on_hold", "created", "updated"]
    inlines = [ShopMemberInline, ShopInvitationInline]
    actions = ["approve", "suspend", "reinstate", "hold_payouts", "release_payouts"]
    date_hierarchy = "created"

    approve = service_action(
        name="approve",
        description=gettext_lazy("Approve the selected shops"),
        title=gettext_lazy("Approve shops"),
        submit_label=gettext_lazy("Approve"),
        service=services.shop_approve,
        reason_required=False,
        target="shop",
    )
    suspend = service_action(
        name="suspend",
        description=gettext_lazy("Suspend the selected shops"),
        title=gettext_lazy("Suspend shops"),
        submit_label=gettext_lazy("Suspend"),
        service=services.shop_suspend,
        reason_required=True,
        target="shop",
    )
    reinstate = service_action(
        name="reinstate",
        description=gettext_lazy("Reinstate the selected shops"),
        title=gettext_lazy("Reinstate shops"),
        submit_label=gettext_lazy("Reinstate"),
        service=services.shop_reinstate,
        reason_required=False,
        target="shop",
    )
    hold_payouts = service_action(
        name="hold_payouts",
        description=gettext_lazy("Hold the payouts of the selected shops"),
        title=gettext_lazy("Hold payouts"),
        submit_label=gettext_lazy("Hold payouts"),
        service=services.shop_payouts_hold,
        reason_required=True,
        target="shop",
    )
    release_payouts = service_action(
        name="release_payouts",
        description=gettext_lazy("Release the payouts of the selected shops"),
        title=gettext_lazy("Release payouts"),
        submit_label=gettext_lazy("Release payouts"),
        service=services.shop_payouts_release,
        reason_required=True,
        target="shop",
    )
