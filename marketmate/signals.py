"""Celery's signals, used for metrics only (no business logic hangs on a signal)."""

import time
from typing import Any

from celery import signals
from django.conf import settings
from prometheus_client import start_http_server

from marketmate.metrics import TASK_DURATION, TASKS, registry_for_scrape

_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id: str, task: Any, **kwargs: Any) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    started = _started.pop(task_id, None)
    if started is not None:
        TASK_DURATION.labels(task.name).observe(time.perf_counter() - started)
    if state == "SUCCESS":
        TASKS.labels(task.name, "succeeded").inc()


@signals.task_retry.connect
def _task_retried(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(getattr(sender, "name", "unknown"), "retried").inc()


@signals.task_failure.connect
def _task_failed(sender: Any = None, **kwargs: Any) -> None:
    TASKS.labels(getattr(sender, "name", "unknown"), "failed").inc()


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs: Any) -> None:
    """A worker on a machine without a web process serves its own `/metrics`."""
    if settings.CELERY_METRICS_PORT:
        start_http_server(settings.CELERY_METRICS_PORT, registry=registry_for_scrape())
