"""Reads of notifications and preferences, always of the asking user."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from marketmate.errors import NotFoundError
from notifications.models import Channel, Kind, Notification, NotificationPreference
from notifications.preferences import DEFAULTS


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(user_id=user.pk)


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, user_id=user.pk).first()
    if notification is None:
        raise NotFoundError(_("Notification not found."))
    return notification


def notification_unread_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def preference_matrix_for_user(*, user: User) -> dict[str, dict[str, bool]]:
    """`{kind: {channel: enabled}}` for every kind and channel, the user's choice or the
    default."""
    matrix = {kind: dict(DEFAULTS[kind]) for kind in Kind.values}
    rows = NotificationPreference.objects.filter(user_id=user.pk).values_list(
        "kind", "channel", "enabled"
    )
    for kind, channel, enabled in rows:
        if kind in matrix and channel in Channel.values:
            matrix[kind][channel] = enabled
    return matrix


def channels_enabled_for(*, user: User, kind: str) -> set[str]:
    """The channels on which the user wants to hear about `kind`."""
    enabled = dict(DEFAULTS[kind])
    rows = NotificationPreference.objects.filter(user_id=user.pk, kind=kind).values_list(
        "channel", "enabled"
    )
    enabled.update(dict(rows))
    return {channel for channel, is_enabled in enabled.items() if is_enabled}
