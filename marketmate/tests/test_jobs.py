import time
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.admin.sites import site
from django.core.cache import cache
from django.test import Client, override_settings
from django.utils import timezone

from accounts.tests.factories import StaffFactory
from marketmate.celery import app
from marketmate.errors import ConflictError
from marketmate.jobs import backoff_seconds, job_records_prune, job_retry
from marketmate.models import JobEffect, JobRecord
from marketmate.tests.jobs_for_tests import (
    FAILURES_KEY,
    RUNS_KEY,
    broken_task,
    effect_task,
    flaky_task,
)


def arrange_failures(label: str, failures: int) -> None:
    cache.set(FAILURES_KEY.format(label), failures, timeout=None)
    cache.set(RUNS_KEY.format(label), 0, timeout=None)


def runs(label: str) -> int:
    return int(cache.get(RUNS_KEY.format(label)))


@pytest.mark.django_db
def test_a_job_that_succeeds_is_recorded_with_one_attempt() -> None:
    arrange_failures("ok", 0)

    result = flaky_task.delay("ok")

    job = JobRecord.objects.get(task_id=result.id)
    assert job.name == "tests.flaky_task"
    assert job.payload == {"args": ["ok"], "kwargs": {}}
    assert job.status == JobRecord.Status.SUCCEEDED
    assert job.attempts == 1
    assert job.finished_at is not None


@pytest.mark.django_db
@override_settings(JOB_MAX_RETRIES=3)
def test_a_job_that_fails_then_recovers_is_retried_and_succeeds() -> None:
    arrange_failures("recovers", 2)

    result = flaky_task.delay("recovers")

    job = JobRecord.objects.get(task_id=result.id)
    assert job.status == JobRecord.Status.SUCCEEDED
    assert job.attempts == 3
    assert job.last_error == "ConnectionError: upstream unavailable for recovers"
    assert runs("recovers") == 3


@pytest.mark.django_db
@override_settings(JOB_MAX_RETRIES=2)
def test_a_job_that_keeps_failing_is_dead_after_its_last_attempt() -> None:
    arrange_failures("hopeless", 100)

    result = flaky_task.delay("hopeless")

    job = JobRecord.objects.get(task_id=result.id)
    assert job.status == JobRecord.Status.DEAD
    assert job.attempts == 3
    assert job.last_error == "ConnectionError: upstream unavailable for hopeless"
    assert runs("hopeless") == 3


@pytest.mark.django_db
def test_a_permanent_failure_is_dead_without_retrying() -> None:
    result = broken_task.delay()

    job = JobRecord.objects.get(task_id=result.id)
    assert job.status == JobRecord.Status.DEAD
    assert job.attempts == 1
    assert job.last_error == "marketmate.jobs.PermanentJobError: the payload can never be processed"


@pytest.mark.django_db(transaction=True)
@override_settings(JOB_MAX_RETRIES=2)
def test_retrying_a_dead_job_runs_it_again_with_its_payload() -> None:
    arrange_failures("second-chance", 3)
    dead = JobRecord.objects.get(task_id=flaky_task.delay("second-chance").id)
    assert dead.status == JobRecord.Status.DEAD

    job_retry(job=dead)

    dead.refresh_from_db()
    assert dead.status == JobRecord.Status.SUCCEEDED
    assert dead.attempts == 1
    assert runs("second-chance") == 4
    assert JobRecord.objects.filter(name="tests.flaky_task").count() == 1


@pytest.mark.django_db
def test_only_dead_jobs_can_be_retried() -> None:
    arrange_failures("fine", 0)
    job = JobRecord.objects.get(task_id=flaky_task.delay("fine").id)

    with pytest.raises(ConflictError):
        job_retry(job=job)


@pytest.mark.django_db(transaction=True)
@override_settings(JOB_MAX_RETRIES=0)
def test_staff_retry_dead_jobs_from_the_admin(client: Client) -> None:
    arrange_failures("from-admin", 1)
    dead = JobRecord.objects.get(task_id=flaky_task.delay("from-admin").id)
    client.force_login(StaffFactory())

    response = client.post(
        "/admin/marketmate/jobrecord/",
        {"action": "retry_jobs", "_selected_action": [dead.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert b"1 job queued again." in response.content
    dead.refresh_from_db()
    assert dead.status == JobRecord.Status.SUCCEEDED


@pytest.mark.django_db
def test_the_job_list_in_the_admin_shows_status_and_error(client: Client) -> None:
    broken_task.delay()
    client.force_login(StaffFactory())

    response = client.get("/admin/marketmate/jobrecord/?status__exact=dead")

    assert response.status_code == 200
    assert b"tests.broken_task" in response.content
    assert b"the payload can never be processed" in response.content
    assert site.is_registered(JobRecord)


@pytest.mark.django_db
def test_a_side_effect_guarded_by_a_key_happens_once_however_often_the_job_runs() -> None:
    cache.set(RUNS_KEY.format("email:welcome:7"), 0, timeout=None)

    outcomes = [effect_task.delay("email:welcome:7").get() for _ in range(3)]

    assert outcomes == [True, False, False]
    assert runs("email:welcome:7") == 1
    assert JobEffect.objects.filter(key="email:welcome:7").count() == 1


@pytest.mark.parametrize("retries", [0, 1, 5, 20])
def test_backoff_grows_exponentially_with_jitter_and_a_cap(retries: int) -> None:
    ceiling = min(600, 2 * 2**retries)

    delays = [backoff_seconds(retries=retries, base=2, cap=600) for _ in range(50)]

    assert all(ceiling / 2 <= delay <= ceiling for delay in delays)


@pytest.mark.django_db
def test_pruning_forgets_old_succeeded_jobs_only() -> None:
    old = timezone.now() - timedelta(days=40)
    JobRecord.objects.create(task_id="old-ok", name="x", status="succeeded", finished_at=old)
    JobRecord.objects.create(task_id="old-dead", name="x", status="dead", finished_at=old)
    JobRecord.objects.create(
        task_id="new-ok", name="x", status="succeeded", finished_at=timezone.now()
    )

    deleted = job_records_prune(older_than=timedelta(days=30))

    assert deleted == 1
    assert set(JobRecord.objects.values_list("task_id", flat=True)) == {"old-dead", "new-ok"}


@pytest.fixture
def real_worker(transactional_db: None):
    """A Celery worker consuming from the real Redis broker in a thread of this process."""
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for_status(task_id: str, statuses: set[str], seconds: float = 30) -> JobRecord:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job = JobRecord.objects.filter(task_id=task_id).first()
        if job and job.status in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {task_id} did not reach {statuses}")


@pytest.mark.worker
@override_settings(JOB_MAX_RETRIES=2)
def test_on_a_real_worker_a_failing_job_is_retried_then_dead(real_worker: None) -> None:
    arrange_failures("worker-hopeless", 100)

    result = flaky_task.delay("worker-hopeless")

    job = wait_for_status(result.id, {"dead"})
    assert job.attempts == 3
    assert job.last_error == "ConnectionError: upstream unavailable for worker-hopeless"
    assert runs("worker-hopeless") == 3


@pytest.mark.worker
@override_settings(JOB_MAX_RETRIES=3)
def test_on_a_real_worker_a_flaky_job_recovers(real_worker: None) -> None:
    arrange_failures("worker-flaky", 1)

    result = flaky_task.delay("worker-flaky")

    job = wait_for_status(result.id, {"succeeded"})
    assert job.attempts == 2
    assert runs("worker-flaky") == 2
