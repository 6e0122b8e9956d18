"""Reads of a shop's keys, endpoints and deliveries, always scoped to the shop."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from integrations.exceptions import IntegrationNotFoundError
from integrations.models import ShopApiKey, WebhookDelivery, WebhookEndpoint
from shops.models import Shop


def api_keys_list_for_shop(*, shop: Shop) -> QuerySet[ShopApiKey]:
    return ShopApiKey.objects.filter(shop=shop).select_related("created_by")


def api_key_get_for_shop(*, shop: Shop, key_id: int) -> ShopApiKey:
    key = api_keys_list_for_shop(shop=shop).filter(pk=key_id).first()
    if key is None:
        raise IntegrationNotFoundError(_("API key not found."))
    return key


def endpoints_list_for_shop(*, shop: Shop) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(shop=shop)


def endpoint_get_for_shop(*, shop: Shop, endpoint_id: int) -> WebhookEndpoint:
    endpoint = endpoints_list_for_shop(shop=shop).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise IntegrationNotFoundError(_("Webhook endpoint not found."))
    return endpoint


def endpoints_subscribed(*, shop_id: int, event: str) -> list[WebhookEndpoint]:
    """The shop's active endpoints that asked for `event`."""
    endpoints = WebhookEndpoint.objects.filter(shop_id=shop_id, is_active=True)
    return [endpoint for endpoint in endpoints if event in endpoint.events]


def shop_listens_to(*, shop_id: int, event: str) -> bool:
    """Whether any active endpoint of the shop wants `event`: payloads are built only then."""
    return bool(endpoints_subscribed(shop_id=shop_id, event=event))


def deliveries_list_for_endpoint(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    return WebhookDelivery.objects.filter(endpoint=endpoint).prefetch_related("attempts")


def delivery_get_for_endpoint(*, endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery:
    delivery = deliveries_list_for_endpoint(endpoint=endpoint).filter(pk=delivery_id).first()
    if delivery is None:
        raise IntegrationNotFoundError(_("Delivery not found."))
    return delivery
