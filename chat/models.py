"""Conversations between a buyer and a shop, and their messages. Only `chat.services` writes
these rows."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import Product
from shops.models import Shop


class Side(models.TextChoices):
    """Which end of a conversation a message comes from."""

    BUYER = "buyer", _("Buyer")
    SHOP = "shop", _("Shop")


class Conversation(models.Model):
    """A buyer talking to a shop, optionally about one product or one order.

    There is one conversation per buyer, shop, product and order: "contact the shop" from the
    same page opens the same thread again.
    """

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("buyer"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="conversations", verbose_name=_("shop")
    )
    product = models.ForeignKey(
        Product,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("product"),
    )
    order = models.ForeignKey(
        "orders.Order",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conversations",
        verbose_name=_("order"),
    )
    is_closed = models.BooleanField(_("closed"), default=False)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True, db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reported by"),
    )
    report_reason = models.TextField(_("report reason"), blank=True)
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = [models.F("last_message_at").desc(nulls_last=True), "-created", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at"], name="chat_conv_buyer_last"),
            models.Index(fields=["shop", "-last_message_at"], name="chat_conv_shop_last"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["buyer", "shop", "product", "order"],
                nulls_distinct=False,
                name="chat_conversation_unique_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.buyer} ↔ {self.shop}"

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None


class Message(models.Model):
    """One message in a conversation. `read_at` is when the other side first read it."""

    conversation = models.ForeignKey(
        Conversation,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("conversation"),
    )
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sender"),
    )
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    body = models.TextField(_("message"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created", "id"]
        indexes = [
            models.Index(fields=["conversation", "-created", "-id"], name="chat_msg_conv_created"),
            models.Index(
                fields=["conversation", "side"],
                condition=models.Q(read_at__isnull=True),
                name="chat_msg_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.body[:40]}"
