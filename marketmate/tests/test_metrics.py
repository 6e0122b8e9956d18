import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from prometheus_client import REGISTRY

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from marketmate.events import event_emit
from marketmate.metrics import WebSocketConnectionGauge
from marketmate.models import JobRecord
from marketmate.routing import websocket_urlpatterns
from marketmate.tests.jobs_for_tests import broken_task, flaky_task

ROOT = Path(__file__).resolve().parents[2]


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scrape(client: Client, **headers: str) -> str:
    response = client.get("/metrics", **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


@pytest.mark.django_db
def test_requests_are_counted_and_timed_by_view_and_status(client: Client) -> None:
    before = sample("mm_http_requests_total", method="GET", view="healthz", status="200")
    timed_before = sample("mm_http_request_duration_seconds_count", method="GET", view="healthz")

    client.get("/healthz")
    client.get("/healthz")

    assert (
        sample("mm_http_requests_total", method="GET", view="healthz", status="200") == before + 2
    )
    assert (
        sample("mm_http_request_duration_seconds_count", method="GET", view="healthz")
        == timed_before + 2
    )
    assert 'mm_http_requests_total{method="GET",status="200",view="healthz"}' in scrape(client)


@pytest.mark.django_db
def test_sql_queries_are_counted_per_view(client: Client) -> None:
    before = sample("mm_db_queries_total", view="ready")

    client.get("/ready")

    assert sample("mm_db_queries_total", view="ready") == before + 1
    assert sample("mm_db_queries_per_request_count", view="ready") >= 1


@pytest.mark.django_db
def test_unknown_addresses_get_a_403_unless_they_bring_the_token(client: Client) -> None:
    with override_settings(METRICS_TOKEN="s3cret-scrape-token"):
        refused = client.get("/metrics", REMOTE_ADDR="203.0.113.9")
        wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer guess")
        allowed = client.get(
            "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token"
        )

    assert refused.status_code == 403
    assert wrong.status_code == 403
    assert allowed.status_code == 200


@pytest.mark.django_db
@override_settings(METRICS_ALLOWED_IPS=["10.0.0.0/8"])
def test_allowed_networks_may_scrape(client: Client) -> None:
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_cache_hits_and_misses_are_counted() -> None:
    hits, misses = (
        sample("mm_cache_requests_total", result="hit"),
        sample("mm_cache_requests_total", result="miss"),
    )

    assert cache.get("metrics:absent") is None
    cache.set("metrics:present", 0)
    assert cache.get("metrics:present") == 0

    assert sample("mm_cache_requests_total", result="hit") == hits + 1
    assert sample("mm_cache_requests_total", result="miss") == misses + 1


@pytest.mark.django_db
def test_job_attempts_are_counted_by_outcome() -> None:
    cache.set("tests:jobs:failures-left:metrics", 0, timeout=None)
    cache.set("tests:jobs:runs:metrics", 0, timeout=None)
    succeeded = sample("mm_celery_tasks_total", task="tests.flaky_task", state="succeeded")
    failed = sample("mm_celery_tasks_total", task="tests.broken_task", state="failed")

    flaky_task.delay("metrics")
    broken_task.delay()

    assert (
        sample("mm_celery_tasks_total", task="tests.flaky_task", state="succeeded") == succeeded + 1
    )
    assert sample("mm_celery_tasks_total", task="tests.broken_task", state="failed") == failed + 1
    assert sample("mm_celery_task_duration_seconds_count", task="tests.flaky_task") >= 1


@pytest.mark.django_db
def test_dead_jobs_and_queue_length_are_reported(client: Client) -> None:
    JobRecord.objects.create(task_id="dead-1", name="x", status="dead")

    text = scrape(client)

    assert "mm_jobs_dead 1.0" in text
    assert 'mm_celery_queue_length{queue="celery"}' in text


@pytest.mark.django_db(transaction=True)
def test_placed_orders_are_counted_from_the_domain_event() -> None:
    before = sample("mm_orders_placed_total")

    with transaction.atomic():
        event_emit("order.placed", order_id=1)

    assert sample("mm_orders_placed_total") == before + 1


@pytest.mark.django_db
def test_open_websocket_connections_are_gauged() -> None:
    application = WebSocketConnectionGauge(URLRouter(websocket_urlpatterns))
    user = UserFactory()

    @async_to_sync
    async def scenario() -> tuple[float, float]:
        communicator = WebsocketCommunicator(application, "/ws/")
        communicator.scope["user"] = user
        await communicator.connect()
        await communicator.receive_json_from()
        during = sample("mm_websocket_connections")
        await communicator.disconnect()
        return during, sample("mm_websocket_connections")

    before = sample("mm_websocket_connections")
    during, after = scenario()

    assert during == before + 1
    assert after == before


def test_several_processes_add_up_in_multiprocess_mode(tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "marketmate.settings.test",
    }
    count = (
        "import django; django.setup();"
        "from marketmate.metrics import HTTP_REQUESTS;"
        "HTTP_REQUESTS.labels('GET', 'home', '200').inc()"
    )
    report = (
        "import django; django.setup();"
        "from prometheus_client import generate_latest;"
        "from marketmate.metrics import registry_for_scrape;"
        "print(generate_latest(registry_for_scrape()).decode())"
    )
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", count], cwd=ROOT, env=environment, check=True, timeout=60
        )

    output = subprocess.run(
        [sys.executable, "-c", report],
        cwd=ROOT,
        env=environment,
        check=True,
        timeout=60,
        capture_output=True,
        text=True,
    ).stdout

    assert 'mm_http_requests_total{method="GET",status="200",view="home"} 2.0' in output


@pytest.mark.django_db(transaction=True)
def test_paid_orders_add_their_total_to_the_gmv_by_currency() -> None:
    from orders.services.cart import cart_get_or_create, cart_item_add
    from orders.services.checkout import checkout_place
    from orders.services.lifecycle import order_mark_paid

    buyer = UserFactory(verified=True)
    variant = ProductFactory(price=Decimal("12.50"), shop__currency="EUR").variants.get()
    cart = cart_get_or_create(user=buyer, session={})
    cart_item_add(cart=cart, variant_id=variant.pk, quantity=2)
    placed_before = sample("mm_orders_placed_total")
    gmv_before = sample("mm_gmv_total", currency="EUR")
    result = checkout_place(
        buyer=buyer,
        cart=cart,
        address={
            "full_name": "Ada Shopper",
            "line1": "1 Market Street",
            "line2": "",
            "city": "Springfield",
            "region": "",
            "postal_code": "12345",
            "country": "US",
            "phone": "",
        },
    )
    (order,) = result.orders

    order_mark_paid(order=order, payment_reference="test")

    order.refresh_from_db()
    assert sample("mm_orders_placed_total") == placed_before + 1
    assert sample("mm_gmv_total", currency="EUR") == pytest.approx(gmv_before + float(order.total))
    assert order.total >= Decimal("25.00")


@pytest.mark.django_db(transaction=True)
def test_payments_are_counted_by_result_from_the_domain_events() -> None:
    succeeded, failed = (
        sample("mm_payments_total", result="succeeded"),
        sample("mm_payments_total", result="failed"),
    )

    with transaction.atomic():
        event_emit("payment.succeeded", payment_id=1)
        event_emit("payment.failed", payment_id=2)
        event_emit("payment.failed", payment_id=3)

    assert sample("mm_payments_total", result="succeeded") == succeeded + 1
    assert sample("mm_payments_total", result="failed") == failed + 2
