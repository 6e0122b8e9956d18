from typing import Any

from rest_framework import serializers

from integrations.models import (
    Scope,
    ShopApiKey,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)


class ApiKeySerializer(serializers.ModelSerializer[ShopApiKey]):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=Scope.choices))
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ShopApiKey
        fields = [
            "id",
            "name",
            "prefix",
            "scopes",
            "created",
            "created_by",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_is_active(self, key: ShopApiKey) -> bool:
        from django.utils import timezone

        return key.revoked_at is None and (
            key.expires_at is None or key.expires_at > timezone.now()
        )


class ApiKeyCreatedSerializer(ApiKeySerializer):
    key = serializers.SerializerMethodField(help_text="The full key: shown this once only.")

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key"]
        read_only_fields = fields

    def get_key(self, key: ShopApiKey) -> str:
        return str(self.context["raw_key"])


class ApiKeyCreateSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(max_length=80)
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=Scope.choices), allow_empty=False
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class WebhookEndpointSerializer(serializers.ModelSerializer[WebhookEndpoint]):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "disabled_at",
            "disabled_reason",
            "failing_since",
            "created",
        ]
        read_only_fields = fields


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The Standard Webhooks signing secret (`whsec_...`): shown once."
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False
    )
    description = serializers.CharField(max_length=120, required=False, allow_blank=True)


class WebhookEndpointUpdateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=500, required=False)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices),
        allow_empty=False,
        required=False,
    )
    description = serializers.CharField(max_length=120, required=False, allow_blank=True)
    is_active = serializers.BooleanField(required=False)


class WebhookAttemptSerializer(serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields = [
            "number",
            "started",
            "duration_ms",
            "status_code",
            "response_body",
            "error",
            "request_headers",
        ]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer[WebhookDelivery]):
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "message_id",
            "event",
            "status",
            "attempt_count",
            "next_attempt_at",
            "last_status_code",
            "created",
            "payload",
            "attempts",
        ]
        read_only_fields = fields
