"""The whole webhook journey against a real HTTP receiver on loopback: a shop subscribes through
the API, an order is placed, paid, shipped and refunded, and every delivery is checked (Standard
Webhooks signature, payload, order of attempts); a failing receiver is retried on the backoff
schedule and then disabled, and the owner is told."""

import json
from datetime import datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from django.core import mail
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from accounts.tests.factories import UserFactory
from catalog.tests.factories import VariantFactory
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services import webhook_deliveries_due_send
from integrations.tests.receiver import receiver_running
from notifications.models import Notification
from orders.models import Order
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_ship
from payments.services.payments import payment_confirm_card, payments_create
from payments.tests.conftest import ADDRESS
from shops.tests.factories import ShopFactory

SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000, 43200, 43200, 43200]


@pytest.fixture
def receiver(settings):
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    settings.OUTBOUND_WEBHOOKS_RETRY_SCHEDULE = SCHEDULE
    settings.OUTBOUND_WEBHOOKS_DISABLE_AFTER_SECONDS = 86400
    with receiver_running() as running:
        yield running


def _subscribe(client: APIClient, shop_id: int, url: str, events: list[str]) -> dict:
    answer = client.post(
        f"/api/v1/shops/{shop_id}/webhooks", {"url": url, "events": events}, format="json"
    )
    assert answer.status_code == 201, answer.content
    return answer.json()


@pytest.mark.django_db(transaction=True)
def test_an_order_journey_is_delivered_signed_and_a_failing_receiver_is_disabled(
    receiver,
) -> None:
    # Given a shop subscribed to its order events, and a second endpoint that always fails
    shop = ShopFactory(name="Harbour Books")
    owner = APIClient()
    owner.force_authenticate(user=shop.owner)
    events = ["order.placed", "order.paid", "order.shipped", "order.refunded"]
    good = _subscribe(owner, shop.pk, receiver.url("/hooks"), events)
    receiver.statuses["/failing"] = 500
    failing = _subscribe(owner, shop.pk, receiver.url("/failing"), ["order.placed"])
    assert good["secret"].startswith("whsec_")
    variant = VariantFactory(product__shop=shop, price=Decimal("40.00"), inventory_count=20)
    buyer = UserFactory(verified=True)

    # When an order is placed, paid, shipped and partly refunded
    cart = cart_get_or_create(user=buyer, session={})  # type: ignore[arg-type]
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=2)
    order = checkout_place(buyer=buyer, cart=cart, address=ADDRESS).orders[0]
    payment = payments_create(buyer=buyer, order_ids=[order.pk])[0]
    payment_confirm_card(payment=payment, card_number="4242424242424242")
    order_ship(
        order=Order.objects.get(pk=order.pk),
        actor=shop.owner,
        carrier="DHL",
        tracking_number="JD0001",
    )
    refund = owner.post(f"/api/v1/orders/{order.pk}/refunds", {"amount": "30.00"}, format="json")
    assert refund.status_code == 201

    # Then the receiver got each event once, in order, signed with the endpoint's secret
    hooks = receiver.received("/hooks")
    verifier = Webhook(good["secret"])
    payloads = [verifier.verify(request.body, request.headers) for request in hooks]
    assert [payload["type"] for payload in payloads] == events
    assert [payload["data"]["order"]["status"] for payload in payloads] == [
        "pending",
        "paid",
        "shipped",
        "partially_refunded",
    ]
    first = payloads[0]
    assert first["version"] == "2026-12-01"
    assert first["data"]["order"]["number"] == order.number
    assert first["data"]["order"]["total"] == str(order.total)
    assert first["data"]["order"]["lines"] == [
        {
            "variant_id": variant.pk,
            "sku": variant.sku,
            "title": variant.product.title,
            "options": {},
            "quantity": 2,
            "unit_price": "40.00",
            "total": first["data"]["order"]["lines"][0]["total"],
        }
    ]
    assert payloads[2]["data"]["order"]["tracking_number"] == "JD0001"
    assert payloads[3]["data"]["order"]["refunded_amount"] == "30.00"
    good_deliveries = WebhookDelivery.objects.filter(endpoint_id=good["id"]).order_by("id")
    assert [
        (delivery.event, delivery.status, delivery.attempt_count) for delivery in good_deliveries
    ] == [(event, "succeeded", 1) for event in events]
    assert [request.headers["webhook-id"] for request in hooks] == [
        delivery.message_id for delivery in good_deliveries
    ]
    tampered = hooks[0].body.replace(b'"pending"', b'"paid"')
    with pytest.raises(Exception, match="No matching signature"):
        verifier.verify(tampered, hooks[0].headers)

    # And the failing endpoint is retried on the schedule, with the same webhook-id, until it
    # has failed for a day; then it is disabled and the owner told
    delivery = WebhookDelivery.objects.get(endpoint_id=failing["id"])
    while delivery.status == WebhookDelivery.Status.PENDING:
        webhook_deliveries_due_send(now=delivery.next_attempt_at)
        delivery.refresh_from_db()
    attempts = list(delivery.attempts.order_by("number"))
    assert [attempt.number for attempt in attempts] == [1, 2, 3, 4, 5, 6, 7, 8]
    assert [attempt.status_code for attempt in attempts] == [500] * 8
    gaps = [
        (later.started - earlier.started).total_seconds() for earlier, later in pairwise(attempts)
    ]
    assert gaps == SCHEDULE[:7]
    assert attempts[-1].started - attempts[0].started >= timedelta(days=1)
    assert delivery.status == WebhookDelivery.Status.FAILED
    failed_requests = receiver.received("/failing")
    assert len(failed_requests) == 8
    assert {request.headers["webhook-id"] for request in failed_requests} == {delivery.message_id}
    for request in failed_requests:
        sent_at = datetime.fromtimestamp(int(request.headers["webhook-timestamp"]))
        signature = Webhook(failing["secret"]).sign(
            msg_id=delivery.message_id, timestamp=sent_at, data=request.body
        )
        assert request.headers["webhook-signature"] == signature
        assert json.loads(request.body)["type"] == "order.placed"
    endpoint = WebhookEndpoint.objects.get(pk=failing["id"])
    assert (endpoint.is_active, endpoint.disabled_reason) == (
        False,
        "its deliveries failed for a day",
    )
    assert WebhookEndpoint.objects.get(pk=good["id"]).is_active is True
    notification = Notification.objects.get(user=shop.owner, kind="webhook_disabled")
    assert notification.title == "A webhook endpoint of Harbour Books was disabled"
    assert receiver.url("/failing") in notification.body
    assert [message.to for message in mail.outbox if "webhook" in message.subject.lower()] == [
        [shop.owner.email]
    ]

    # And a redelivery through the API reaches the receiver again with the same webhook-id
    first_delivery = good_deliveries[0]
    redelivered = owner.post(
        f"/api/v1/shops/{shop.pk}/webhooks/{good['id']}/deliveries/{first_delivery.pk}/redeliver"
    )
    assert redelivered.status_code == 202
    assert receiver.received("/hooks")[-1].headers["webhook-id"] == first_delivery.message_id
    first_delivery.refresh_from_db()
    assert (first_delivery.status, first_delivery.attempt_count) == ("succeeded", 2)
