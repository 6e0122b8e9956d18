"""Business counters for `/metrics`, fed by the domain events."""

from marketmate.events import subscribe
from marketmate.metrics import order_placed_record


@subscribe("order.placed")
def count_order_placed(**payload: object) -> None:
    order_placed_record()
