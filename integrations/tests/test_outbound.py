"""SSRF: webhook addresses must be https and public, checked when subscribed and again at
delivery; redirects are not followed and responses are read only up to a bound."""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from integrations import outbound
from integrations.exceptions import UnsafeUrlError
from integrations.models import WebhookDelivery
from integrations.services import webhook_test_send
from integrations.tests.factories import WebhookEndpointFactory
from integrations.tests.receiver import receiver_running
from shops.tests.factories import ShopFactory


@pytest.mark.parametrize(
    "url",
    [
        "http://93.184.215.14/hooks",  # not https
        "https://127.0.0.1/hooks",
        "https://localhost/hooks",
        "https://10.1.2.3/hooks",
        "https://192.168.0.10/hooks",
        "https://172.16.5.5/hooks",
        "https://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://100.64.0.1/hooks",  # carrier-grade NAT
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://[fe80::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://224.0.0.1/hooks",
        "https://user:secret@93.184.215.14/hooks",
        "ftp://93.184.215.14/hooks",
    ],
)
def test_private_and_non_https_addresses_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrlError):
        outbound.url_resolve(url)


def test_a_public_https_address_is_accepted_and_pinned_to_its_checked_address() -> None:
    target = outbound.url_resolve("https://93.184.215.14:8443/hooks?shop=1")

    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "93.184.215.14",
        8443,
        "/hooks?shop=1",
        "93.184.215.14",
    )


@pytest.mark.django_db
def test_the_api_refuses_to_subscribe_a_private_address() -> None:
    shop = ShopFactory()
    client = APIClient()
    client.force_authenticate(user=shop.owner)

    answer = client.post(
        f"/api/v1/shops/{shop.pk}/webhooks",
        {"url": "https://169.254.169.254/latest/meta-data/", "events": ["order.paid"]},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "webhook_url_unsafe"
    assert answer.json()["error"]["fields"] == {"url": ["Use a public address."]}


@pytest.mark.django_db
def test_the_address_is_checked_again_at_delivery_time(
    settings, django_capture_on_commit_callbacks
):
    with receiver_running() as receiver:
        # Subscribed while private addresses were allowed (or the DNS answer changed since)
        endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"))
        settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = False

        with django_capture_on_commit_callbacks(execute=True):
            delivery = webhook_test_send(endpoint=endpoint, actor=None)

        assert receiver.requests == []
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.error) == (
        None,
        "Webhook addresses must start with https://.",
    )


@pytest.mark.django_db
@override_settings(OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS=True)
def test_redirects_are_not_followed(django_capture_on_commit_callbacks) -> None:
    with receiver_running() as receiver:
        receiver.statuses["/moved"] = 302
        endpoint = WebhookEndpointFactory(url=receiver.url("/moved"))

        with django_capture_on_commit_callbacks(execute=True):
            delivery = webhook_test_send(endpoint=endpoint, actor=None)

        assert [request.path for request in receiver.requests] == ["/moved"]
    delivery.refresh_from_db()
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.error) == (302, "The receiver answered 302.")
    assert delivery.status == WebhookDelivery.Status.PENDING  # retried later, never followed


@pytest.mark.django_db
@override_settings(
    OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS=True, OUTBOUND_WEBHOOKS_MAX_RESPONSE_BYTES=1024
)
def test_a_huge_response_is_read_only_up_to_the_bound(django_capture_on_commit_callbacks) -> None:
    with receiver_running() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url("/huge"))

        with django_capture_on_commit_callbacks(execute=True):
            delivery = webhook_test_send(endpoint=endpoint, actor=None)

    attempt = delivery.attempts.get()
    assert (attempt.status_code, len(attempt.response_body)) == (200, 1024)


@pytest.mark.django_db
@override_settings(
    OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS=True, OUTBOUND_WEBHOOKS_MAX_PAYLOAD_BYTES=10
)
def test_a_payload_over_the_bound_is_not_sent(django_capture_on_commit_callbacks) -> None:
    with receiver_running() as receiver:
        endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"))

        with django_capture_on_commit_callbacks(execute=True):
            delivery = webhook_test_send(endpoint=endpoint, actor=None)

        assert receiver.requests == []
    assert delivery.attempts.get().error == "The payload is larger than allowed."
