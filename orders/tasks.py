from marketmate.celery import app
from marketmate.jobs import RecordedTask
from orders.services.analytics import analytics_rollup_recent
from orders.services.lifecycle import orders_expire_unpaid


@app.task(base=RecordedTask, name="orders.expire_unpaid_orders_task")
def expire_unpaid_orders_task() -> int:
    """Cancel the pending orders that were not paid in time and release their stock.

    Idempotent: an order is cancelled once, under its row lock; a second run finds nothing.
    """
    return orders_expire_unpaid()


@app.task(base=RecordedTask, name="orders.analytics_rollup_task")
def analytics_rollup_task() -> dict[str, int]:
    """Roll up yesterday's and today's sales and product views into the daily figures of the
    vendor dashboard.

    Idempotent: each day is recomputed whole from orders, refunds and view counters.
    """
    result = analytics_rollup_recent()
    return {"shop_rows": result.shop_rows, "product_rows": result.product_rows}
