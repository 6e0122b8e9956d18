from analytics.services import analytics_rollup_recent
from marketmate.celery import app
from marketmate.jobs import RecordedTask


@app.task(base=RecordedTask, name="analytics.analytics_rollup_task")
def analytics_rollup_task() -> dict[str, int]:
    """Roll up yesterday's and today's sales and product views into the daily figures of the
    vendor dashboard.

    Idempotent: each day is recomputed whole from orders, refunds and view counters.
    """
    result = analytics_rollup_recent()
    return {"shop_rows": result.shop_rows, "product_rows": result.product_rows}


# The task's name while it lived in the orders app: runs queued, or recorded dead, under that name
# still find a worker (and the admin's "retry" a task). Remove once no such job can be left.
@app.task(base=RecordedTask, name="orders.analytics_rollup_task")
def orders_analytics_rollup_task() -> dict[str, int]:
    """The same roll-up as `analytics_rollup_task`, under its former name."""
    result = analytics_rollup_recent()
    return {"shop_rows": result.shop_rows, "product_rows": result.product_rows}
