"""Staff see every endpoint and delivery in the admin and disable an abusive endpoint."""

import pytest
from django.test import Client

from accounts.tests.factories import StaffFactory
from integrations.models import WebhookDelivery
from integrations.tests.factories import ShopApiKeyFactory, WebhookEndpointFactory
from marketmate.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client() -> Client:
    client = Client()
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_staff_list_endpoints_deliveries_and_keys_without_secrets(staff_client) -> None:
    endpoint = WebhookEndpointFactory(url="https://erp.example.com/hook")
    WebhookDelivery.objects.create(
        endpoint=endpoint, message_id="msg_admin", event="order.paid", payload={}
    )
    key = ShopApiKeyFactory()

    endpoints = staff_client.get("/admin/integrations/webhookendpoint/")
    deliveries = staff_client.get("/admin/integrations/webhookdelivery/?q=msg_admin")
    detail = staff_client.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/")
    keys = staff_client.get(f"/admin/integrations/shopapikey/{key.pk}/change/")

    assert "https://erp.example.com/hook" in endpoints.content.decode()
    assert "order.paid" in deliveries.content.decode()
    assert endpoint.secret not in detail.content.decode()
    assert key.hashed_key not in keys.content.decode()


def test_staff_disable_an_abusive_endpoint_with_a_reason(staff_client) -> None:
    endpoint = WebhookEndpointFactory()

    answer = staff_client.post(
        "/admin/integrations/webhookendpoint/",
        {
            "action": "disable",
            "_selected_action": [endpoint.pk],
            "apply": "1",
            "reason": "Floods a third party",
        },
    )

    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.disabled_reason) == (False, "Floods a third party")
    assert AuditLog.objects.get(action="webhook_endpoint.disable").reason == "Floods a third party"
