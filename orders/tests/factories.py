from decimal import Decimal

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from orders.models import (
    Cart,
    CartItem,
    Order,
    OrderLine,
    Promotion,
    ShippingMethod,
    ShippingWeightBand,
    TaxRate,
)
from shops.tests.factories import ShopFactory


class CartFactory(factory.django.DjangoModelFactory[Cart]):
    class Meta:
        model = Cart

    user = factory.SubFactory(UserFactory)


class CartItemFactory(factory.django.DjangoModelFactory[CartItem]):
    class Meta:
        model = CartItem

    cart = factory.SubFactory(CartFactory)
    quantity = 1
    price_when_added = factory.LazyAttribute(lambda item: item.variant.unit_price)


class PromotionFactory(factory.django.DjangoModelFactory[Promotion]):
    """A platform-wide 10 % coupon; `code=""` makes it automatic."""

    class Meta:
        model = Promotion

    name = factory.Sequence(lambda n: f"Promotion {n}")
    code = factory.Sequence(lambda n: f"SAVE{n}")
    kind = Promotion.Kind.PERCENTAGE
    value = Decimal("10")
    currency = "USD"


class TaxRateFactory(factory.django.DjangoModelFactory[TaxRate]):
    class Meta:
        model = TaxRate

    country = "DE"
    region = ""
    name = "VAT"
    rate = Decimal("0.1900")


class ShippingMethodFactory(factory.django.DjangoModelFactory[ShippingMethod]):
    class Meta:
        model = ShippingMethod

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"Courier {n}")
    kind = ShippingMethod.Kind.FLAT
    price = Decimal("5.00")


class WeightBandFactory(factory.django.DjangoModelFactory[ShippingWeightBand]):
    class Meta:
        model = ShippingWeightBand

    method = factory.SubFactory(ShippingMethodFactory, kind=ShippingMethod.Kind.WEIGHT)
    up_to_grams = 1000
    price = Decimal("4.00")


class OrderFactory(factory.django.DjangoModelFactory[Order]):
    """A paid order of 20.00 (no tax, no shipping) placed with a shop; give it lines with
    `OrderLineFactory` and `paid_at=` the moment it was paid (None for an unpaid order)."""

    class Meta:
        model = Order

    number = factory.Sequence(lambda n: f"MM-T{n:06d}")
    checkout_reference = factory.Faker("uuid4")
    buyer = factory.SubFactory(UserFactory)
    shop = factory.SubFactory(ShopFactory)
    status = Order.Status.PAID
    currency = factory.SelfAttribute("shop.currency")
    subtotal = Decimal("20.00")
    discount = Decimal("0.00")
    shipping = Decimal("0.00")
    tax = Decimal("0.00")
    total = factory.LazyAttribute(
        lambda order: order.subtotal - order.discount + order.shipping + order.tax
    )
    prices_include_tax = False
    tax_rate = Decimal("0")
    shipping_address = factory.Dict({"full_name": "Ada Shopper", "country": "US"})
    shipping_method_name = "Courier"
    paid_at = factory.LazyFunction(timezone.now)


class OrderLineFactory(factory.django.DjangoModelFactory[OrderLine]):
    """`OrderLineFactory(order=..., variant=..., quantity=2, unit_price=Decimal("5.00"))`."""

    class Meta:
        model = OrderLine

    order = factory.SubFactory(OrderFactory)
    variant = None
    product_title = factory.LazyAttribute(
        lambda line: line.variant.product.title if line.variant else "Gone"
    )
    sku = factory.LazyAttribute(lambda line: line.variant.sku if line.variant else "GONE")
    unit_price = Decimal("10.00")
    quantity = 1
    subtotal = factory.LazyAttribute(lambda line: line.unit_price * line.quantity)
    discount = Decimal("0.00")
    tax = Decimal("0.00")
    total = factory.LazyAttribute(lambda line: line.subtotal - line.discount + line.tax)
