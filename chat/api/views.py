"""The chat for mobile clients: conversations, their messages (cursor-paginated), sending
(pushed live as well) and marking read. Every write calls chat.services."""

from typing import Any, cast

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from chat import selectors, services
from chat.api.serializers import (
    ConversationSerializer,
    ConversationStartSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    ReadResultSerializer,
    ReportSerializer,
)
from chat.exceptions import ChatRateLimitedError
from chat.models import Conversation, Message
from marketmate.errors import error_body
from marketmate.flags import Switch, SwitchRequiredAPIMixin
from marketmate.pagination import CursorPagination
from marketmate.throttling import ChatThrottle, scoped_throttles

NOT_FOUND = OpenApiResponse(description="No such conversation, or not yours (the same answer).")


def _user(request: Request) -> User:
    return cast(User, request.user)


class ChatEnabledMixin(SwitchRequiredAPIMixin):
    """Every chat endpoint answers 404 while the `chat` switch is off."""

    feature_switch = Switch.CHAT


class MessageCursorPagination(CursorPagination):
    ordering = ("-created", "-id")  # type: ignore[assignment]
    page_size = 30


class ConversationListView(ChatEnabledMixin, generics.ListAPIView[Conversation]):
    """Conversations of the user as a buyer and for the shops they work for, latest first."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = scoped_throttles(ChatThrottle)
    serializer_class = ConversationSerializer
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Conversation]:
        return selectors.conversation_list_for_user(user=_user(self.request))

    @extend_schema(
        request=ConversationStartSerializer,
        responses={201: ConversationSerializer, 200: ConversationSerializer, 404: NOT_FOUND},
        summary="Start (or find again) a conversation with a shop",
    )
    def post(self, request: Request) -> Response:
        serializer = ConversationStartSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        existing = set(
            selectors.conversation_list_for_buyer(user=_user(request)).values_list("pk", flat=True)
        )
        conversation = services.conversation_start(
            buyer=_user(request), **serializer.validated_data
        )
        conversation = selectors.conversation_list_for_user(user=_user(request)).get(
            pk=conversation.pk
        )
        return Response(
            ConversationSerializer(conversation, context={"request": request}).data,
            status=status.HTTP_200_OK if conversation.pk in existing else status.HTTP_201_CREATED,
        )


class ConversationDetailView(ChatEnabledMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: ConversationSerializer, 404: NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        selectors.conversation_get_for_user(user=_user(request), conversation_id=pk)
        conversation = selectors.conversation_list_for_user(user=_user(request)).get(pk=pk)
        return Response(ConversationSerializer(conversation, context={"request": request}).data)


class MessageListView(ChatEnabledMixin, generics.ListAPIView[Message]):
    """A conversation's messages, newest first, cursor-paginated (`?cursor=`)."""

    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = scoped_throttles(ChatThrottle)
    serializer_class = MessageSerializer
    pagination_class = MessageCursorPagination
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Message]:
        conversation = selectors.conversation_get_for_user(
            user=_user(self.request), conversation_id=self.kwargs["pk"]
        )
        return selectors.message_list_for_conversation(conversation=conversation).select_related(
            "conversation__shop"
        )

    @extend_schema(
        request=MessageCreateSerializer,
        responses={
            201: MessageSerializer,
            404: NOT_FOUND,
            409: OpenApiResponse(description="The conversation is closed."),
            429: OpenApiResponse(description="Too many messages; see `Retry-After`."),
        },
        summary="Send a message (also pushed live to both sides)",
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.conversation_get_for_user(user=_user(request), conversation_id=pk)
        serializer = MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            message = services.message_send(
                conversation=conversation,
                sender=_user(request),
                body=serializer.validated_data["body"],
            )
        except ChatRateLimitedError as exc:
            return Response(
                error_body(exc.code, exc.message),
                status=status.HTTP_429_TOO_MANY_REQUESTS,
                headers={"Retry-After": str(exc.retry_after)},
            )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ConversationReadView(ChatEnabledMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: ReadResultSerializer, 404: NOT_FOUND},
        summary="Mark the other side's messages read",
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.conversation_get_for_user(user=_user(request), conversation_id=pk)
        count = services.conversation_mark_read(conversation=conversation, reader=_user(request))
        return Response({"count": count})


class ConversationReportView(ChatEnabledMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ReportSerializer,
        responses={200: ConversationSerializer, 404: NOT_FOUND},
        summary="Report the conversation to staff",
    )
    def post(self, request: Request, pk: int) -> Response:
        conversation = selectors.conversation_get_for_user(user=_user(request), conversation_id=pk)
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.conversation_report(
            conversation=conversation, reporter=_user(request), **serializer.validated_data
        )
        annotated: Any = selectors.conversation_list_for_user(user=_user(request)).get(pk=pk)
        return Response(ConversationSerializer(annotated, context={"request": request}).data)
