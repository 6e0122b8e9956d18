"""The base of every background job.

`RecordedTask` keeps a `JobRecord` per job (type, payload, status, attempts, last error,
timestamps), retries failures with exponential backoff and jitter, and marks the job dead after
its last attempt: the dead-letter queue, visible in the admin, where a job can be retried.

    @app.task(base=RecordedTask, name="catalog.thumbnails_task")
    def thumbnails_task(image_id: int) -> None:
        ...

Jobs are idempotent: they take ids, re-read state, and guard side effects that must not
happen twice with `job_effect_once`.
"""

import logging
import random
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any, ClassVar

from celery import Task
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketmate.celery import app
from marketmate.errors import ConflictError
from marketmate.models import JobEffect, JobRecord

logger = logging.getLogger(__name__)


class PermanentJobError(Exception):
    """A failure that another attempt cannot fix: the job goes to the dead-letter queue at once."""


def backoff_seconds(*, retries: int, base: float, cap: float) -> float:
    """Exponential backoff with 'equal jitter': between half and all of min(cap, base * 2^n)."""
    delay = min(cap, base * (2**retries))
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 (jitter, not a secret)


def _error_text(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000]


class RecordedTask(Task):
    """A Celery task whose every run is recorded and whose failures are retried, then dead."""

    abstract = True
    # Failures of these types are retried; PermanentJobError never is.
    retry_on: ClassVar[tuple[type[Exception], ...]] = (Exception,)
    # None reads settings.JOB_MAX_RETRIES when the job fails.
    job_max_retries: ClassVar[int | None] = None

    def apply_async(  # type: ignore[override]
        self,
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
        task_id: str | None = None,
        **options: Any,
    ) -> Any:
        task_id = task_id or str(uuid.uuid4())
        JobRecord.objects.get_or_create(
            task_id=task_id,
            defaults={
                "name": self.name,
                "payload": {"args": list(args or ()), "kwargs": dict(kwargs or {})},
            },
        )
        return super().apply_async(args=args, kwargs=kwargs, task_id=task_id, **options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().__call__(*args, **kwargs)
        except PermanentJobError:
            raise
        except self.retry_on as exc:
            if self.request.called_directly:
                raise
            max_retries = (
                self.job_max_retries
                if self.job_max_retries is not None
                else settings.JOB_MAX_RETRIES
            )
            countdown = backoff_seconds(
                retries=self.request.retries,
                base=settings.JOB_RETRY_BACKOFF,
                cap=settings.JOB_RETRY_BACKOFF_MAX,
            )
            raise self.retry(exc=exc, countdown=countdown, max_retries=max_retries) from exc

    def before_start(self, task_id: str, args: Any, kwargs: Any) -> None:
        JobRecord.objects.update_or_create(
            task_id=task_id,
            defaults={
                "status": JobRecord.Status.RUNNING,
                "attempts": self.request.retries + 1,
                "started_at": timezone.now(),
            },
            create_defaults={
                "name": self.name,
                "payload": {"args": list(args or ()), "kwargs": dict(kwargs or {})},
                "status": JobRecord.Status.RUNNING,
                "attempts": self.request.retries + 1,
                "started_at": timezone.now(),
            },
        )

    def on_retry(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        logger.warning("Job %s (%s) failed, retrying: %s", self.name, task_id, exc)
        JobRecord.objects.filter(task_id=task_id).update(
            status=JobRecord.Status.RETRYING, last_error=_error_text(exc), updated=timezone.now()
        )

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        logger.error("Job %s (%s) is dead after its last attempt: %s", self.name, task_id, exc)
        now = timezone.now()
        JobRecord.objects.filter(task_id=task_id).update(
            status=JobRecord.Status.DEAD, last_error=_error_text(exc), finished_at=now, updated=now
        )

    def on_success(self, retval: Any, task_id: str, args: Any, kwargs: Any) -> None:
        now = timezone.now()
        JobRecord.objects.filter(task_id=task_id).update(
            status=JobRecord.Status.SUCCEEDED, finished_at=now, updated=now
        )


@contextmanager
def job_effect_once(key: str) -> Iterator[bool]:
    """Yield True the first time `key` is claimed and False ever after.

    The claim is made in a transaction that also wraps the block, so a block that raises gives
    the key back and the next attempt has the effect:

        with job_effect_once(f"email:order-paid:{order_id}") as first:
            if first:
                send_order_paid_email(order)
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                JobEffect.objects.create(key=key)
        except IntegrityError:
            claimed = False
        else:
            claimed = True
        yield claimed


def job_retry(*, job: JobRecord) -> JobRecord:
    """Enqueue a dead job again with its stored payload; its record starts over."""
    if job.status != JobRecord.Status.DEAD:
        raise ConflictError(
            _("Only dead jobs can be retried; this one is %(status)s.") % {"status": job.status}
        )
    task = app.tasks[job.name]
    job.task_id = str(uuid.uuid4())
    job.status = JobRecord.Status.QUEUED
    job.attempts = 0
    job.started_at = None
    job.finished_at = None
    job.save(update_fields=["task_id", "status", "attempts", "started_at", "finished_at"])
    payload = job.payload or {}
    task_id = job.task_id
    transaction.on_commit(
        lambda: task.apply_async(
            args=tuple(payload.get("args", ())), kwargs=payload.get("kwargs", {}), task_id=task_id
        )
    )
    return job


def job_records_prune(*, older_than: timedelta) -> int:
    """Delete the records of jobs that succeeded before `older_than` ago; returns how many."""
    cutoff = timezone.now() - older_than
    deleted, _ = JobRecord.objects.filter(
        status=JobRecord.Status.SUCCEEDED, finished_at__lt=cutoff
    ).delete()
    JobEffect.objects.filter(created__lt=cutoff).delete()
    return deleted
