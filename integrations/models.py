"""Shop API keys and outbound webhooks: what a shop connects to its own systems."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shops.models import Shop


class Scope(models.TextChoices):
    CATALOG_READ = "catalog:read", _("Read products")
    CATALOG_WRITE = "catalog:write", _("Change products")
    INVENTORY_WRITE = "inventory:write", _("Change stock")
    ORDERS_READ = "orders:read", _("Read orders")
    ORDERS_WRITE = "orders:write", _("Ship, complete and cancel orders")


class WebhookEvent(models.TextChoices):
    ORDER_PLACED = "order.placed", _("Order placed")
    ORDER_PAID = "order.paid", _("Order paid")
    ORDER_SHIPPED = "order.shipped", _("Order shipped")
    ORDER_COMPLETED = "order.completed", _("Order completed")
    ORDER_CANCELLED = "order.cancelled", _("Order cancelled")
    ORDER_REFUNDED = "order.refunded", _("Order refunded")
    PRODUCT_CREATED = "product.created", _("Product created")
    PRODUCT_UPDATED = "product.updated", _("Product updated")
    PRODUCT_DELETED = "product.deleted", _("Product deleted")
    INVENTORY_LOW = "inventory.low", _("Stock running low")
    REVIEW_CREATED = "review.created", _("Review written")
    PAYOUT_PAID = "payout.paid", _("Payout paid")


class ShopApiKey(models.Model):
    """A key a shop's systems send as `Authorization: Api-Key <prefix>.<secret>`.

    Only a SHA-256 hash of the key is stored: the key is long and random, so a slow hash would
    add nothing but latency to every request.
    """

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="api_keys", verbose_name=_("shop")
    )
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    hashed_key = models.CharField(_("hashed key"), max_length=64, editable=False)
    scopes = models.JSONField(_("scopes"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.CharField(_("why revoked"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("shop API key")
        verbose_name_plural = _("shop API keys")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["shop", "-created"], name="apikey_shop_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()


class WebhookEndpoint(models.Model):
    """An HTTPS address of the shop's that hears the events it subscribed to."""

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="webhook_endpoints", verbose_name=_("shop")
    )
    url = models.CharField(_("URL"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=120, blank=True)
    # The Standard Webhooks secret (`whsec_` + base64). Kept in clear: signing needs it.
    secret = models.CharField(_("signing secret"), max_length=80, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)
    disabled_reason = models.CharField(_("why disabled"), max_length=200, blank=True)
    # Set by the first failed delivery after a success; a day of failures disables the endpoint.
    failing_since = models.DateTimeField(_("failing since"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["shop", "is_active"], name="webhook_shop_active")]

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One message to one endpoint, tried until it is accepted or given up."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("endpoint"),
    )
    # The `webhook-id` header: the same for every attempt and redelivery, so receivers can
    # de-duplicate.
    message_id = models.CharField(_("message id"), max_length=40)
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempt_count = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response status"), null=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created", "-id"], name="delivery_endpoint_created"),
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="delivery_pending_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.message_id}"


class WebhookAttempt(models.Model):
    """One HTTP request of a delivery and what came back."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("delivery"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    started = models.DateTimeField(_("started"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)
    request_headers = models.JSONField(_("request headers"), default=dict)
    status_code = models.PositiveSmallIntegerField(_("response status"), null=True)
    response_body = models.TextField(_("response body"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        ordering = ["delivery", "number"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"

    @property
    def is_success(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
