from typing import Any

from rest_framework import serializers

from notifications.models import Channel, Kind, Notification


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "data", "read_at", "created"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer[Any]):
    unread_count = serializers.IntegerField()


class MarkAllReadSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()


class ChannelsSerializer(serializers.Serializer[Any]):
    in_app = serializers.BooleanField(required=False)
    email = serializers.BooleanField(required=False)
    push = serializers.BooleanField(required=False)


def _preferences_fields() -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    return {
        kind: ChannelsSerializer(required=False, help_text=str(Kind(kind).label))
        for kind in Kind.values
    }


PreferencesSerializer = type(
    "PreferencesSerializer",
    (serializers.Serializer,),
    {
        **_preferences_fields(),
        "__doc__": "`{kind: {channel: enabled}}` for the kinds "
        + ", ".join(Kind.values)
        + " and the channels "
        + ", ".join(Channel.values)
        + ".",
    },
)


class PushSubscriptionKeysSerializer(serializers.Serializer[Any]):
    p256dh = serializers.CharField(max_length=200)
    auth = serializers.CharField(max_length=100)


class PushSubscriptionSerializer(serializers.Serializer[Any]):
    """The browser's `PushSubscription.toJSON()`."""

    endpoint = serializers.URLField(max_length=2048)
    keys = PushSubscriptionKeysSerializer()


class PushUnsubscribeSerializer(serializers.Serializer[Any]):
    endpoint = serializers.URLField(max_length=2048)


class PushKeySerializer(serializers.Serializer[Any]):
    public_key = serializers.CharField(allow_blank=True)
