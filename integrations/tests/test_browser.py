"""A shop owner connects their systems in a real chromium: creates an API key (shown once), adds
a webhook endpoint (its secret shown once), sends a test event to a real receiver on loopback and
reads the delivery log; at phone and desktop sizes, and in Spanish."""

from pathlib import Path

import pytest

from integrations.models import ShopApiKey, WebhookDelivery, WebhookEndpoint
from integrations.tests.receiver import receiver_running
from marketmate.tests.browser import screenshots, signed_in_page
from shops.tests.factories import ShopFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_creates_a_key_and_a_webhook_and_sends_a_test_event(
    browser, live_server, artifacts_dir: Path, settings
) -> None:
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    shop = ShopFactory(name="Harbour Ceramics")
    page = signed_in_page(browser, live_server, shop.owner)

    # The sidebar leads to the integrations; the key is shown once after it is created.
    page.goto(live_server.url + "/dashboard/")
    page.get_by_role("link", name="Integrations").click()
    page.wait_for_url(live_server.url + "/dashboard/integrations/")
    screenshots(page, artifacts_dir, "integrations-keys-empty")
    page.get_by_label("Name").fill("Warehouse ERP")
    page.get_by_label("Change stock").check()
    page.get_by_label("Read orders").check()
    page.get_by_role("button", name="Create key").click()
    shown = page.locator("[data-secret]").input_value()
    key = ShopApiKey.objects.get()
    assert shown.startswith(f"{key.prefix}.")
    assert key.scopes == ["inventory:write", "orders:read"]
    screenshots(page, artifacts_dir, "integrations-keys-created")

    with receiver_running() as receiver:
        # An endpoint is added; its secret is shown once.
        page.get_by_role("link", name="Webhooks").first.click()
        page.get_by_label("Address (URL)").fill(receiver.url("/hooks"))
        page.get_by_label("Order paid").check()
        page.get_by_label("Stock running low").check()
        page.get_by_role("button", name="Add endpoint").click()
        endpoint = WebhookEndpoint.objects.get()
        assert page.locator("[data-secret]").input_value() == endpoint.secret
        screenshots(page, artifacts_dir, "integrations-endpoint-created")

        # A test event reaches the receiver and shows in the delivery log.
        page.get_by_role("link", name="Open the endpoint and send a test event").click()
        page.get_by_role("button", name="Send a test event").click()
        page.locator("[data-delivery]").first.wait_for()
        assert [request.path for request in receiver.requests] == ["/hooks"]
    assert WebhookDelivery.objects.get().status == "succeeded"
    page.locator("[data-delivery] summary").first.click()
    screenshots(page, artifacts_dir, "integrations-endpoint-detail")

    # The same pages in Spanish.
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    page.goto(live_server.url + "/dashboard/integrations/")
    assert page.locator("h1").inner_text() == "Integraciones"
    screenshots(page, artifacts_dir, "integrations-keys-es")
