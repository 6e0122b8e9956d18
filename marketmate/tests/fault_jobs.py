"""A job for the fault tests: it works for a while, then has a side effect guarded by
`job_effect_once`. Runs and effects are counted in Redis (the cache), which outlives workers."""

import time

from django.core.cache import cache

from marketmate.celery import app
from marketmate.jobs import RecordedTask, job_effect_once

RUNS_KEY = "faults:runs:{}"
EFFECTS_KEY = "faults:effects:{}"


def count(key: str) -> int:
    return int(cache.get(key) or 0)


def _increment(key: str) -> None:
    cache.add(key, 0, timeout=600)
    cache.incr(key)


@app.task(base=RecordedTask, name="tests.faults_slow_effect_task")
def slow_effect_task(label: str, seconds: float) -> bool:
    _increment(RUNS_KEY.format(label))
    time.sleep(seconds)  # the work a SIGKILL interrupts
    with job_effect_once(f"faults:{label}") as first:
        if first:
            _increment(EFFECTS_KEY.format(label))
        return first
