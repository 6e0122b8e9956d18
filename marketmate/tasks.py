from datetime import timedelta

from django.conf import settings

from marketmate.celery import app
from marketmate.currency import exchange_rates_refresh
from marketmate.jobs import RecordedTask, job_records_prune


@app.task(base=RecordedTask, name="marketmate.prune_job_records_task")
def prune_job_records_task() -> int:
    """Keep the job table small: forget jobs that succeeded long ago."""
    return job_records_prune(older_than=timedelta(days=settings.JOB_RECORD_RETENTION_DAYS))


@app.task(base=RecordedTask, name="marketmate.exchange_rates_refresh_task")
def exchange_rates_refresh_task() -> int:
    """Fetch the display-currency rates from `EXCHANGE_RATES_URL` (hourly, on beat)."""
    return exchange_rates_refresh()
