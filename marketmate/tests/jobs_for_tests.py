"""Jobs that exist only for the job framework's tests, registered on the real Celery app."""

from django.core.cache import cache

from marketmate.celery import app
from marketmate.jobs import PermanentJobError, RecordedTask, job_effect_once

FAILURES_KEY = "tests:jobs:failures-left:{}"
RUNS_KEY = "tests:jobs:runs:{}"


@app.task(base=RecordedTask, name="tests.flaky_task")
def flaky_task(label: str) -> str:
    """Fails as many times as the cache says, then succeeds; counts its runs."""
    cache.incr(RUNS_KEY.format(label))
    if cache.decr(FAILURES_KEY.format(label)) >= 0:
        raise ConnectionError(f"upstream unavailable for {label}")
    return label


@app.task(base=RecordedTask, name="tests.broken_task")
def broken_task() -> None:
    raise PermanentJobError("the payload can never be processed")


@app.task(base=RecordedTask, name="tests.effect_task")
def effect_task(key: str) -> bool:
    with job_effect_once(key) as first:
        if first:
            cache.incr(RUNS_KEY.format(key))
        return first
