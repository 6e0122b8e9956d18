"""Staff can look up what a user was told and which browsers receive their pushes."""

from django.contrib import admin
from django.http import HttpRequest

from notifications.models import Notification, NotificationPreference, PushSubscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created", "user", "kind", "title", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["user__email", "title"]
    readonly_fields = ["user", "kind", "title", "body", "link", "data", "read_at", "created"]
    date_hierarchy = "created"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel", "enabled"]
    list_filter = ["kind", "channel", "enabled"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    readonly_fields = ["user", "kind", "channel", "enabled", "updated"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "user_agent", "created", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__email", "endpoint"]
    readonly_fields = [
        "user",
        "endpoint",
        "p256dh",
        "auth",
        "user_agent",
        "created",
        "last_used_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
