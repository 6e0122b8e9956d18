import factory

from accounts.tests.factories import UserFactory
from chat.models import Conversation, Message, Side
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
