"""Carts, promotions, tax, shipping and orders. Only `orders.services` writes these rows."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from django_countries.fields import CountryField

from catalog.models import Category, ProductVariant
from marketmate.money import MoneyAmountField, money_field_errors
from orders.pricing import STANDARD_SHIPPING_NAME, PromotionKind, ShippingKind
from shops.models import Shop


# --- Cart -----------------------------------------------------------------------------------------
class Cart(models.Model):
    """A shopper's cart: a signed-in user's (one each), or an anonymous session's.

    An anonymous cart belongs to the browser session that holds its id; signing in merges it
    into the user's cart (orders.services.cart.cart_merge).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="cart",
        verbose_name=_("user"),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")

    def __str__(self) -> str:
        return f"Cart {self.pk} ({self.user or 'anonymous'})"


class CartItem(models.Model):
    cart = models.ForeignKey(
        Cart, on_delete=models.CASCADE, related_name="items", verbose_name=_("cart")
    )
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, related_name="+", verbose_name=_("variant")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    price_when_added = MoneyAmountField(_("price when added"), max_digits=13, decimal_places=3)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["created", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="orders_cartitem_unique"),
            models.CheckConstraint(
                condition=Q(quantity__gte=1), name="orders_cartitem_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.variant_id}"


# --- Promotions -----------------------------------------------------------------------------------
class Promotion(models.Model):
    """A discount: a coupon when it has a code, automatic (applied to every cart) when not.

    Without a shop it is platform-wide (managed by staff); with one, only that shop's items
    count (managed by the shop). Usage is counted with a row lock at checkout.
    """

    class Kind(models.TextChoices):
        PERCENTAGE = PromotionKind.PERCENTAGE.value, _("Percentage off")
        FIXED = PromotionKind.FIXED.value, _("Fixed amount off")
        FREE_SHIPPING = PromotionKind.FREE_SHIPPING.value, _("Free shipping")

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(
        _("code"),
        max_length=40,
        blank=True,
        help_text=_("What shoppers type at checkout. Leave empty for an automatic promotion."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    value = MoneyAmountField(
        _("value"),
        max_digits=13,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Percent (10 for 10 %) or amount in the currency; ignored for free shipping."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("For fixed amounts and minimum subtotals: orders in this currency only."),
    )
    shop = models.ForeignKey(
        Shop,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="promotions",
        verbose_name=_("shop"),
        help_text=_("Empty for a platform-wide promotion."),
    )
    categories = models.ManyToManyField(
        Category,
        blank=True,
        related_name="promotions",
        verbose_name=_("categories"),
        help_text=_("Only items in these categories; none means every item."),
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    minimum_subtotal = MoneyAmountField(
        _("minimum subtotal"),
        max_digits=13,
        decimal_places=3,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    usage_limit = models.PositiveIntegerField(
        _("total uses"), null=True, blank=True, help_text=_("Empty for unlimited.")
    )
    usage_limit_per_user = models.PositiveIntegerField(
        _("uses per shopper"), null=True, blank=True, help_text=_("Empty for unlimited.")
    )
    times_used = models.PositiveIntegerField(_("times used"), default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-created", "-id"]
        constraints = [
            models.UniqueConstraint(
                Upper("code"), condition=~Q(code=""), name="orders_promotion_code_unique"
            ),
            models.CheckConstraint(
                condition=~Q(kind="percentage") | Q(value__lte=100),
                name="orders_promotion_percentage_at_most_100",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0), name="orders_promotion_value_not_negative"
            ),
            # The last line of defence against overusing a coupon under concurrency.
            models.CheckConstraint(
                condition=Q(usage_limit__isnull=True) | Q(times_used__lte=models.F("usage_limit")),
                name="orders_promotion_usage_within_limit",
            ),
        ]

    def __str__(self) -> str:
        return self.code or self.name

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.kind == PromotionKind.PERCENTAGE and not (0 < self.value <= 100):
            errors["value"] = [str(_("A percentage is more than 0 and at most 100."))]
        if self.kind == PromotionKind.FIXED and self.value <= 0:
            errors["value"] = [str(_("The amount must be more than 0."))]
        if (
            self.shop_id is None
            and not self.currency
            and (self.kind == PromotionKind.FIXED or self.minimum_subtotal > 0)
        ):
            errors["currency"] = [str(_("Amounts need a currency."))]
        # Amounts have no more decimals than the currency (a shop's is the shop's currency).
        currency = self.shop.currency if self.shop is not None else self.currency
        amounts = {"minimum_subtotal": self.minimum_subtotal}
        if self.kind == PromotionKind.FIXED:
            amounts["value"] = self.value
        for field, messages in money_field_errors(currency, amounts).items():
            errors.setdefault(field, messages)
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = [str(_("The end must come after the start."))]
        if errors:
            raise ValidationError(errors)

    @property
    def is_automatic(self) -> bool:
        return not self.code


class PromotionUsage(models.Model):
    """One use of a promotion by a shopper in one checkout (counted for per-user limits)."""

    promotion = models.ForeignKey(
        Promotion, on_delete=models.CASCADE, related_name="usages", verbose_name=_("promotion")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="promotion_usages",
        verbose_name=_("user"),
    )
    checkout_reference = models.UUIDField(_("checkout"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("promotion use")
        verbose_name_plural = _("promotion uses")
        constraints = [
            models.UniqueConstraint(
                fields=["promotion", "checkout_reference"], name="orders_usage_once_per_checkout"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.promotion} by {self.user_id}"


# --- Tax ------------------------------------------------------------------------------------------
class TaxRate(models.Model):
    """The tax rate of a destination country, or of one region of it."""

    country = CountryField(_("country"))
    region = models.CharField(
        _("region"), max_length=64, blank=True, help_text=_("Empty for the whole country.")
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("For example VAT or GST."))
    rate = models.DecimalField(
        _("rate"),
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("A fraction: 0.2000 for 20 %."),
    )

    class Meta:
        verbose_name = _("tax rate")
        verbose_name_plural = _("tax rates")
        ordering = ["country", "region"]
        constraints = [
            models.UniqueConstraint(fields=["country", "region"], name="orders_taxrate_unique"),
        ]

    def __str__(self) -> str:
        where = f"{self.country}-{self.region}" if self.region else str(self.country)
        return f"{self.name} {where} {self.rate * 100:.2f}%"


# --- Shipping -------------------------------------------------------------------------------------
class ShippingMethod(models.Model):
    """How a shop ships to a group of destination countries, and what it charges."""

    class Kind(models.TextChoices):
        FLAT = ShippingKind.FLAT.value, _("Flat rate")
        FREE_ABOVE = ShippingKind.FREE_ABOVE.value, _("Flat rate, free above a threshold")
        WEIGHT = ShippingKind.WEIGHT.value, _("By weight")

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="shipping_methods", verbose_name=_("shop")
    )
    name = models.CharField(_("name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FLAT)
    countries = CountryField(
        _("destination countries"),
        multiple=True,
        blank=True,
        help_text=_("The country group this method ships to; none means everywhere."),
    )
    price = MoneyAmountField(
        _("price"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=13,
        decimal_places=3,
    )
    free_above = MoneyAmountField(
        _("free above"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Orders worth at least this much ship free."),
        max_digits=13,
        decimal_places=3,
    )
    delivery_days_min = models.PositiveSmallIntegerField(
        _("delivery in at least (days)"),
        null=True,
        blank=True,
        help_text=_("Shown to shoppers as the estimated delivery; leave empty if unknown."),
    )
    delivery_days_max = models.PositiveSmallIntegerField(
        _("delivery in at most (days)"), null=True, blank=True
    )
    is_default = models.BooleanField(_("default"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["shop", "-is_default", "position", "id"]

    def __str__(self) -> str:
        return f"{self.shop}: {self.name}"

    def clean(self) -> None:
        # Prices are in the shop's currency, with no more decimals than it has.
        if self.shop_id is None:
            return
        errors = money_field_errors(
            self.shop.currency, {"price": self.price, "free_above": self.free_above}
        )
        if errors:
            raise ValidationError(errors)


class ShippingWeightBand(models.Model):
    """The price of a weight-based method for parcels up to a weight."""

    method = models.ForeignKey(
        ShippingMethod, on_delete=models.CASCADE, related_name="bands", verbose_name=_("method")
    )
    up_to_grams = models.PositiveIntegerField(_("up to (g)"))
    price = MoneyAmountField(
        _("price"), validators=[MinValueValidator(Decimal("0"))], max_digits=13, decimal_places=3
    )

    class Meta:
        verbose_name = _("weight band")
        verbose_name_plural = _("weight bands")
        ordering = ["up_to_grams"]
        constraints = [
            models.UniqueConstraint(fields=["method", "up_to_grams"], name="orders_band_unique"),
        ]

    def __str__(self) -> str:
        return f"<= {self.up_to_grams} g: {self.price}"


# --- Orders ---------------------------------------------------------------------------------------
class Order(models.Model):
    """What one shopper bought from one shop in one checkout. Status changes only through
    orders.services.lifecycle."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting payment")
        PAID = "paid", _("Paid")
        SHIPPED = "shipped", _("Shipped")
        COMPLETE = "complete", _("Complete")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")

    number = models.CharField(_("number"), max_length=20, unique=True)
    checkout_reference = models.UUIDField(_("checkout"), db_index=True)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("buyer"),
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="orders", verbose_name=_("shop")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = MoneyAmountField(_("subtotal"), max_digits=13, decimal_places=3)
    discount = MoneyAmountField(_("discount"), max_digits=13, decimal_places=3)
    platform_discount = MoneyAmountField(
        _("discount paid by the platform"),
        max_digits=13,
        decimal_places=3,
        default=Decimal("0"),
        help_text=_(
            "What platform-wide promotions pay for: their part of the discount and the shipping "
            "their free shipping waives."
        ),
    )
    shipping = MoneyAmountField(_("shipping"), max_digits=13, decimal_places=3)
    tax = MoneyAmountField(_("tax"), max_digits=13, decimal_places=3)
    total = MoneyAmountField(_("total"), max_digits=13, decimal_places=3)
    refunded_amount = MoneyAmountField(
        _("refunded"), default=Decimal("0"), max_digits=13, decimal_places=3
    )
    prices_include_tax = models.BooleanField(_("prices include tax"))
    tax_rate = models.DecimalField(_("tax rate"), max_digits=6, decimal_places=4)
    shipping_address = models.JSONField(_("shipping address"))
    shipping_method = models.ForeignKey(
        ShippingMethod,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("shipping method"),
    )
    shipping_method_name = models.CharField(_("shipping method name"), max_length=80)
    coupon = models.ForeignKey(
        Promotion,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("coupon"),
    )
    coupon_code = models.CharField(_("coupon code"), max_length=40, blank=True)
    carrier = models.CharField(_("carrier"), max_length=60, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=80, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=120, blank=True)
    is_restocked = models.BooleanField(_("stock returned"), default=False)
    created = models.DateTimeField(_("placed"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created", "-id"]
        indexes = [
            models.Index(fields=["buyer", "-created"], name="orders_buyer_created"),
            models.Index(fields=["shop", "status", "-created"], name="orders_shop_status_created"),
            models.Index(fields=["status", "created"], name="orders_status_created"),
            # Sales reports and the daily roll-ups count orders by the day they were paid.
            models.Index(fields=["paid_at"], name="orders_paid_at"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(total__gte=0), name="orders_total_not_negative"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0) & Q(refunded_amount__lte=models.F("total")),
                name="orders_refund_within_total",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("orders:detail", kwargs={"number": self.number})

    @property
    def shipping_method_label(self) -> str:
        """The shipping method as the reader sees it (`shipping_method_name` is the stored key)."""
        return shipping_method_label(
            name=self.shipping_method_name, is_builtin=self.shipping_method_id is None
        )


def shipping_method_label(*, name: str, is_builtin: bool) -> str:
    """A shipping method's name as shown to a reader: the built-in method's stored key in the
    active language, a shop's own method as the shop named it."""
    if is_builtin and name == STANDARD_SHIPPING_NAME:
        return pgettext("shipping method", "Standard")
    return name


class OrderLine(models.Model):
    """A snapshot of what was bought: it never changes when the catalog does."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    variant = models.ForeignKey(
        ProductVariant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("variant"),
    )
    product_title = models.CharField(_("product"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64)
    options = models.JSONField(_("options"), default=dict, blank=True)
    unit_price = MoneyAmountField(_("unit price"), max_digits=13, decimal_places=3)
    quantity = models.PositiveIntegerField(_("quantity"))
    subtotal = MoneyAmountField(_("subtotal"), max_digits=13, decimal_places=3)
    discount = MoneyAmountField(_("discount"), max_digits=13, decimal_places=3)
    tax = MoneyAmountField(_("tax"), max_digits=13, decimal_places=3)
    total = MoneyAmountField(_("total"), max_digits=13, decimal_places=3)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.product_title}"

    @property
    def options_text(self) -> str:
        return ", ".join(f"{key}: {value}" for key, value in sorted(self.options.items()))


class OrderStatusChange(models.Model):
    """One step of an order's history, shown as its timeline."""

    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("order")
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Order.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=Order.Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["created", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.from_status or '-'} -> {self.to_status}"


class CheckoutRequest(models.Model):
    """An `Idempotency-Key` a shopper has used for a checkout, with the answer it got."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    request_fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    checkout_reference = models.UUIDField(_("checkout"))
    response = models.JSONField(_("response"), default=dict)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("checkout request")
        verbose_name_plural = _("checkout requests")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="orders_checkout_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
