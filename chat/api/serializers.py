from typing import Any

from django.conf import settings
from django.utils.translation import ngettext
from rest_framework import serializers

from chat.models import Conversation, Message
from chat.services import message_payload


class ConversationStartSerializer(serializers.Serializer[dict[str, Any]]):
    shop_id = serializers.IntegerField(min_value=1)
    product_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    order_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class MessageCreateSerializer(serializers.Serializer[dict[str, Any]]):
    body = serializers.CharField(trim_whitespace=True)

    def validate_body(self, value: str) -> str:
        limit = settings.CHAT_MESSAGE_MAX_LENGTH
        if len(value) > limit:
            raise serializers.ValidationError(
                ngettext(
                    "Ensure this field has no more than %(limit)d character.",
                    "Ensure this field has no more than %(limit)d characters.",
                    limit,
                )
                % {"limit": limit}
            )
        return value


class ReportSerializer(serializers.Serializer[dict[str, Any]]):
    reason = serializers.CharField(max_length=2000, trim_whitespace=True)


class ShopBriefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class ConversationSerializer(serializers.ModelSerializer[Conversation]):
    shop = ShopBriefSerializer(read_only=True)
    buyer_id = serializers.IntegerField(read_only=True)
    buyer_name = serializers.SerializerMethodField()
    product_id = serializers.IntegerField(read_only=True, allow_null=True)
    order_id = serializers.IntegerField(read_only=True, allow_null=True)
    unread_count = serializers.SerializerMethodField()
    side = serializers.SerializerMethodField()

    class Meta:
        model = Conversation
        fields = [
            "id",
            "shop",
            "buyer_id",
            "buyer_name",
            "product_id",
            "order_id",
            "side",
            "unread_count",
            "is_closed",
            "last_message_at",
            "created",
        ]
        read_only_fields = fields

    def get_buyer_name(self, conversation: Conversation) -> str:
        return conversation.buyer.get_full_name()

    def get_unread_count(self, conversation: Conversation) -> int:
        return int(getattr(conversation, "unread_count", 0))

    def get_side(self, conversation: Conversation) -> str:
        request = self.context["request"]
        return "buyer" if conversation.buyer_id == request.user.pk else "shop"


class MessageSerializer(serializers.ModelSerializer[Message]):
    """A message as the `chat:message` event shows it."""

    conversation_id = serializers.IntegerField(read_only=True)
    sender_id = serializers.IntegerField(read_only=True, allow_null=True)
    sender_name = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "conversation_id",
            "sender_id",
            "sender_name",
            "side",
            "body",
            "created",
            "read_at",
        ]
        read_only_fields = fields

    def get_sender_name(self, message: Message) -> str:
        return str(message_payload(message)["sender_name"])


class ReadResultSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
