"""The daily figures of the vendor dashboard and the staff sales reports page.

The two roll-up tables were created by the orders app and keep their names
(`orders_shopdailystats`, `orders_productdailystats`) and their index and constraint names: the
models moved here in the migration state only (analytics 0001, orders 0005), so no row was copied
and no table was rewritten.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketmate.money import MoneyAmountField
from orders.models import Order
from shops.models import Shop


class ShopDailyStats(models.Model):
    """One shop's sales on one UTC day in one currency, for the vendor dashboard.

    Written only by `analytics.services` (the beat job and `analytics_backfill`), which
    recomputes whole days from orders, refunds and view counters: the rows always equal a direct
    computation over those days.
    """

    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="daily_stats", verbose_name=_("shop")
    )
    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3)
    revenue = MoneyAmountField(_("revenue"), default=Decimal("0"), max_digits=15, decimal_places=3)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    units = models.PositiveIntegerField(_("units sold"), default=0)
    refunds = MoneyAmountField(_("refunds"), default=Decimal("0"), max_digits=15, decimal_places=3)
    views = models.PositiveIntegerField(_("product views"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "orders_shopdailystats"
        verbose_name = _("shop daily figures")
        verbose_name_plural = _("shop daily figures")
        ordering = ["shop", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "day", "currency"], name="orders_shopdailystats_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shop_id} {self.day} {self.currency}"


class ProductDailyStats(models.Model):
    """One product's sales and views on one UTC day (see `ShopDailyStats`)."""

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", verbose_name=_("product")
    )
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="+", verbose_name=_("shop")
    )
    day = models.DateField(_("day"))
    currency = models.CharField(_("currency"), max_length=3)
    revenue = MoneyAmountField(_("revenue"), default=Decimal("0"), max_digits=15, decimal_places=3)
    orders = models.PositiveIntegerField(_("orders"), default=0)
    units = models.PositiveIntegerField(_("units sold"), default=0)
    views = models.PositiveIntegerField(_("views"), default=0)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "orders_productdailystats"
        verbose_name = _("product daily figures")
        verbose_name_plural = _("product daily figures")
        ordering = ["product", "day"]
        indexes = [
            models.Index(fields=["shop", "day"], name="orders_productdaily_shop_day"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "day", "currency"], name="orders_productdailystats_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} {self.day} {self.currency}"


class SalesReport(Order):
    """The staff's sales reports page in the admin (a proxy of orders: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = _("sales report")
        verbose_name_plural = _("sales reports")
        default_permissions = ()
