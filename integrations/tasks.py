"""Jobs that send webhooks. Each fetches by id and calls a service; running one twice is safe."""

from datetime import datetime

from marketmate.celery import app
from marketmate.jobs import RecordedTask


@app.task(
    base=RecordedTask,
    name="integrations.webhook_deliver_task",
    # The HTTP request has its own, shorter timeout; these stop a worker stuck anyway.
    soft_time_limit=60,
    time_limit=90,
)
def webhook_deliver_task(delivery_id: int, now: str | None = None) -> str:
    """Make the next attempt of a delivery if it is due (retries are scheduled by the service)."""
    from integrations.services import webhook_delivery_attempt

    return webhook_delivery_attempt(
        delivery_id=delivery_id, now=datetime.fromisoformat(now) if now else None
    )


@app.task(base=RecordedTask, name="integrations.webhook_deliveries_due_task")
def webhook_deliveries_due_task() -> int:
    """Every minute: enqueue deliveries whose attempt is due, in case a job was lost."""
    from integrations.services import webhook_deliveries_due_send

    return webhook_deliveries_due_send()
