from typing import Any

from marketmate.celery import app
from marketmate.jobs import RecordedTask, job_effect_once
from notifications.emails import email_message_build
from notifications.push import push_send_to_user


@app.task(base=RecordedTask, name="notifications.send_email_task")
def send_email_task(
    *, to: str, template: str, context: dict[str, Any], language: str | None, key: str
) -> bool:
    """Render and send one e-mail; a retried or repeated job sends it once (by `key`)."""
    with job_effect_once(key) as first:
        if first:
            email_message_build(to=to, template=template, context=context, language=language).send()
        return first


@app.task(base=RecordedTask, name="notifications.send_push_task")
def send_push_task(*, user_id: int, payload: dict[str, Any], key: str) -> dict[str, int] | None:
    """Push one notification to every browser the user subscribed; once per `key`."""
    with job_effect_once(key) as first:
        if not first:
            return None
        return push_send_to_user(user_id=user_id, payload=payload)
