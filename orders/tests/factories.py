from decimal import Decimal

import factory

from accounts.tests.factories import UserFactory
from orders.models import (
    Cart,
    CartItem,
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
