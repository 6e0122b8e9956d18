"""Commission by currency, and never more than the shop is owed for the order."""

from decimal import Decimal

import pytest

from catalog.tests.factories import VariantFactory
from orders.pricing import STANDARD_SHIPPING, PriceLine, price_order
from payments.models import LedgerEntry
from payments.services.payments import payment_confirm_card, payments_create
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


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
