"""What the payments app does when other apps' events happen."""

from django.db import transaction

from marketmate.events import subscribe


@subscribe("order.cancelled")
def refund_cancelled_order(*, order_id: int) -> None:
    """A paid order that is cancelled gets its money back (an unpaid one: nothing happens)."""
    from payments.tasks import refund_cancelled_order_task

    transaction.on_commit(lambda: refund_cancelled_order_task.delay(order_id))
