"""Webhook endpoints through the API (from the attacker's side too), the events they hear, the
delivery log, test events and the sweep that makes delivery at-least-once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from accounts.tests.factories import UserFactory
from catalog.services.products import product_create, product_delete, product_update
from catalog.services.stock import stock_adjust
from catalog.tests.factories import ProductFactory
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services import (
    webhook_deliveries_due_send,
    webhook_endpoint_disable,
    webhook_event_publish,
)
from integrations.tests.factories import WebhookEndpointFactory
from integrations.tests.receiver import receiver_running
from payments.models import LedgerEntry
from payments.services.payouts import payout_create, payout_mark_paid
from payments.tests.factories import LedgerEntryFactory
from shops.models import ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    with receiver_running() as running:
        yield running


def _payloads(receiver, secret: str) -> list[dict]:
    return [Webhook(secret).verify(request.body, request.headers) for request in receiver.requests]


def test_an_owner_subscribes_an_endpoint_and_sees_the_secret_once(receiver) -> None:
    shop = ShopFactory()
    client = _client(shop.owner)

    created = client.post(
        f"/api/v1/shops/{shop.pk}/webhooks",
        {"url": receiver.url("/hooks"), "events": ["order.paid", "order.placed"]},
        format="json",
    )
    listed = client.get(f"/api/v1/shops/{shop.pk}/webhooks")

    assert created.status_code == 201
    endpoint = WebhookEndpoint.objects.get()
    assert created.json()["secret"] == endpoint.secret
    assert created.json()["events"] == ["order.paid", "order.placed"]
    assert [item["id"] for item in listed.json()] == [endpoint.pk]
    assert "secret" not in listed.json()[0]


def test_unknown_events_are_refused(receiver) -> None:
    shop = ShopFactory()

    answer = _client(shop.owner).post(
        f"/api/v1/shops/{shop.pk}/webhooks",
        {"url": receiver.url("/hooks"), "events": ["order.stolen"]},
        format="json",
    )

    assert answer.status_code == 400
    assert list(answer.json()["error"]["fields"]) == ["events"]


def test_another_shops_endpoint_is_a_404_and_staff_get_a_403() -> None:
    mine = ShopFactory()
    theirs = WebhookEndpointFactory()
    base = f"/api/v1/shops/{mine.pk}/webhooks/{theirs.pk}"
    delivery = WebhookDelivery.objects.create(
        endpoint=theirs, message_id="msg_x", event="order.paid", payload={}
    )
    client = _client(mine.owner)
    staff = ShopMemberFactory(shop=theirs.shop, role=ShopMember.Role.STAFF).user

    answers = [
        client.patch(base, {"is_active": False}, format="json"),
        client.delete(base),
        client.get(f"{base}/deliveries"),
        client.post(f"{base}/deliveries/{delivery.pk}/redeliver"),
        client.post(f"{base}/test"),
        _client(UserFactory()).get(f"/api/v1/shops/{theirs.shop_id}/webhooks"),
        _client(staff).get(f"/api/v1/shops/{theirs.shop_id}/webhooks"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404, 404, 404, 403]
    theirs.refresh_from_db()
    assert theirs.is_active is True


def test_an_endpoint_is_changed_switched_off_and_deleted() -> None:
    endpoint = WebhookEndpointFactory(failing_since=timezone.now())
    client = _client(endpoint.shop.owner)
    url = f"/api/v1/shops/{endpoint.shop_id}/webhooks/{endpoint.pk}"

    changed = client.patch(url, {"events": ["product.created"], "is_active": False}, format="json")
    back_on = client.patch(url, {"is_active": True}, format="json")
    deleted = client.delete(url)

    assert changed.json()["events"] == ["product.created"]
    assert changed.json()["is_active"] is False
    assert (back_on.json()["is_active"], back_on.json()["failing_since"]) == (True, None)
    assert deleted.status_code == 204
    assert WebhookEndpoint.objects.count() == 0


def test_the_delivery_log_lists_attempts_within_a_query_budget(
    receiver, django_capture_on_commit_callbacks, django_assert_max_num_queries
) -> None:
    endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"), events=["order.paid"])
    with django_capture_on_commit_callbacks(execute=True):
        for number in range(3):
            webhook_event_publish(shop_id=endpoint.shop_id, event="order.paid", data={"n": number})
    client = _client(endpoint.shop.owner)

    with django_assert_max_num_queries(8):
        answer = client.get(f"/api/v1/shops/{endpoint.shop_id}/webhooks/{endpoint.pk}/deliveries")

    results = answer.json()["results"]
    assert [item["payload"]["data"]["n"] for item in results] == [2, 1, 0]
    assert [(item["status"], len(item["attempts"])) for item in results] == [("succeeded", 1)] * 3
    assert results[0]["attempts"][0]["status_code"] == 200


def test_a_test_event_reaches_the_receiver_signed(
    receiver, django_capture_on_commit_callbacks
) -> None:
    endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"))

    with django_capture_on_commit_callbacks(execute=True):
        answer = _client(endpoint.shop.owner).post(
            f"/api/v1/shops/{endpoint.shop_id}/webhooks/{endpoint.pk}/test"
        )

    assert answer.status_code == 202
    assert _payloads(receiver, endpoint.secret)[0]["type"] == "webhook.test"
    assert _payloads(receiver, endpoint.secret)[0]["data"] == {
        "shop_id": endpoint.shop_id,
        "endpoint_id": endpoint.pk,
    }


def test_product_events_carry_the_product(receiver, django_capture_on_commit_callbacks) -> None:
    events = ["product.created", "product.updated", "product.deleted"]
    endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"), events=events)
    shop = endpoint.shop

    with django_capture_on_commit_callbacks(execute=True):
        product = product_create(
            shop=shop, actor=shop.owner, title="Oak table", price=Decimal("250.00"), sku="OAK-1"
        )
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=product, actor=shop.owner, data={"price": Decimal("199.00")})
    product_id = product.pk
    with django_capture_on_commit_callbacks(execute=True):
        product_delete(product=product, actor=shop.owner)

    payloads = _payloads(receiver, endpoint.secret)
    assert [payload["type"] for payload in payloads] == events
    created = payloads[0]["data"]["product"]
    assert (created["id"], created["title"], created["price"]) == (
        product_id,
        "Oak table",
        "250.00",
    )
    assert [variant["sku"] for variant in created["variants"]] == ["OAK-1"]
    assert payloads[1]["data"]["changed"] == ["price"]
    assert payloads[1]["data"]["product"]["price"] == "199.00"
    assert payloads[2]["data"] == {"product": {"id": product_id, "skus": ["OAK-1"]}}


def test_inventory_low_is_sent_once_when_stock_crosses_the_threshold(
    receiver, settings, django_capture_on_commit_callbacks
) -> None:
    settings.CATALOG_LOW_STOCK_THRESHOLD = 5
    endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"), events=["inventory.low"])
    variant = ProductFactory(shop=endpoint.shop).variants.get()  # 10 in stock

    for delta in (-4, -2, -1):
        with django_capture_on_commit_callbacks(execute=True):
            stock_adjust(variant=variant, delta=delta, reason="damage", actor=None)

    payloads = _payloads(receiver, endpoint.secret)
    assert [payload["data"] for payload in payloads] == [
        {
            "variant": {
                "id": variant.pk,
                "product_id": variant.product_id,
                "sku": variant.sku,
                "inventory_count": 4,
                "threshold": 5,
            }
        }
    ]


def test_payout_paid_reaches_the_shop(receiver, settings, django_capture_on_commit_callbacks):
    settings.PAYMENTS_HOLD_DAYS = 0
    endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"), events=["payout.paid"])
    LedgerEntryFactory(
        order__shop=endpoint.shop, kind=LedgerEntry.Kind.SALE, amount=Decimal("80.00")
    )
    payout = payout_create(shop=endpoint.shop, currency="USD", minimum=Decimal("1"))
    assert payout is not None

    with django_capture_on_commit_callbacks(execute=True):
        payout_mark_paid(payout=payout, transfer_id="tr_1")

    payload = _payloads(receiver, endpoint.secret)[0]
    assert payload["type"] == "payout.paid"
    assert payload["data"]["payout"]["amount"] == "80.00"
    assert payload["data"]["payout"]["status"] == "paid"


def test_endpoints_hear_only_their_own_shops_events(receiver, django_capture_on_commit_callbacks):
    mine = WebhookEndpointFactory(url=receiver.url("/mine"), events=["order.paid"])
    WebhookEndpointFactory(url=receiver.url("/theirs"), events=["order.paid"])
    disabled = WebhookEndpointFactory(
        shop=mine.shop, url=receiver.url("/disabled"), events=["order.paid"]
    )
    webhook_endpoint_disable(endpoint=disabled, actor=None, reason="abusive")

    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_publish(shop_id=mine.shop_id, event="order.paid", data={})

    assert [request.path for request in receiver.requests] == ["/mine"]


def test_the_sweep_sends_a_delivery_whose_job_was_lost(receiver) -> None:
    endpoint = WebhookEndpointFactory(url=receiver.url("/hooks"))
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_lost",
        event="order.paid",
        payload={"type": "order.paid", "data": {}},
        next_attempt_at=timezone.now() - timedelta(minutes=5),
    )

    sent = webhook_deliveries_due_send()

    delivery.refresh_from_db()
    assert (sent, delivery.status, delivery.attempt_count) == (1, "succeeded", 1)
    assert receiver.requests[0].headers["webhook-id"] == "msg_lost"
    assert webhook_deliveries_due_send() == 0
