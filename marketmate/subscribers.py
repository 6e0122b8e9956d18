"""Business counters for `/metrics`, fed by the domain events."""

from marketmate.events import subscribe
from marketmate.metrics import gmv_record, order_placed_record, payment_record


@subscribe("order.placed")
def count_order_placed(**payload: object) -> None:
    order_placed_record()


@subscribe("order.paid")
def count_gross_merchandise_value(*, order_id: int, **payload: object) -> None:
    from orders.selectors import order_queryset

    order = order_queryset().filter(pk=order_id).first()
    if order is not None:
        gmv_record(amount=order.total, currency=order.currency)


@subscribe("payment.succeeded")
def count_payment_succeeded(**payload: object) -> None:
    payment_record(succeeded=True)


@subscribe("payment.failed")
def count_payment_failed(**payload: object) -> None:
    payment_record(succeeded=False)
