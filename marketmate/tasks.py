from datetime import timedelta
from typing import Any

from django.conf import settings

from marketmate.celery import app
from marketmate.currency import exchange_rates_refresh
from marketmate.emails import email_message_build
from marketmate.jobs import RecordedTask, job_effect_once, job_records_prune


@app.task(base=RecordedTask, name="marketmate.prune_job_records_task")
def prune_job_records_task() -> int:
    """Keep the job table small: forget jobs that succeeded long ago."""
    return job_records_prune(older_than=timedelta(days=settings.JOB_RECORD_RETENTION_DAYS))


@app.task(base=RecordedTask, name="marketmate.exchange_rates_refresh_task")
def exchange_rates_refresh_task() -> int:
    """Fetch the display-currency rates from `EXCHANGE_RATES_URL` (hourly, on beat)."""
    return exchange_rates_refresh()


# The name it had when e-mail lived in notifications: jobs already queued keep running.
@app.task(base=RecordedTask, name="notifications.send_email_task")
def send_email_task(
    *, to: str, template: str, context: dict[str, Any], language: str | None, key: str
) -> bool:
    """Render and send one e-mail; a retried or repeated job sends it once (by `key`)."""
    with job_effect_once(key) as first:
        if first:
            email_message_build(to=to, template=template, context=context, language=language).send()
        return first
