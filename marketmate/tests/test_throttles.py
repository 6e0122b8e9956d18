"""The stricter API throttle scopes (marketmate.throttling): auth, checkout, chat and uploads.
Each is counted on Redis per user when signed in, else per client address; the one over the
limit gets a 429 in the API's error shape with `Retry-After`, and everybody else carries on."""

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import User
from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from chat.tests.factories import ConversationFactory
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

LIMIT = 2


@pytest.fixture
def scope_rates(settings: Any) -> None:
    """Every stricter scope down to LIMIT requests a minute; the API-wide ones stay as they are."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            **dict.fromkeys(("auth", "checkout", "chat", "uploads"), f"{LIMIT}/minute"),
        },
    }


def _client(user: User | None = None, address: str = "198.51.100.1") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    if user is not None:
        client.force_authenticate(user=user)
    return client


def _assert_throttled(response: Any) -> None:
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert set(response.json()["error"]) == {"code", "message", "fields"}
    assert 1 <= int(response["Retry-After"]) <= 60


def _login(client: APIClient) -> Any:
    body = {"email": "nobody@example.com", "password": "wrong-password"}
    return client.post("/api/v1/auth/login", body, format="json")


def _refresh(client: APIClient) -> Any:
    return client.post("/api/v1/auth/refresh", {"refresh": "not-a-token"}, format="json")


def _register(client: APIClient) -> Any:
    return client.post("/api/v1/auth/register", {}, format="json")


def _forgot_password(client: APIClient) -> Any:
    return client.post("/api/v1/auth/forgot-password", {"email": "x"}, format="json")


def _reset_password(client: APIClient) -> Any:
    return client.post("/api/v1/auth/reset-password", {}, format="json")


@pytest.mark.parametrize(
    "attempt", [_login, _refresh, _register, _forgot_password, _reset_password]
)
def test_auth_requests_over_the_limit_from_one_address_are_429(
    scope_rates: None, settings: Any, attempt: Callable[[APIClient], Any]
) -> None:
    # given the sign-in limits of accounts.ratelimits out of the way, to see the API scope alone
    settings.ACCOUNTS_RATE_LIMITS = dict.fromkeys(settings.ACCOUNTS_RATE_LIMITS, "100/m")
    attacker = _client(address="203.0.113.9")

    # when
    allowed = [attempt(attacker).status_code for _ in range(LIMIT)]
    refused = attempt(attacker)
    neighbour = attempt(_client(address="203.0.113.10"))

    # then
    assert 429 not in allowed
    _assert_throttled(refused)
    assert neighbour.status_code != 429


def test_auth_requests_are_counted_per_client_behind_the_proxy(
    scope_rates: None, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ACCOUNTS_RATE_LIMITS = dict.fromkeys(settings.ACCOUNTS_RATE_LIMITS, "100/m")
    proxy = "10.0.0.2"
    attacker = _client(address=proxy)
    attacker.credentials(HTTP_X_FORWARDED_FOR="203.0.113.9")
    other = _client(address=proxy)
    other.credentials(HTTP_X_FORWARDED_FOR="203.0.113.10")

    for _ in range(LIMIT):
        _refresh(attacker)
    refused = _refresh(attacker)
    behind_the_same_proxy = _refresh(other)

    _assert_throttled(refused)
    assert behind_the_same_proxy.status_code == 401


def test_checkouts_over_the_limit_are_429_for_that_user_only(scope_rates: None) -> None:
    buyer, other = UserFactory(), UserFactory()
    client = _client(buyer)

    allowed = [client.post("/api/v1/checkout", {}, format="json").status_code for _ in range(2)]
    refused = client.post("/api/v1/checkout", {}, format="json")
    payment = client.post("/api/v1/payments", {}, format="json")
    other_buyer = _client(other).post("/api/v1/checkout", {}, format="json")

    assert 429 not in allowed
    _assert_throttled(refused)
    _assert_throttled(payment)
    assert other_buyer.status_code == 400


def test_payment_creation_and_card_confirmation_share_the_checkout_limit(
    scope_rates: None,
) -> None:
    buyer = UserFactory()
    client = _client(buyer)

    created = client.post("/api/v1/payments", {}, format="json")
    confirmed = client.post("/api/v1/payments/999999/confirm", {}, format="json")
    refused = client.post("/api/v1/payments", {}, format="json")

    assert [created.status_code, confirmed.status_code] == [400, 404]
    _assert_throttled(refused)


def test_chat_messages_over_the_limit_are_429_and_reading_is_not_counted(
    scope_rates: None,
) -> None:
    conversation = ConversationFactory()
    buyer = _client(conversation.buyer)
    url = f"/api/v1/chat/conversations/{conversation.pk}/messages"

    reads = [buyer.get(url).status_code for _ in range(LIMIT + 1)]
    sent = [buyer.post(url, {"body": "Hello"}, format="json").status_code for _ in range(LIMIT)]
    refused = buyer.post(url, {"body": "Hello?"}, format="json")
    started = buyer.post("/api/v1/chat/conversations", {}, format="json")
    shop_reply = _client(conversation.shop.owner).post(url, {"body": "Hi!"}, format="json")

    assert reads == [200] * (LIMIT + 1)
    assert sent == [201] * LIMIT
    _assert_throttled(refused)
    _assert_throttled(started)
    assert shop_reply.status_code == 201


def _png() -> SimpleUploadedFile:
    return SimpleUploadedFile("photo.png", b"not really a png", content_type="image/png")


def test_uploads_over_the_limit_are_429_for_that_user_only(scope_rates: None) -> None:
    vendor, other_vendor = UserFactory(role=User.Role.VENDOR), UserFactory(role=User.Role.VENDOR)
    product = ProductFactory(shop=ShopFactory(owner=vendor))
    other_product = ProductFactory(shop=ShopFactory(owner=other_vendor))
    client = _client(vendor)
    url = f"/api/v1/products/{product.pk}/images"

    allowed = [
        client.post(url, {"image": _png()}, format="multipart").status_code for _ in range(LIMIT)
    ]
    refused = client.post(url, {"image": _png()}, format="multipart")
    avatar = client.patch("/api/v1/users/me", {"avatar": _png()}, format="multipart")
    profile = client.patch("/api/v1/users/me", {"name": "Vera Vendor"}, format="json")
    other = _client(other_vendor).post(
        f"/api/v1/products/{other_product.pk}/images", {"image": _png()}, format="multipart"
    )

    assert allowed == [400] * LIMIT
    _assert_throttled(refused)
    _assert_throttled(avatar)
    assert profile.status_code == 200
    assert other.status_code == 400


def test_the_stricter_scopes_are_off_with_the_other_rate_limits(
    scope_rates: None, settings: Any
) -> None:
    settings.RATELIMIT_ENABLE = False
    client = _client(UserFactory())

    answers = [client.post("/api/v1/checkout", {}, format="json") for _ in range(LIMIT + 3)]

    assert {answer.status_code for answer in answers} == {400}


def test_the_default_rates_are_stricter_than_the_api_wide_ones(settings: Any) -> None:
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    assert {scope: rates[scope] for scope in ("auth", "checkout", "chat", "uploads")} == {
        "auth": "10/minute",
        "checkout": "20/minute",
        "chat": "30/minute",
        "uploads": "20/minute",
    }
