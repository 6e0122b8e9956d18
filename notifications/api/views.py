"""Notifications for mobile clients and the browser: list, mark read, preferences, push
subscriptions. Every write calls notifications.services."""

from typing import cast

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from marketmate.errors import NotFoundError
from marketmate.flags import Switch, SwitchRequiredAPIMixin
from marketmate.pagination import CursorPagination
from notifications import selectors, services
from notifications.api.serializers import (
    MarkAllReadSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PushKeySerializer,
    PushSubscriptionSerializer,
    PushUnsubscribeSerializer,
    UnreadCountSerializer,
)
from notifications.models import Notification

NOT_FOUND = OpenApiResponse(description="No such notification, or not yours (the same answer).")


def _user(request: Request) -> User:
    return cast(User, request.user)


class NotificationCursorPagination(CursorPagination):
    ordering = ("-created", "-id")  # type: ignore[assignment]


class NotificationListView(generics.ListAPIView[Notification]):
    """The user's notifications, newest first, cursor-paginated (`?cursor=`)."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = NotificationSerializer
    pagination_class = NotificationCursorPagination
    filter_backends: list[type] = []

    def get_queryset(self) -> QuerySet[Notification]:
        return selectors.notification_list_for_user(user=_user(self.request))


class UnreadCountView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: UnreadCountSerializer})
    def get(self, request: Request) -> Response:
        return Response({"unread_count": selectors.notification_unread_count(user=_user(request))})


class NotificationReadView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: NotificationSerializer, 404: NOT_FOUND})
    def post(self, request: Request, pk: int) -> Response:
        notification = selectors.notification_get_for_user(user=_user(request), notification_id=pk)
        services.notification_mark_read(notification=notification)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=None, responses={200: MarkAllReadSerializer})
    def post(self, request: Request) -> Response:
        return Response({"count": services.notification_mark_all_read(user=_user(request))})


class PreferencesView(APIView):
    """Which kinds the user hears about on which channel: `{kind: {channel: enabled}}`."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: PreferencesSerializer})
    def get(self, request: Request) -> Response:
        return Response(selectors.preference_matrix_for_user(user=_user(request)))

    @extend_schema(
        request=PreferencesSerializer,
        responses={200: PreferencesSerializer, 400: OpenApiResponse(description="Invalid fields.")},
        summary="Change some or all preferences",
    )
    def put(self, request: Request) -> Response:
        serializer = PreferencesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(serializer.fields))
        if unknown:
            raise ValidationError({kind: [_("Unknown notification kind.")] for kind in unknown})
        services.preferences_update(user=_user(request), matrix=serializer.validated_data)
        return Response(selectors.preference_matrix_for_user(user=_user(request)))


class WebPushEnabledMixin(SwitchRequiredAPIMixin):
    """Getting the key and subscribing answer 404 while the `web_push` switch is off
    (unsubscribing still works, so a browser can always forget its subscription)."""

    feature_switch = Switch.WEB_PUSH


class PushKeyView(WebPushEnabledMixin, APIView):
    """The VAPID public key for `PushManager.subscribe({applicationServerKey})`."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={200: PushKeySerializer})
    def get(self, request: Request) -> Response:
        return Response({"public_key": settings.VAPID_PUBLIC_KEY})


class PushSubscriptionView(WebPushEnabledMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={
            201: PushSubscriptionSerializer,
            400: OpenApiResponse(description="Invalid."),
            409: OpenApiResponse(description="The endpoint is registered to another account."),
        },
        summary="Register this browser's push subscription",
    )
    def post(self, request: Request) -> Response:
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.push_subscription_register(
            user=_user(request),
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class PushUnsubscribeView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=PushUnsubscribeSerializer,
        responses={204: None, 404: OpenApiResponse(description="No such subscription of yours.")},
        summary="Forget this browser's push subscription",
    )
    def post(self, request: Request) -> Response:
        serializer = PushUnsubscribeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        removed = services.push_subscription_unregister(
            user=_user(request), endpoint=serializer.validated_data["endpoint"]
        )
        if not removed:
            raise NotFoundError(_("Push subscription not found."))
        return Response(status=status.HTTP_204_NO_CONTENT)
