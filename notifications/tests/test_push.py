"""Web push over real HTTP: a tiny server on loopback stands in for the browser's push
service, and decrypts what it receives with the subscription's keys, as a browser would."""

import base64
import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from accounts.models import User
from accounts.tests.factories import UserFactory
from marketmate.models import JobRecord
from notifications.exceptions import PushEndpointTakenError
from notifications.management.commands.vapid_keys import vapid_key_pair
from notifications.models import Kind, PushSubscription
from notifications.services import (
    notification_dispatch,
    push_subscription_register,
    push_subscription_unregister,
)
from notifications.tests.factories import PushSubscriptionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verify_es256(*, public_key: str, signed: str, signature: str) -> None:
    """Raises InvalidSignature unless the VAPID token was signed by the key's private half."""
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(public_key))
    raw = _b64url_decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))


class PushService:
    """Answers each POST with the next status of `statuses` and keeps what it received."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[dict[str, Any]] = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {key.lower(): value for key, value in self.headers.items()},
                        "body": self.rfile.read(length),
                    }
                )
                self.send_response(service.statuses.pop(0) if service.statuses else 201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "PushService":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def push_service() -> Iterator[PushService]:
    with PushService() as service:
        yield service


@pytest.fixture
def vapid(settings) -> tuple[str, str]:
    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:ops@marketmate.example"
    settings.WEBPUSH_ALLOW_INSECURE_ENDPOINTS = True
    return public, private


class BrowserKeys:
    """What a browser keeps for one subscription: its ECDH key and auth secret."""

    def __init__(self) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self.p256dh = _b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )
        self.auth = _b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        result: dict[str, Any] = json.loads(plain)
        return result


def _subscribe(user: User, push_service: PushService, name: str) -> BrowserKeys:
    keys = BrowserKeys()
    push_subscription_register(
        user=user,
        endpoint=f"{push_service.url}/push/{name}",
        p256dh=keys.p256dh,
        auth=keys.auth,
        user_agent="Chromium",
    )
    return keys


def _dispatch(user: User) -> None:
    notification_dispatch(
        user=user,
        kind=Kind.ORDER_SHIPPED,
        title="Order MM-7 has shipped",
        body="Tea House sent your order on its way.",
        link="/orders/MM-7/",
    )


def test_a_notification_is_pushed_encrypted_and_signed_to_every_subscription(
    vapid: tuple[str, str], push_service: PushService
) -> None:
    user = UserFactory()
    phone = _subscribe(user, push_service, "phone")
    laptop = _subscribe(user, push_service, "laptop")

    _dispatch(user)

    assert sorted(request["path"] for request in push_service.received) == [
        "/push/laptop",
        "/push/phone",
    ]
    by_path = {request["path"]: request for request in push_service.received}
    expected = {
        "title": "Order MM-7 has shipped",
        "body": "Tea House sent your order on its way.",
        "link": "/orders/MM-7/",
        "kind": "order_shipped",
    }
    assert phone.decrypt(by_path["/push/phone"]["body"]) == expected
    assert laptop.decrypt(by_path["/push/laptop"]["body"]) == expected
    headers = by_path["/push/phone"]["headers"]
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["ttl"] == "86400"
    scheme, _, credentials = headers["authorization"].partition(" ")
    assert scheme == "vapid"
    fields = dict(part.strip().split("=", 1) for part in credentials.split(","))
    assert fields["k"] == vapid[0]
    signed, _, signature = fields["t"].rpartition(".")
    _verify_es256(public_key=vapid[0], signed=signed, signature=signature)
    payload = json.loads(_b64url_decode(signed.split(".")[1]))
    assert payload["sub"] == "mailto:ops@marketmate.example"
    assert payload["aud"] == push_service.url
    assert PushSubscription.objects.filter(last_used_at__isnull=False).count() == 2
    assert JobRecord.objects.get(name="notifications.send_push_task").status == "succeeded"


def test_a_subscription_the_push_service_no_longer_knows_is_removed(
    vapid: tuple[str, str], push_service: PushService
) -> None:
    user = UserFactory()
    _subscribe(user, push_service, "phone")

    push_service.statuses = [201]
    _dispatch(user)
    assert PushSubscription.objects.count() == 1

    push_service.statuses = [410]
    _dispatch(user)

    assert PushSubscription.objects.count() == 0
    assert len(push_service.received) == 2


def test_a_404_also_removes_the_subscription_and_keeps_the_others(
    vapid: tuple[str, str], push_service: PushService
) -> None:
    user = UserFactory()
    _subscribe(user, push_service, "gone")
    _subscribe(user, push_service, "alive")
    push_service.statuses = [404, 201]

    _dispatch(user)

    remaining = list(PushSubscription.objects.values_list("endpoint", flat=True))
    gone_first = push_service.received[0]["path"] == "/push/gone"
    assert remaining == [f"{push_service.url}/push/{'alive' if gone_first else 'gone'}"]


def test_a_failing_push_service_is_retried_then_dead_and_the_subscription_kept(
    settings, vapid: tuple[str, str], push_service: PushService
) -> None:
    settings.JOB_MAX_RETRIES = 1
    user = UserFactory()
    _subscribe(user, push_service, "phone")
    push_service.statuses = [500, 503]

    _dispatch(user)

    job = JobRecord.objects.get(name="notifications.send_push_task")
    assert (job.status, job.attempts) == ("dead", 2)
    assert "500" in job.last_error or "503" in job.last_error
    assert PushSubscription.objects.count() == 1


def test_without_vapid_keys_nothing_is_pushed(settings, push_service: PushService) -> None:
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    user = UserFactory()
    PushSubscriptionFactory(user=user, endpoint=f"{push_service.url}/push/x")

    _dispatch(user)

    assert push_service.received == []


def test_only_https_endpoints_are_accepted_outside_tests(settings) -> None:
    from marketmate.errors import ApplicationError

    settings.WEBPUSH_ALLOW_INSECURE_ENDPOINTS = False
    keys = BrowserKeys()

    with pytest.raises(ApplicationError) as error:
        push_subscription_register(
            user=UserFactory(), endpoint="http://10.0.0.1/x", p256dh=keys.p256dh, auth=keys.auth
        )

    assert error.value.fields == {"endpoint": ["Use an https address."]}


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:8000/admin/",
        "https://internal.marketmate.local/x",
        "https://fcm.googleapis.com.attacker.example/x",
        "https://evilfcm.googleapis.com@10.0.0.1/x",
    ],
)
def test_only_the_browsers_push_services_are_accepted(settings, endpoint: str) -> None:
    from marketmate.errors import ApplicationError

    settings.WEBPUSH_ALLOW_INSECURE_ENDPOINTS = False
    keys = BrowserKeys()

    with pytest.raises(ApplicationError) as error:
        push_subscription_register(
            user=UserFactory(), endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth
        )

    assert list(error.value.fields) == ["endpoint"]


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/abc",
    ],
)
def test_the_browsers_push_services_are_accepted(settings, endpoint: str) -> None:
    settings.WEBPUSH_ALLOW_INSECURE_ENDPOINTS = False
    keys = BrowserKeys()

    subscription = push_subscription_register(
        user=UserFactory(), endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth
    )

    assert subscription.endpoint == endpoint


def test_an_endpoint_stays_with_the_first_user_until_they_remove_it(settings) -> None:
    first, second = UserFactory(), UserFactory()
    keys = BrowserKeys()
    endpoint = "https://push.example/abc"
    push_subscription_register(user=first, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth)

    with pytest.raises(PushEndpointTakenError):
        push_subscription_register(user=second, endpoint=endpoint, p256dh=keys.p256dh, auth="other")
    again = push_subscription_register(
        user=first, endpoint=endpoint, p256dh=keys.p256dh, auth="renewed"
    )
    push_subscription_unregister(user=first, endpoint=endpoint)
    taken_over = push_subscription_register(
        user=second, endpoint=endpoint, p256dh=keys.p256dh, auth=keys.auth
    )

    assert (again.user, again.auth) == (first, "renewed")
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [second.pk]
    assert taken_over.user == second
