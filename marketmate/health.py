"""Liveness (`/healthz`: the process answers) and readiness (`/ready`: its dependencies do)."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from marketmate.celery import app as celery_app

logger = logging.getLogger(__name__)

READY_CACHE_KEY = "health:ready"


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache() -> None:
    cache.set(READY_CACHE_KEY, "ok", timeout=10)
    if cache.get(READY_CACHE_KEY) != "ok":
        raise RuntimeError("the cache did not return what was written")


def check_broker() -> None:
    if settings.CELERY_TASK_ALWAYS_EAGER and settings.CELERY_BROKER_URL.startswith("memory://"):
        return
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS: dict[str, Callable[[], None]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # any failure of a dependency means "not ready"
            logger.warning("Readiness check %s failed: %s", name, exc)
            results[name] = "error"
        else:
            results[name] = "ok"
    failed = [name for name, result in results.items() if result != "ok"]
    return JsonResponse(
        {"status": "unavailable" if failed else "ok", "checks": results, "failed": failed},
        status=503 if failed else 200,
    )
