from typing import Any

from marketmate.celery import app
from marketmate.jobs import RecordedTask, job_effect_once
from notifications.emails import email_message_build


@app.task(base=RecordedTask, name="notifications.send_email_task")
def send_email_task(
    *, to: str, template: str, context: dict[str, Any], language: str | None, key: str
) -> bool:
    """Render and send one e-mail; a retried or repeated job sends it once (by `key`)."""
    with job_effect_once(key) as first:
        if first:
            email_message_build(to=to, template=template, context=context, language=language).send()
        return first
