from typing import Any

from marketmate.celery import app
from marketmate.jobs import RecordedTask, job_effect_once
from notifications.push import push_send_to_user


@app.task(base=RecordedTask, name="notifications.send_push_task")
def send_push_task(*, user_id: int, payload: dict[str, Any], key: str) -> dict[str, int] | None:
    """Push one notification to every browser the user subscribed; once per `key`."""
    with job_effect_once(key) as first:
        if not first:
            return None
        return push_send_to_user(user_id=user_id, payload=payload)
