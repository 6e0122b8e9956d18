"""Payments, webhook events, refunds, invoices, the vendor ledger and payouts.

Only `payments.services` writes these rows. The ledger is append-only: an entry is never
changed nor deleted; corrections are new entries.
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from catalog.models import Category
from marketmate.money import MoneyAmountField
from orders.models import Order
from shops.models import Shop


class Provider(models.TextChoices):
    DUMMY = "dummy", _("Test mode (no real money)")
    STRIPE = "stripe", _("Stripe")


class Payment(models.Model):
    """One shopper's payment for the orders of one checkout in one currency.

    Its status changes only through `payments.services.payments` (one function per transition).
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        FAILED = "failed", _("Failed")
        SUCCEEDED = "succeeded", _("Paid")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")
        CANCELED = "canceled", _("Cancelled")

    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payments",
        verbose_name=_("buyer"),
    )
    orders = models.ManyToManyField(Order, related_name="payments", verbose_name=_("orders"))
    checkout_reference = models.UUIDField(_("checkout"), db_index=True)
    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    provider_payment_id = models.CharField(
        _("provider payment id"), max_length=255, blank=True, db_index=True
    )
    client_secret = models.CharField(_("client secret"), max_length=255, blank=True)
    amount = MoneyAmountField(_("amount"), max_digits=13, decimal_places=3)
    amount_refunded = MoneyAmountField(
        _("refunded"), default=Decimal("0"), max_digits=13, decimal_places=3
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, blank=True)
    last_event = models.JSONField(_("last event"), default=dict, blank=True)
    is_disputed = models.BooleanField(_("disputed"), default=False)
    dispute_status = models.CharField(
        _("dispute"),
        max_length=8,
        choices=[
            ("", _("None")),
            ("open", _("Open")),
            ("won", _("Won")),
            ("lost", _("Lost")),
        ],
        blank=True,
        default="",
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    succeeded_at = models.DateTimeField(_("paid"), null=True, blank=True)
    disputed_at = models.DateTimeField(_("disputed"), null=True, blank=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"],
                condition=~Q(provider_payment_id=""),
                name="payments_payment_provider_id_unique",
            ),
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key", "currency"],
                condition=~Q(idempotency_key=""),
                name="payments_payment_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_amount_positive"),
            models.CheckConstraint(
                condition=Q(amount_refunded__gte=0) & Q(amount_refunded__lte=models.F("amount")),
                name="payments_refund_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"Payment {self.pk} ({self.amount} {self.currency}, {self.status})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("payments:detail", kwargs={"pk": self.pk})

    @property
    def is_paid(self) -> bool:
        return self.status in PAID_STATUSES


PAID_STATUSES = frozenset(
    {
        Payment.Status.SUCCEEDED,
        Payment.Status.PARTIALLY_REFUNDED,
        Payment.Status.REFUNDED,
    }
)


class WebhookEvent(models.Model):
    """A provider's event, stored once by its id: a replayed or duplicated event changes
    nothing, and a stored event can be processed again safely."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")

    class Source(models.TextChoices):
        WEBHOOK = "webhook", _("Webhook")
        RECONCILIATION = "reconciliation", _("Reconciliation")

    provider = models.CharField(_("provider"), max_length=16, choices=Provider.choices)
    event_id = models.CharField(_("event id"), max_length=255)
    type = models.CharField(_("type"), max_length=100, db_index=True)
    payload = models.JSONField(_("payload"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED
    )
    source = models.CharField(
        _("source"), max_length=16, choices=Source.choices, default=Source.WEBHOOK
    )
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)
    note = models.CharField(_("note"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("received"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "event_id"], name="payments_webhookevent_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


class Refund(models.Model):
    """Money going back to the shopper for one order, through the payment's gateway."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Refunded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("payment")
    )
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("order")
    )
    amount = MoneyAmountField(_("amount"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    lines = models.JSONField(
        _("lines"), default=list, blank=True, help_text=_("[{line_id, quantity}] when per line.")
    )
    restock = models.BooleanField(_("restock"), default=False)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_refund_id = models.CharField(_("provider refund id"), max_length=255, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=255, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "provider_refund_id"],
                condition=~Q(provider_refund_id=""),
                name="payments_refund_provider_id_unique",
            ),
            models.UniqueConstraint(
                fields=["order", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="payments_refund_idempotency_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_positive"),
        ]

    def __str__(self) -> str:
        return f"Refund {self.pk} of {self.amount} {self.currency} ({self.status})"


# Stripe's dispute reasons, in words.
DISPUTE_REASONS = {
    "credit_not_processed": _("Refund not processed"),
    "duplicate": _("Duplicate charge"),
    "fraudulent": _("Fraudulent"),
    "general": _("General"),
    "product_not_received": _("Product not received"),
    "product_unacceptable": _("Product unacceptable"),
    "subscription_canceled": _("Subscription cancelled"),
    "unrecognized": _("Unrecognised charge"),
}


class Dispute(models.Model):
    """A buyer's dispute (chargeback) of a payment, as the provider reports it: opened, then
    won or lost. Written only by `payments.services.disputes`; the money it moves is in the
    ledger (`chargeback:<dispute>:<order>`, `reinstated:...`, `dispute-fee:<dispute>`)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    payment = models.ForeignKey(
        Payment, on_delete=models.PROTECT, related_name="disputes", verbose_name=_("payment")
    )
    provider_dispute_id = models.CharField(_("provider dispute id"), max_length=255)
    amount = MoneyAmountField(_("amount"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=64, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    fee = MoneyAmountField(
        _("fee"),
        max_digits=13,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("The provider's fee for the dispute."),
    )
    fee_returned = MoneyAmountField(
        _("fee returned"),
        max_digits=13,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_("What the provider gave back of its fee when the dispute was won."),
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "provider_dispute_id"], name="payments_dispute_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Dispute {self.provider_dispute_id} ({self.amount} {self.currency}, {self.status})"

    @property
    def reason_label(self) -> str:
        """The card network's reason in words (Stripe's codes), or the code itself."""
        return str(DISPUTE_REASONS.get(self.reason, self.reason.replace("_", " ")))


class Invoice(models.Model):
    """The PDF invoice of a paid order, rendered once by a background job."""

    order = models.OneToOneField(
        Order, on_delete=models.PROTECT, related_name="invoice", verbose_name=_("order")
    )
    number = models.CharField(_("number"), max_length=40, unique=True)
    file = models.FileField(_("file"), upload_to="invoices/%Y/%m/")
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.number


class CommissionRate(models.Model):
    """The platform's commission for a shop, or for a category when the shop has none."""

    shop = models.OneToOneField(
        Shop,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commission_rate",
        verbose_name=_("shop"),
    )
    category = models.OneToOneField(
        Category,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="commission_rate",
        verbose_name=_("category"),
    )
    percent = models.DecimalField(
        _("percent"),
        max_digits=5,
        decimal_places=2,
        help_text=_("Of the order total: 10 for 10 %."),
    )
    fixed_fee = MoneyAmountField(
        _("fixed fee"),
        default=Decimal("0"),
        help_text=_("Per order, in the order's currency."),
        max_digits=13,
        decimal_places=3,
    )

    class Meta:
        verbose_name = _("commission rate")
        verbose_name_plural = _("commission rates")
        constraints = [
            models.CheckConstraint(
                condition=(Q(shop__isnull=False) & Q(category__isnull=True))
                | (Q(shop__isnull=True) & Q(category__isnull=False)),
                name="payments_commission_shop_or_category",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="payments_commission_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(fixed_fee__gte=0), name="payments_commission_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        target = self.shop or self.category
        return f"{target}: {self.percent}% + {self.fixed_fee}"


class Payout(models.Model):
    """Money sent to a shop: the available entries it settles are listed in PayoutItem."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")

    class Method(models.TextChoices):
        STRIPE = "stripe", _("Stripe transfer")
        MANUAL = "manual", _("Manual (bank transfer by staff)")

    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("shop")
    )
    amount = MoneyAmountField(_("amount"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    provider_transfer_id = models.CharField(_("transfer id"), max_length=255, blank=True)
    failure_message = models.CharField(_("failure message"), max_length=255, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payout_positive"),
        ]

    def __str__(self) -> str:
        return f"Payout {self.pk}: {self.amount} {self.currency} to {self.shop_id}"


class LedgerEntry(models.Model):
    """One movement of what the marketplace owes a shop. Append-only.

    Positive amounts are owed to the shop, negative ones are taken from it. The shop's balance
    is the sum of its entries; an entry counts as available once `available_at` has passed.
    """

    class Kind(models.TextChoices):
        # A ledger's sale, not the shop window's "Sale" badge: two words in other languages.
        SALE = "sale", pgettext_lazy("ledger entry", "Sale")
        COMMISSION = "commission", _("Commission")
        REFUND = "refund", _("Refund")
        COMMISSION_REFUND = "commission_refund", _("Commission returned")
        CHARGEBACK = "chargeback", _("Chargeback")
        CHARGEBACK_COMMISSION = "chargeback_commission", _("Commission returned (chargeback)")
        REINSTATED = "reinstated", _("Dispute won: funds reinstated")
        REINSTATED_COMMISSION = "reinstated_commission", _("Commission (dispute won)")
        DISPUTE_FEE = "dispute_fee", _("Dispute fee")
        DISPUTE_FEE_RETURNED = "dispute_fee_back", _("Dispute fee returned")
        PLATFORM_DISCOUNT = "platform_discount", _("Discount paid by the platform")
        PLATFORM_DISCOUNT_RETURNED = "platform_discount_back", _("Platform discount returned")
        PAYOUT = "payout", _("Payout")
        PAYOUT_REVERSAL = "payout_reversal", _("Payout returned")

    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="ledger_entries", verbose_name=_("shop")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    amount = MoneyAmountField(_("amount"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("order"),
    )
    refund = models.ForeignKey(
        Refund,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("refund"),
    )
    payout = models.ForeignKey(
        Payout,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("payout"),
    )
    reference = models.CharField(
        _("reference"),
        max_length=120,
        unique=True,
        help_text=_("What the entry is for; the same thing is never posted twice."),
    )
    description = models.CharField(_("description"), max_length=255)
    available_at = models.DateTimeField(_("available"))
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["shop", "currency", "available_at"], name="payments_ledger_avail"),
            models.Index(fields=["shop", "-created"], name="payments_ledger_shop_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="payments_ledger_amount_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: a correction is a new entry (the database trigger says the same).
        if not self._state.adding:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger entries are append-only.")


class PayoutItem(models.Model):
    """An entry settled by a payout: an entry is settled at most once (unique), ever."""

    payout = models.ForeignKey(
        Payout, on_delete=models.PROTECT, related_name="items", verbose_name=_("payout")
    )
    entry = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="payout_item", verbose_name=_("entry")
    )

    class Meta:
        verbose_name = _("payout item")
        verbose_name_plural = _("payout items")

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.entry_id}"


class ConnectedAccount(models.Model):
    """A shop's Stripe Connect account, where its payouts are transferred."""

    shop = models.OneToOneField(
        Shop, on_delete=models.CASCADE, related_name="connected_account", verbose_name=_("shop")
    )
    stripe_account_id = models.CharField(_("Stripe account id"), max_length=64, unique=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("connected account")
        verbose_name_plural = _("connected accounts")

    def __str__(self) -> str:
        return f"{self.shop}: {self.stripe_account_id}"


class LedgerAccount(models.Model):
    """An account of the double-entry journal: one per shop, and the platform's own.

    Postings are signed, debits positive and credits negative, so each transaction's postings
    sum to zero. What an account holds in its natural sense is its `sign` times the sum of its
    postings: a shop's account (what MarketMate owes it) and the platform's revenue are credit
    accounts, and so are the payouts in transit (sent, not yet arrived); the provider's clearing
    account (money the provider holds for MarketMate) and the platform's promotion costs are
    debit accounts.
    """

    class Kind(models.TextChoices):
        SHOP = "shop", _("Shop (owed to the shop)")
        PLATFORM_REVENUE = "platform_revenue", _("Platform revenue (commission, fees)")
        PLATFORM_PROMOTIONS = "platform_promotions", _("Platform promotion costs")
        PROVIDER_CLEARING = "provider_clearing", _("Payment provider clearing")
        PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    shop = models.OneToOneField(
        Shop,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_account",
        verbose_name=_("shop"),
    )

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(shop__isnull=True),
                name="payments_ledgeraccount_platform_unique",
            ),
            models.CheckConstraint(
                condition=(Q(kind="shop") & Q(shop__isnull=False))
                | (~Q(kind="shop") & Q(shop__isnull=True)),
                name="payments_ledgeraccount_shop_iff_shop_kind",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_kind_display()}: {self.shop}" if self.shop_id else self.get_kind_display()
        )

    @property
    def sign(self) -> int:
        credit = (self.Kind.SHOP, self.Kind.PLATFORM_REVENUE, self.Kind.PAYOUTS_IN_TRANSIT)
        return -1 if self.kind in credit else 1


class LedgerTransaction(models.Model):
    """One business event (a sale, a refund, a dispute, a payout...) in the journal: balanced,
    append-only, and posted once (its reference is unique)."""

    reference = models.CharField(_("reference"), max_length=120, unique=True)
    kind = models.CharField(_("kind"), max_length=24)
    currency = models.CharField(_("currency"), max_length=3)
    description = models.CharField(_("description"), max_length=255)
    order = models.ForeignKey(
        Order,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
        verbose_name=_("order"),
    )
    payout = models.ForeignKey(
        Payout,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_transactions",
        verbose_name=_("payout"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Ledger transactions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger transactions are append-only.")


class LedgerPosting(models.Model):
    """One leg of a transaction: a signed amount (debit positive) on one account."""

    transaction = models.ForeignKey(
        LedgerTransaction,
        on_delete=models.PROTECT,
        related_name="postings",
        verbose_name=_("transaction"),
    )
    account = models.ForeignKey(
        LedgerAccount, on_delete=models.PROTECT, related_name="postings", verbose_name=_("account")
    )
    amount = MoneyAmountField(_("amount"), max_digits=13, decimal_places=3)
    currency = models.CharField(_("currency"), max_length=3)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger posting")
        verbose_name_plural = _("ledger postings")
        indexes = [
            models.Index(fields=["account", "currency", "created"], name="payments_posting_acct"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="payments_posting_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.amount} {self.currency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("Ledger postings are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Ledger postings are append-only.")


class ReconciliationAlert(models.Model):
    """A mismatch the reconciliation job found. Never corrected silently: staff look into it
    and close it once explained."""

    shop = models.ForeignKey(
        Shop,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reconciliation_alerts",
        verbose_name=_("shop"),
    )
    currency = models.CharField(_("currency"), max_length=3)
    check_name = models.CharField(_("check"), max_length=40)
    expected = MoneyAmountField(_("expected"), max_digits=15, decimal_places=3)
    actual = MoneyAmountField(_("actual"), max_digits=15, decimal_places=3)
    is_open = models.BooleanField(_("open"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("reconciliation alert")
        verbose_name_plural = _("reconciliation alerts")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "currency", "check_name"],
                condition=Q(is_open=True),
                name="payments_alert_open_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.check_name} {self.currency}: {self.actual} != {self.expected}"
