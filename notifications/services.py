"""Notifications for every app: the one dispatch service that fans a notification out to the
channels each user chose (in-app, e-mail through `marketmate.emails.email_send`, web push)."""

import logging
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.emails import email_send
from marketmate.errors import ApplicationError
from marketmate.flags import Switch, switch_is_on
from marketmate.realtime.rooms import realtime_send, user_room
from notifications.exceptions import PushEndpointTakenError
from notifications.models import (
    Channel,
    Kind,
    Notification,
    NotificationPreference,
    PushSubscription,
)
from notifications.selectors import channels_enabled_for, notification_unread_count
from notifications.tasks import send_push_task

logger = logging.getLogger(__name__)


def notification_payload(notification: Notification) -> dict[str, Any]:
    """A notification as the API and the `notification:new` event show it."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": notification.title,
        "body": notification.body,
        "link": notification.link,
        "created": notification.created.isoformat(),
        "read_at": notification.read_at.isoformat() if notification.read_at else None,
    }


def _absolute(link: str) -> str:
    if link.startswith("/"):
        return settings.SITE_URL.rstrip("/") + link
    return link


def notification_dispatch(
    *,
    user: User,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    data: Mapping[str, Any] | None = None,
    key: str | None = None,
) -> Notification | None:
    """Tell `user` about something on every channel they enabled for `kind`, after commit.

    In-app: stored, then `notification:new` is pushed live to `user:{id}`. E-mail: the
    `emails/notification` templates by a background job. Web push: a background job sends to
    every subscription of the user. `title` and `body` are already in the user's language.
    `key` (e.g. `"order-paid:42"`) makes the e-mail and the push go out once however often the
    same notification is dispatched. Returns the stored notification, or None without in-app.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind {kind!r}")
    if not user.is_active:
        return None
    channels = channels_enabled_for(user=user, kind=kind)
    notification = None
    effect_key = key or uuid.uuid4().hex
    with transaction.atomic():
        if Channel.IN_APP in channels:
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                title=title[:200],
                body=body,
                link=link,
                data=dict(data or {}),
            )
            notification_id = notification.pk
            transaction.on_commit(lambda: _notification_push_live(notification_id))
        if Channel.EMAIL in channels and user.email:
            email_send(
                to=user.email,
                template="notification",
                context={
                    "kind": kind,
                    "title": title,
                    "body": body,
                    "link": _absolute(link) if link else "",
                    "name": user.get_short_name(),
                    "preferences_url": _absolute("/notifications/preferences/"),
                },
                language=user.language or None,
                key=f"notification:{kind}:{user.pk}:{effect_key}",
            )
        if (
            Channel.PUSH in channels
            and switch_is_on(Switch.WEB_PUSH)
            and PushSubscription.objects.filter(user_id=user.pk).exists()
        ):
            push = {
                "user_id": user.pk,
                "payload": {"title": title, "body": body, "link": link, "kind": kind},
                "key": f"push:{kind}:{user.pk}:{effect_key}",
            }
            transaction.on_commit(lambda: send_push_task.delay(**push))
    return notification


def _notification_push_live(notification_id: int) -> None:
    notification = Notification.objects.filter(pk=notification_id).select_related("user").first()
    if notification is None:
        return
    realtime_send(
        rooms=[user_room(notification.user_id)],
        payload={
            "type": "notification:new",
            "notification": notification_payload(notification),
            "unread_count": notification_unread_count(user=notification.user),
        },
    )


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one of the user's notifications read (reading twice keeps the first time)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def preferences_update(*, user: User, matrix: Mapping[str, Mapping[str, bool]]) -> None:
    """Store the user's choices `{kind: {channel: enabled}}` (only the kinds and channels
    given change)."""
    fields: dict[str, list[str]] = {}
    for kind, channels in matrix.items():
        if kind not in Kind.values:
            fields.setdefault(kind, []).append(_("Unknown notification kind."))
            continue
        for channel, enabled in channels.items():
            if channel not in Channel.values or not isinstance(enabled, bool):
                fields.setdefault(kind, []).append(
                    _("Unknown channel %(channel)s or a value that is not true or false.")
                    % {"channel": channel}
                )
    if fields:
        raise ApplicationError(
            _("The preferences have invalid fields."), code="validation_error", fields=fields
        )
    for kind, channels in matrix.items():
        for channel, enabled in channels.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
            )


def push_endpoint_check(endpoint: str) -> None:
    """Only https addresses of the browsers' push services: the server posts to this address,
    so anything else (an internal host, a metadata service) would be a server-side request
    forgery. The services are `WEBPUSH_ALLOWED_HOSTS` (a host or any of its sub-domains)."""
    parts = urlsplit(endpoint)
    if parts.scheme != "https":
        raise ApplicationError(
            _("A push endpoint must be an https address."),
            code="validation_error",
            fields={"endpoint": [_("Use an https address.")]},
        )
    host = (parts.hostname or "").lower().rstrip(".")
    if not any(
        host == allowed or host.endswith("." + allowed)
        for allowed in settings.WEBPUSH_ALLOWED_HOSTS
    ):
        raise ApplicationError(
            _("This push service is not supported."),
            code="validation_error",
            fields={"endpoint": [_("Use the address your browser's push service gave you.")]},
        )


def push_subscription_register(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> PushSubscription:
    """Remember a browser's push subscription for the user, or renew their keys for it.

    An endpoint belongs to the user who registered it first until that user removes it:
    registering someone else's endpoint (which would move their notifications, and with new
    keys make them unreadable to the browser) raises PushEndpointTakenError.
    """
    if not settings.WEBPUSH_ALLOW_INSECURE_ENDPOINTS:
        push_endpoint_check(endpoint)
    fields = {"p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]}
    try:
        with transaction.atomic():
            subscription, created = PushSubscription.objects.select_for_update().get_or_create(
                endpoint=endpoint, defaults={"user": user, **fields}
            )
    except IntegrityError:
        # Registered at the same moment by another request: decide on the stored row.
        subscription, created = PushSubscription.objects.get(endpoint=endpoint), False
    if subscription.user_id != user.pk:
        raise PushEndpointTakenError(
            _("This push subscription belongs to another account. Turn notifications off and on.")
        )
    if not created:
        for name, value in fields.items():
            setattr(subscription, name, value)
        subscription.save(update_fields=list(fields))
    return subscription


def push_subscription_unregister(*, user: User, endpoint: str) -> int:
    """Forget the user's subscription with that endpoint; returns how many were removed."""
    deleted, _details = PushSubscription.objects.filter(user_id=user.pk, endpoint=endpoint).delete()
    return deleted
