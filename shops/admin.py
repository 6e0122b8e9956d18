"""Staff moderate shops here: approve, suspend and reinstate, each with a reason, audited."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from marketmate.admin_actions import moderation_action
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

    @admin.action(description=gettext_lazy("Approve the selected shops"))
    def approve(self, request: HttpRequest, queryset: QuerySet[Shop]) -> HttpResponse | None:
        return moderation_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="approve",
            title=_("Approve shops"),
            submit_label=_("Approve"),
            transition=lambda shop, actor, reason: services.shop_approve(
                shop=shop, actor=actor, reason=reason
            ),
            reason_required=False,
        )

    @admin.action(description=gettext_lazy("Suspend the selected shops"))
    def suspend(self, request: HttpRequest, queryset: QuerySet[Shop]) -> HttpResponse | None:
        return moderation_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="suspend",
            title=_("Suspend shops"),
            submit_label=_("Suspend"),
            transition=lambda shop, actor, reason: services.shop_suspend(
                shop=shop, actor=actor, reason=reason
            ),
            reason_required=True,
        )

    @admin.action(description=gettext_lazy("Reinstate the selected shops"))
    def reinstate(self, request: HttpRequest, queryset: QuerySet[Shop]) -> HttpResponse | None:
        return moderation_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="reinstate",
            title=_("Reinstate shops"),
            submit_label=_("Reinstate"),
            transition=lambda shop, actor, reason: services.shop_reinstate(
                shop=shop, actor=actor, reason=reason
            ),
            reason_required=False,
        )

    @admin.action(description=gettext_lazy("Hold the payouts of the selected shops"))
    def hold_payouts(self, request: HttpRequest, queryset: QuerySet[Shop]) -> HttpResponse | None:
        return moderation_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="hold_payouts",
            title=_("Hold payouts"),
            submit_label=_("Hold payouts"),
            transition=lambda shop, actor, reason: services.shop_payouts_hold(
                shop=shop, actor=actor, reason=reason
            ),
            reason_required=True,
        )

    @admin.action(description=gettext_lazy("Release the payouts of the selected shops"))
    def release_payouts(
        self, request: HttpRequest, queryset: QuerySet[Shop]
    ) -> HttpResponse | None:
        return moderation_action(
            modeladmin=self,
            request=request,
            queryset=queryset,
            action="release_payouts",
            title=_("Release payouts"),
            submit_label=_("Release payouts"),
            transition=lambda shop, actor, reason: services.shop_payouts_release(
                shop=shop, actor=actor, reason=reason
            ),
            reason_required=True,
        )
