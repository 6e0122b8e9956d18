"""Fixtures of the payments tests: a real localstripe server on loopback (one per test session),
Stripe settings pointing at it, its signed webhooks sent to the live server, and placed orders."""

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
import stripe
from django.test import Client

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.models import ProductVariant
from catalog.tests.factories import VariantFactory
from orders.models import Order
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.services.checkout import CheckoutResult, checkout_place
from payments.models import Payment
from shops.models import Shop
from shops.tests.factories import ShopFactory

STRIPE_SECRET_KEY = "sk_test_marketmate"
STRIPE_PUBLISHABLE_KEY = "pk_test_marketmate"
WEBHOOK_SECRET = "whsec_marketmate_test_secret"
WEBHOOK_PATH = "/api/v1/webhooks/stripe"
ADDRESS = {
    "full_name": "Ada Shopper",
    "line1": "1 Market Street",
    "line2": "",
    "city": "Springfield",
    "region": "",
    "postal_code": "12345",
    "country": "US",
    "phone": "",
}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def localstripe() -> Iterator[str]:
    """A localstripe server on a free loopback port for the whole session; its base URL."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "payments.tests.localstripe_server", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            answer = requests.get(f"{base}/v1/events", auth=(STRIPE_SECRET_KEY, ""), timeout=1)
            if answer.status_code == 200:
                break
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise RuntimeError("localstripe did not start")
        time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(timeout=10)


def localstripe_webhook(base: str, *, url: str, events: list[str] | None = None) -> None:
    """Point localstripe's signed webhooks at `url` (only `events`, when given)."""
    data: dict[str, str] = {"url": url, "secret": WEBHOOK_SECRET}
    for index, event in enumerate(events or []):
        data[f"events[{index}]"] = event
    requests.post(f"{base}/_config/webhooks/marketmate", data=data, timeout=5).raise_for_status()


@pytest.fixture
def stripe_settings(settings: Any, localstripe: str) -> str:
    """MarketMate configured for Stripe at localstripe, its webhooks sent nowhere."""
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = STRIPE_PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe
    localstripe_webhook(localstripe, url="http://127.0.0.1:9/", events=["marketmate.none"])
    return localstripe


@pytest.fixture
def stripe_webhooks(stripe_settings: str, live_server: Any) -> Iterator[str]:
    """localstripe sends its signed events to this test's live server."""
    localstripe_webhook(stripe_settings, url=live_server.url + WEBHOOK_PATH)
    yield live_server.url
    localstripe_webhook(stripe_settings, url="http://127.0.0.1:9/", events=["marketmate.none"])


def stripe_client() -> stripe.StripeClient:
    from django.conf import settings

    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
    )


def stripe_browser_pays(payment: Payment, *, card: str = "4242424242424242") -> dict[str, Any]:
    """What Stripe.js does in the shopper's browser: attach a card to the intent and confirm."""
    client = stripe_client()
    method = client.v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": card, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    client.v1.payment_intents.update(
        payment.provider_payment_id, params={"payment_method": method.id}
    )
    from payments.gateways.stripe import StripeGateway

    result = StripeGateway().intent_confirm(
        provider_payment_id=payment.provider_payment_id,
        card_number="",
        idempotency_key=f"test-confirm-{payment.pk}",
    )
    return dict(result.raw)


def stripe_signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    timestamp = int(time.time()) if at is None else at
    signed = f"{timestamp}.".encode() + payload
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def webhook_post(client: Client, event: dict[str, Any], *, signature: str | None = None) -> Any:
    """Deliver `event` to the webhook endpoint as Stripe does, signed unless told otherwise."""
    payload = json.dumps(event).encode()
    return client.post(
        WEBHOOK_PATH,
        data=payload,
        content_type="application/json",
        headers={"Stripe-Signature": stripe_signature(payload) if signature is None else signature},
    )


def stripe_event(
    event_type: str, obj: dict[str, Any], *, event_id: str | None = None
) -> dict[str, Any]:
    """An event shaped like Stripe's, for what localstripe does not send (refunds, disputes)."""
    return {
        "id": event_id or f"evt_test_{time.time_ns()}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def localstripe_events(event_type: str) -> list[dict[str, Any]]:
    """The events localstripe recorded of `event_type`, newest first."""
    from django.conf import settings

    answer = requests.get(
        f"{settings.STRIPE_API_BASE}/v1/events",
        params={"type": event_type, "limit": 100},
        auth=(STRIPE_SECRET_KEY, ""),
        timeout=5,
    )
    answer.raise_for_status()
    return list(answer.json()["data"])


def wait_for(condition: Callable[[], bool], *, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


@pytest.fixture
def buyer(db: None) -> User:
    return UserFactory(email="shopper@example.com", name="Ada Shopper", verified=True)


@pytest.fixture
def shop(db: None) -> Shop:
    return ShopFactory(name="Harbour Books", slug="harbour-books")


@pytest.fixture
def variant(shop: Shop) -> ProductVariant:
    return VariantFactory(product__shop=shop, price=Decimal("40.00"), inventory_count=20)


@pytest.fixture
def place() -> Callable[..., CheckoutResult]:
    """`place(user, (variant, quantity), ...)`: a placed checkout, orders pending payment."""

    def do(user: User, *items: tuple[ProductVariant, int], **kwargs: Any) -> CheckoutResult:
        cart = cart_get_or_create(user=user, session={})  # type: ignore[arg-type]
        for item_variant, quantity in items:
            cart_item_add(cart=cart, variant_id=item_variant.pk, quantity=quantity)
        kwargs.setdefault("address", ADDRESS)
        return checkout_place(buyer=user, cart=cart, **kwargs)

    return do


@pytest.fixture
def order(buyer: User, variant: ProductVariant, place: Callable[..., CheckoutResult]) -> Order:
    return place(buyer, (variant, 2)).orders[0]
