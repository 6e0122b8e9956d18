import factory

from integrations.models import ShopApiKey, WebhookDelivery, WebhookEndpoint
from integrations.services import api_key_hash, webhook_secret_generate
from shops.tests.factories import ShopFactory


class ShopApiKeyFactory(factory.django.DjangoModelFactory[ShopApiKey]):
    """A live key; its full key is `<prefix>.secret-<prefix>` (`ShopApiKeyFactory.raw(key)`)."""

    class Meta:
        model = ShopApiKey

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"ERP {n}")
    prefix = factory.Sequence(lambda n: f"k{n:07d}")
    hashed_key = factory.LazyAttribute(
        lambda key: api_key_hash(f"{key.prefix}.secret-{key.prefix}")
    )
    scopes = factory.List(["catalog:read", "catalog:write", "inventory:write", "orders:read"])
    created_by = factory.SelfAttribute("shop.owner")

    @staticmethod
    def raw(key: ShopApiKey) -> str:
        return f"{key.prefix}.secret-{key.prefix}"


class WebhookEndpointFactory(factory.django.DjangoModelFactory[WebhookEndpoint]):
    class Meta:
        model = WebhookEndpoint

    shop = factory.SubFactory(ShopFactory)
    url = "https://hooks.example.com/marketmate"
    events = factory.List(["order.placed", "order.paid"])
    secret = factory.LazyFunction(webhook_secret_generate)
    created_by = factory.SelfAttribute("shop.owner")


class WebhookDeliveryFactory(factory.django.DjangoModelFactory[WebhookDelivery]):
    class Meta:
        model = WebhookDelivery

    endpoint = factory.SubFactory(WebhookEndpointFactory)
    message_id = factory.Sequence(lambda n: f"msg_{n:032d}")
    event = "order.paid"
    payload = factory.Dict({"type": "order.paid", "data": {}})
