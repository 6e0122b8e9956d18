"""Notifications, each user's preferences per kind and channel, and web-push subscriptions.
Only `notifications.services` writes these rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ORDER_PLACED = "order_placed", _("New order (for shops)")
    ORDER_PAID = "order_paid", _("Order paid")
    ORDER_SHIPPED = "order_shipped", _("Order shipped")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled")
    ORDER_REFUNDED = "order_refunded", _("Order refunded")
    CHAT_MESSAGE = "chat_message", _("New message while you are away")
    SHOP_APPROVED = "shop_approved", _("Shop approved")
    SHOP_SUSPENDED = "shop_suspended", _("Shop suspended")
    REVIEW_RECEIVED = "review_received", _("New review (for shops)")
    WISHLIST_PRICE_DROP = "wishlist_price_drop", _("Price drop on your wishlist")
    WISHLIST_BACK_IN_STOCK = "wishlist_back_in_stock", _("Back in stock on your wishlist")
    WEBHOOK_DISABLED = "webhook_disabled", _("Webhook endpoint disabled (for shops)")


class Channel(models.TextChoices):
    IN_APP = "in_app", _("On the site")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Push notification")


class Notification(models.Model):
    """Something that happened that one user should hear about, shown under the header bell."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["user", "-created", "-id"], name="notif_user_created"),
            models.Index(
                fields=["user"], condition=models.Q(read_at__isnull=True), name="notif_user_unread"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice for one kind on one channel. Without a row the default applies
    (`notifications.preferences.DEFAULTS`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    enabled = models.BooleanField(_("enabled"))
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notifications_preference_unique"
            ),
        ]

    def __str__(self) -> str:
        state = "on" if self.enabled else "off"
        return f"{self.user}: {self.kind} by {self.channel} {state}"


class PushSubscription(models.Model):
    """A browser's web-push subscription (from the service worker); removed when the push
    service answers 404 or 410."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="push_subscriptions",
        verbose_name=_("user"),
    )
    endpoint = models.URLField(_("endpoint"), max_length=2048, unique=True)
    p256dh = models.CharField(_("public key"), max_length=200)
    auth = models.CharField(_("auth secret"), max_length=100)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("push subscription")
        verbose_name_plural = _("push subscriptions")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.user}: {self.endpoint[:60]}"
