"""Staff read conversations here, find the reported ones, close them or clear the report."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from chat import services
from chat.models import Conversation, Message


class ReportedFilter(admin.SimpleListFilter):
    title = gettext_lazy("reported")
    parameter_name = "reported"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("Reported")), ("no", _("Not reported"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "yes":
            return queryset.filter(reported_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(reported_at__isnull=True)
        return queryset


class MessageInline(admin.TabularInline):
    model = Message
    fields = ("created", "side", "sender", "body", "read_at")
    readonly_fields = ("created", "side", "sender", "body", "read_at")
    extra = 0
    can_delete = False
    ordering = ["created", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "buyer",
        "shop",
        "message_count",
        "last_message_at",
        "reported_at",
        "is_closed",
    ]
    list_filter = [ReportedFilter, "is_closed", "shop"]
    list_select_related = ["buyer", "shop"]
    search_fields = ["buyer__email", "shop__name", "report_reason", "messages__body"]
    readonly_fields = (
        "buyer",
        "shop",
        "product",
        "order",
        "is_closed",
        "reported_at",
        "reported_by",
        "report_reason",
        "last_message_at",
        "created",
    )
    fields = readonly_fields
    inlines = [MessageInline]
    actions = ["close_conversations", "dismiss_reports"]
    ordering = ["-reported_at", "-last_message_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Conversation]:
        return super().get_queryset(request).annotate(message_total=Count("messages"))

    @admin.display(description=gettext_lazy("messages"), ordering="message_total")
    def message_count(self, conversation: Conversation) -> int:
        return int(getattr(conversation, "message_total", 0))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Close: no more messages"))
    def close_conversations(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for conversation in queryset:
            services.conversation_close(conversation=conversation, actor=actor)
        self.message_user(request, _("Conversations closed."), messages.SUCCESS)

    @admin.action(description=gettext_lazy("Clear the report"))
    def dismiss_reports(self, request: HttpRequest, queryset: QuerySet[Conversation]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        for conversation in queryset.filter(reported_at__isnull=False):
            services.conversation_report_dismiss(conversation=conversation, actor=actor)
        self.message_user(request, _("Reports cleared."), messages.SUCCESS)
