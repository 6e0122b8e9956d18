"""Business counters for `/metrics`, fed by the domain events (the gross merchandise value is
counted by `orders.subscribers`, which can read the order)."""

from marketmate.events import subscribe
from marketmate.metrics import order_placed_record, payment_record


@subscribe("order.placed")
def count_order_placed(**payload: object) -> None:
    order_placed_record()


@subscribe("payment.succeeded")
def count_payment_succeeded(**payload: object) -> None:
    payment_record(succeeded=True)


@subscribe("payment.failed")
def count_payment_failed(**payload: object) -> None:
    payment_record(succeeded=False)
