"""Staff see every shop's keys, endpoints and deliveries, and can switch off an abusive endpoint
or revoke a key (each asks for a reason and is audited)."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from integrations.models import ShopApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from integrations.services import api_key_revoke, webhook_endpoint_disable
from marketmate.admin_actions import ReadOnlyModelAdmin, service_action


@admin.register(ShopApiKey)
class ShopApiKeyAdmin(ReadOnlyModelAdmin):
    list_display = ["name", "shop", "prefix", "created_by", "created", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    list_select_related = ["shop", "created_by"]
    search_fields = ["name", "prefix", "shop__name", "created_by__email"]
    exclude = ["hashed_key"]
    actions = ["revoke"]
    revoke = service_action(
        name="revoke",
        description=_("Revoke the selected keys"),
        title=_("Revoke API keys"),
        submit_label=_("Revoke"),
        service=api_key_revoke,
        reason_required=True,
        target="api_key",
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyModelAdmin):
    list_display = ["url", "shop", "is_active", "failing_since", "disabled_at", "created"]
    list_filter = ["is_active"]
    list_select_related = ["shop"]
    search_fields = ["url", "shop__name"]
    exclude = ["secret"]
    actions = ["disable"]
    disable = service_action(
        name="disable",
        description=_("Disable the selected endpoints"),
        title=_("Disable webhook endpoints"),
        submit_label=_("Disable"),
        service=webhook_endpoint_disable,
        reason_required=True,
        target="endpoint",
    )


class WebhookAttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started", "duration_ms", "status_code", "error", "response_body")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyModelAdmin):
    list_display = [
        "event",
        "endpoint",
        "status",
        "attempt_count",
        "last_status_code",
        "next_attempt_at",
        "created",
    ]
    list_filter = ["status", "event"]
    list_select_related = ["endpoint"]
    search_fields = ["message_id", "endpoint__url", "endpoint__shop__name"]
    inlines = [WebhookAttemptInline]
    date_hierarchy = "created"
