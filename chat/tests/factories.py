from decimal import Decimal

import factory

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from chat.models import Conversation, Message, Side
from orders.models import Order
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import checkout_place
from shops.models import Shop
from shops.tests.factories import ShopFactory


class ConversationFactory(factory.django.DjangoModelFactory[Conversation]):
    class Meta:
        model = Conversation

    buyer = factory.SubFactory(UserFactory)
    shop = factory.SubFactory(ShopFactory)


class MessageFactory(factory.django.DjangoModelFactory[Message]):
    """A message from the buyer; `side=Side.SHOP, sender=<member>` for the shop's."""

    class Meta:
        model = Message

    conversation = factory.SubFactory(ConversationFactory)
    sender = factory.SelfAttribute("conversation.buyer")
    side = Side.BUYER
    body = factory.Sequence(lambda n: f"Message {n}")


ADDRESS = {
    "full_name": "Bea Buyer",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}


def order_placed(*, buyer: User, shop: Shop) -> Order:
    """An order of `buyer` from `shop`, placed through the real cart and checkout."""
    variant = VariantFactory(product__shop=shop, inventory_count=10, price=Decimal("12.50"))
    cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)
    return checkout_place(buyer=buyer, cart=cart, address=ADDRESS).orders[0]
