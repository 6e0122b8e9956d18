from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from marketmate.errors import ApplicationError
from marketmate.models import AuditLog, BlockedNetwork
from marketmate.security import blocked_network_add, blocked_network_remove

pytestmark = pytest.mark.django_db(transaction=True)

ATTACKER = "203.0.113.7"


def test_a_blocked_address_gets_403_on_pages_and_the_api() -> None:
    blocked_network_add(network=ATTACKER, reason="Credential stuffing", actor=None)
    client = Client(REMOTE_ADDR=ATTACKER)

    page = client.get("/")
    api = client.get("/api/v1/users/me")

    assert page.status_code == 403
    assert b"Requests from your network are blocked." in page.content
    assert api.status_code == 403
    assert api.json() == {
        "error": {
            "code": "permission_denied",
            "message": "Requests from your network are blocked.",
            "fields": {},
        }
    }
    assert Client(REMOTE_ADDR="198.51.100.1").get("/").status_code == 200


def test_a_blocked_network_covers_its_addresses_ipv4_and_ipv6() -> None:
    blocked_network_add(network="203.0.113.0/24", reason="Botnet", actor=None)
    blocked_network_add(network="2001:db8::/32", reason="Botnet", actor=None)

    assert Client(REMOTE_ADDR="203.0.113.200").get("/healthz").status_code == 403
    assert Client(REMOTE_ADDR="2001:db8::42").get("/healthz").status_code == 403
    assert Client(REMOTE_ADDR="203.0.114.1").get("/healthz").status_code == 200


def test_an_expired_block_is_no_longer_enforced() -> None:
    blocked_network_add(
        network=ATTACKER,
        reason="Cool-off",
        actor=None,
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    assert Client(REMOTE_ADDR=ATTACKER).get("/healthz").status_code == 200


def test_removing_a_block_takes_effect_on_the_next_request() -> None:
    blocked = blocked_network_add(network=ATTACKER, reason="Mistake", actor=None)
    client = Client(REMOTE_ADDR=ATTACKER)
    assert client.get("/healthz").status_code == 403

    blocked_network_remove(blocked=blocked, actor=None, reason="Was a customer")

    assert client.get("/healthz").status_code == 200
    assert list(AuditLog.objects.values_list("action", flat=True).order_by("id")) == [
        "security.block",
        "security.unblock",
    ]


def test_a_malformed_network_is_refused() -> None:
    with pytest.raises(ApplicationError) as refused:
        blocked_network_add(network="300.1.2.3", reason="typo", actor=None)

    assert refused.value.fields == {"network": ["Enter an IP address or a network."]}


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client() -> None:
    blocked_network_add(network=ATTACKER, reason="Abuse", actor=None)
    client = Client(REMOTE_ADDR="10.0.0.2")

    blocked = client.get("/healthz", HTTP_X_FORWARDED_FOR=f"1.2.3.4, {ATTACKER}")
    spoofed = client.get("/healthz", HTTP_X_FORWARDED_FOR=f"{ATTACKER}, 198.51.100.1")

    assert blocked.status_code == 403
    assert spoofed.status_code == 200


def test_staff_block_an_address_in_the_admin_and_it_is_audited() -> None:
    staff = StaffFactory()
    client = Client()
    client.force_login(staff)

    response = client.post(
        "/admin/marketmate/blockednetwork/add/",
        {
            "network": " 203.0.113.0/24 ",
            "reason": "Scraping",
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    invalid = client.post(
        "/admin/marketmate/blockednetwork/add/",
        {"network": "not-an-ip", "reason": "x", "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 302
    blocked = BlockedNetwork.objects.get()
    assert (blocked.network, blocked.created_by) == ("203.0.113.0/24", staff)
    assert AuditLog.objects.get(action="security.block").actor == staff
    assert invalid.status_code == 200
    assert b"Enter an IP address or a network." in invalid.content
    assert Client(REMOTE_ADDR="203.0.113.9").get("/healthz").status_code == 403


@override_settings(CORS_ALLOWED_ORIGINS=["https://app.marketmate.example"])
def test_cross_origin_requests_are_allowed_for_the_api_only_from_listed_origins() -> None:
    client = Client()
    preflight = {
        "HTTP_ORIGIN": "https://app.marketmate.example",
        "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
        "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "authorization, idempotency-key",
    }

    allowed = client.options("/api/v1/users/me", **preflight)
    other_origin = client.options(
        "/api/v1/users/me", **{**preflight, "HTTP_ORIGIN": "https://evil.example"}
    )
    page = client.get("/", HTTP_ORIGIN="https://app.marketmate.example")

    assert allowed["Access-Control-Allow-Origin"] == "https://app.marketmate.example"
    assert "idempotency-key" in allowed["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in other_origin
    assert "Access-Control-Allow-Origin" not in page
