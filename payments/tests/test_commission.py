"""Commission by currency, and never more than the shop is owed for the order."""

from decimal import Decimal

import pytest

from catalog.tests.factories import VariantFactory
from orders.models import Promotion
from orders.pricing import STANDARD_SHIPPING, PriceLine, price_order
from orders.tests.factories import PromotionFactory, ShippingMethodFactory
from payments.models import LedgerAccount, LedgerEntry
from payments.services.journal import account_balance
from payments.services.payments import payment_confirm_card, payments_create
from payments.services.payouts import payouts_run
from payments.services.reconciliation import ledger_reconcile
from payments.services.refunds import refund_request
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db
Kind = LedgerAccount.Kind


def _paid(buyer, place, shop, price: str):
    item = VariantFactory(product__shop=shop, price=Decimal(price), inventory_count=5)
    order = place(buyer, (item, 1)).orders[0]
    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number="4242424242424242",
    )
    return order


def _kinds(order) -> dict[str, Decimal]:
    return dict(LedgerEntry.objects.filter(order=order).values_list("kind", "amount"))


def test_commission_on_a_tiny_sale_never_leaves_the_shop_owing(buyer, place, shop) -> None:
    order = _paid(buyer, place, shop, "0.10")

    entries = _kinds(order)

    assert entries == {"sale": Decimal("0.10"), "commission": Decimal("-0.10")}
    assert sum(entries.values()) == Decimal("0.00")


def test_the_fixed_fee_is_configured_per_currency(buyer, place) -> None:
    yen_shop = ShopFactory(currency="JPY")

    order = _paid(buyer, place, yen_shop, "1000")

    # 10 % of 1000 yen plus the yen fee (40), not 0.30 yen.
    assert _kinds(order) == {"sale": Decimal("1000"), "commission": Decimal("-140")}


def test_yen_prices_round_to_whole_yen() -> None:
    price = price_order(
        currency="JPY",
        lines=[PriceLine(key=1, unit_price=Decimal("10.55"), quantity=3)],
        prices_include_tax=False,
        tax_rate=Decimal("0.08"),
        shipping=STANDARD_SHIPPING,
    )

    assert (price.subtotal, price.tax, price.total) == (Decimal("33"), Decimal("3"), Decimal("36"))


def _with_coupon(buyer, place, shop, code: str):
    item = VariantFactory(product__shop=shop, price=Decimal("40.00"), inventory_count=5)
    order = place(buyer, (item, 2), coupon_code=code).orders[0]
    payment_confirm_card(
        payment=payments_create(buyer=buyer, order_ids=[order.pk])[0],
        card_number="4242424242424242",
    )
    order.refresh_from_db()
    return order


def test_a_platform_coupon_is_paid_by_the_platform_not_the_shop(buyer, place, shop) -> None:
    PromotionFactory(code="PLATFORM15", value=Decimal("15"))

    order = _with_coupon(buyer, place, shop, "PLATFORM15")

    assert (order.total, order.platform_discount) == (Decimal("68.00"), Decimal("12.00"))
    # The shop's sale is the full price; commission is on the full price too.
    assert _kinds(order) == {
        "sale": Decimal("68.00"),
        "platform_discount": Decimal("12.00"),
        "commission": Decimal("-8.30"),
    }
    assert account_balance(kind=Kind.PLATFORM_PROMOTIONS, currency="USD") == Decimal("12.00")
    assert ledger_reconcile() == []


def test_a_shop_coupon_is_paid_by_the_shop(buyer, place, shop) -> None:
    PromotionFactory(code="SHOP15", value=Decimal("15"), shop=shop)

    order = _with_coupon(buyer, place, shop, "SHOP15")

    assert (order.total, order.platform_discount) == (Decimal("68.00"), Decimal("0.00"))
    assert _kinds(order) == {"sale": Decimal("68.00"), "commission": Decimal("-7.10")}


def test_refunding_a_platform_discounted_order_takes_back_the_platform_discount(
    buyer, place, shop
) -> None:
    PromotionFactory(code="PLATFORM15", value=Decimal("15"))
    order = _with_coupon(buyer, place, shop, "PLATFORM15")

    refund_request(actor=shop.owner, order=order, amount=Decimal("34.00"))
    half = account_balance(kind=Kind.SHOP, shop=shop, currency="USD")
    refund_request(actor=shop.owner, order=order)

    assert half == Decimal("35.85")  # (68 + 12 - 8.30) / 2
    assert account_balance(kind=Kind.SHOP, shop=shop, currency="USD") == Decimal("0.00")
    assert account_balance(kind=Kind.PLATFORM_PROMOTIONS, currency="USD") == Decimal("0.00")
    assert account_balance(kind=Kind.PLATFORM_REVENUE, currency="USD") == Decimal("0.00")
    assert ledger_reconcile() == []


def _shipped_with_coupon(buyer, place, shop, code: str):
    ShippingMethodFactory(shop=shop, price=Decimal("6.50"), is_default=True)
    return _with_coupon(buyer, place, shop, code)


def test_platform_free_shipping_is_paid_by_the_platform_not_the_shop(buyer, place, shop) -> None:
    PromotionFactory(code="SHIPFREE", kind=Promotion.Kind.FREE_SHIPPING, value=Decimal("0"))

    order = _shipped_with_coupon(buyer, place, shop, "SHIPFREE")

    # The buyer pays no shipping; the shop is owed the full 6.50 by the platform.
    assert (order.shipping, order.total, order.platform_discount) == (
        Decimal("0.00"),
        Decimal("80.00"),
        Decimal("6.50"),
    )
    assert _kinds(order) == {
        "sale": Decimal("80.00"),
        "platform_discount": Decimal("6.50"),
        "commission": Decimal("-8.95"),  # 10 % of 86.50 + 0.30: shipping included, as always
    }
    assert account_balance(kind=Kind.SHOP, shop=shop, currency="USD") == Decimal("77.55")
    assert account_balance(kind=Kind.PLATFORM_PROMOTIONS, currency="USD") == Decimal("6.50")
    assert account_balance(kind=Kind.PROVIDER_CLEARING, currency="USD") == Decimal("80.00")
    assert ledger_reconcile() == []


def test_a_shops_own_free_shipping_is_still_paid_by_the_shop(buyer, place, shop) -> None:
    PromotionFactory(
        code="OURSHIP", kind=Promotion.Kind.FREE_SHIPPING, value=Decimal("0"), shop=shop
    )

    order = _shipped_with_coupon(buyer, place, shop, "OURSHIP")

    assert (order.shipping, order.total, order.platform_discount) == (
        Decimal("0.00"),
        Decimal("80.00"),
        Decimal("0.00"),
    )
    assert _kinds(order) == {"sale": Decimal("80.00"), "commission": Decimal("-8.30")}
    assert account_balance(kind=Kind.PLATFORM_PROMOTIONS, currency="USD") == Decimal("0.00")


def test_refunding_a_platform_free_shipping_order_gives_the_shipping_back_to_the_platform(
    buyer, place, shop
) -> None:
    PromotionFactory(kind=Promotion.Kind.FREE_SHIPPING, code="", value=Decimal("0"))

    order = _shipped_with_coupon(buyer, place, shop, "")
    refund_request(actor=shop.owner, order=order)

    assert order.platform_discount == Decimal("6.50")  # the automatic promotion applied
    assert account_balance(kind=Kind.SHOP, shop=shop, currency="USD") == Decimal("0.00")
    assert account_balance(kind=Kind.PLATFORM_PROMOTIONS, currency="USD") == Decimal("0.00")
    assert account_balance(kind=Kind.PLATFORM_REVENUE, currency="USD") == Decimal("0.00")
    assert ledger_reconcile() == []


def test_dinar_fees_and_payout_minimum_are_in_dinars(buyer, place, settings) -> None:
    settings.PAYMENTS_HOLD_DAYS = 0
    dinar_shop, small_shop = ShopFactory(currency="BHD"), ShopFactory(currency="BHD")

    order = _paid(buyer, place, dinar_shop, "12.345")
    _paid(buyer, place, small_shop, "10.000")
    payouts = payouts_run()

    # 10 % of 12.345 (1.2345, half up to 1.235) plus the dinar fee 0.110, in fils.
    assert _kinds(order) == {"sale": Decimal("12.345"), "commission": Decimal("-1.345")}
    # 11.000 reaches the 10.000 dinar minimum; 10.000 - 1.110 = 8.890 does not.
    assert [(payout.shop, payout.amount, payout.currency) for payout in payouts] == [
        (dinar_shop, Decimal("11.000"), "BHD")
    ]
    assert account_balance(kind=Kind.SHOP, shop=small_shop, currency="BHD") == Decimal("8.890")
    assert ledger_reconcile() == []
