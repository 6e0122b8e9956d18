"""Background jobs of the payments app. Each takes ids, re-reads state and is safe to repeat."""

from marketmate.celery import app
from marketmate.jobs import RecordedTask
from orders.selectors import order_get
from payments.models import WebhookEvent
from payments.services.invoices import invoice_render
from payments.services.payouts import payouts_run
from payments.services.reconciliation import ledger_reconcile
from payments.services.refunds import refund_cancelled_order
from payments.services.webhooks import payments_reconcile, webhook_event_process


@app.task(base=RecordedTask, name="payments.webhook_event_process_task")
def webhook_event_process_task(event_id: int) -> None:
    """Apply a stored provider event (a processed one is left alone)."""
    webhook_event_process(event=WebhookEvent.objects.get(pk=event_id))


@app.task(base=RecordedTask, name="payments.invoice_render_task")
def invoice_render_task(order_id: int) -> None:
    """Render and store the PDF invoice of a paid order, once."""
    invoice_render(order=order_get(order_id=order_id))


@app.task(base=RecordedTask, name="payments.reconcile_task")
def reconcile_task() -> dict[str, int]:
    """Process the Stripe events that never arrived, and settle refunds still pending."""
    return payments_reconcile()


@app.task(base=RecordedTask, name="payments.payouts_run_task")
def payouts_run_task() -> int:
    """Pay every shop whose available balance reaches PAYMENTS_PAYOUT_MINIMUM."""
    return len(payouts_run())


@app.task(base=RecordedTask, name="payments.refund_cancelled_order_task")
def refund_cancelled_order_task(order_id: int) -> None:
    """Refund what was paid for a cancelled order (nothing when it was never paid)."""
    refund_cancelled_order(order=order_get(order_id=order_id))


@app.task(base=RecordedTask, name="payments.ledger_reconcile_task")
def ledger_reconcile_task() -> int:
    """Check every shop's ledger and the platform's against the facts; how many alerts."""
    return len(ledger_reconcile())
