from marketmate.celery import app
from marketmate.jobs import RecordedTask
from orders.services.lifecycle import orders_expire_unpaid


@app.task(base=RecordedTask, name="orders.expire_unpaid_orders_task")
def expire_unpaid_orders_task() -> int:
    """Cancel the pending orders that were not paid in time and release their stock.

    Idempotent: an order is cancelled once, under its row lock; a second run finds nothing.
    """
    return orders_expire_unpaid()
