"""Prometheus metrics of MarketMate, served at `/metrics`.

With `PROMETHEUS_MULTIPROC_DIR` set (required with several gunicorn or Celery processes on one
machine), every process writes its samples there and `/metrics` adds them up; a Celery worker on
its own machine serves its metrics on `CELERY_METRICS_PORT`.
"""

import ipaddress
import logging
import os
import secrets
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import REGISTRY, Collector

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
QUERY_COUNT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89)

HTTP_REQUESTS = Counter(
    "mm_http_requests_total", "HTTP requests answered.", ["method", "view", "status"]
)
HTTP_LATENCY = Histogram(
    "mm_http_request_duration_seconds",
    "Time to answer an HTTP request.",
    ["method", "view"],
    buckets=LATENCY_BUCKETS,
)
DB_QUERIES = Counter("mm_db_queries_total", "SQL queries run while answering requests.", ["view"])
DB_QUERY_DURATION = Histogram(
    "mm_db_query_duration_seconds", "Time of one SQL query.", buckets=LATENCY_BUCKETS
)
DB_QUERIES_PER_REQUEST = Histogram(
    "mm_db_queries_per_request",
    "SQL queries run by one request.",
    ["view"],
    buckets=QUERY_COUNT_BUCKETS,
)
CACHE_REQUESTS = Counter("mm_cache_requests_total", "Cache reads by result.", ["result"])
TASKS = Counter("mm_celery_tasks_total", "Background job attempts by outcome.", ["task", "state"])
TASK_DURATION = Histogram(
    "mm_celery_task_duration_seconds", "Time of one job attempt.", ["task"], buckets=LATENCY_BUCKETS
)
WEBSOCKET_CONNECTIONS = Gauge(
    "mm_websocket_connections", "Open WebSocket connections.", multiprocess_mode="livesum"
)
ORDERS_PLACED = Counter("mm_orders_placed_total", "Orders placed.")
PAYMENTS = Counter("mm_payments_total", "Payments by result.", ["result"])
GMV = Counter("mm_gmv_total", "Value of paid orders (gross merchandise value).", ["currency"])


class QueueAndJobCollector(Collector):
    """Read at scrape time: jobs waiting in the broker, and dead jobs awaiting staff."""

    def describe(self) -> Iterator[GaugeMetricFamily]:
        # Named here so that registering the collector does not read the broker or database.
        yield GaugeMetricFamily("mm_celery_queue_length", "Jobs waiting in the broker.")
        yield GaugeMetricFamily("mm_jobs_dead", "Jobs that failed their last attempt.")

    def collect(self) -> Iterator[GaugeMetricFamily]:
        queue = GaugeMetricFamily(
            "mm_celery_queue_length", "Jobs waiting in the broker.", labels=["queue"]
        )
        broker_url = settings.CELERY_BROKER_URL
        if broker_url.startswith(("redis://", "rediss://")):
            try:
                from marketmate.celery import app

                with app.connection_for_read() as conn:
                    redis_client = getattr(conn.default_channel, "client")  # noqa: B009 (kombu's Redis channel)
                    length = redis_client.llen("celery")
                queue.add_metric(["celery"], float(length))
            except Exception:  # a scrape must answer even when the broker does not
                logger.warning("Could not read the length of the job queue", exc_info=True)
        yield queue

        dead = GaugeMetricFamily("mm_jobs_dead", "Jobs that failed their last attempt.")
        try:
            from marketmate.models import JobRecord

            dead.add_metric([], float(JobRecord.objects.filter(status="dead").count()))
        except Exception:
            logger.warning("Could not count dead jobs", exc_info=True)
        yield dead


_collector = QueueAndJobCollector()
REGISTRY.register(_collector)


def registry_for_scrape() -> CollectorRegistry:
    """This process's registry, or the sum of every process's when running multi-process."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(_collector)
        return registry
    return REGISTRY


def _client_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        return secrets.compare_digest(header.removeprefix("Bearer "), token)
    try:
        client = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(
        client in ipaddress.ip_network(allowed, strict=False)
        for allowed in settings.METRICS_ALLOWED_IPS
    )


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not _client_allowed(request):
        return HttpResponse(status=403)
    return HttpResponse(generate_latest(registry_for_scrape()), content_type=CONTENT_TYPE_LATEST)


def _view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match.route or "<unnamed>"


class MetricsMiddleware:
    """Counts and times every request, and counts the SQL queries it ran, by view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries = 0

        def count_query(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal queries
            queries += 1
            started = time.perf_counter()
            try:
                return execute(*args)
            finally:
                DB_QUERY_DURATION.observe(time.perf_counter() - started)

        started = time.perf_counter()
        with connection.execute_wrapper(count_query):
            response = self.get_response(request)
        view = _view_label(request)
        HTTP_LATENCY.labels(request.method, view).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        DB_QUERIES.labels(view).inc(queries)
        DB_QUERIES_PER_REQUEST.labels(view).observe(queries)
        return response


def cache_read_record(*, hit: bool) -> None:
    CACHE_REQUESTS.labels("hit" if hit else "miss").inc()


def order_placed_record() -> None:
    ORDERS_PLACED.inc()


def payment_record(*, succeeded: bool) -> None:
    PAYMENTS.labels("succeeded" if succeeded else "failed").inc()


def gmv_record(*, amount: Decimal, currency: str) -> None:
    GMV.labels(currency).inc(float(amount))


class WebSocketConnectionGauge:
    """ASGI middleware around the WebSocket stack: counts the connections that were accepted."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        accepted = False

        async def counting_send(message: dict[str, Any]) -> None:
            nonlocal accepted
            if message.get("type") == "websocket.accept" and not accepted:
                accepted = True
                WEBSOCKET_CONNECTIONS.inc()
            await send(message)

        try:
            await self.app(scope, receive, counting_send)
        finally:
            if accepted:
                WEBSOCKET_CONNECTIONS.dec()
