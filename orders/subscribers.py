"""What orders do when other parts of MarketMate report an event."""

from marketmate.events import subscribe
from marketmate.metrics import gmv_record
from orders.selectors import order_queryset


@subscribe("order.paid")
def count_gross_merchandise_value(*, order_id: int, **payload: object) -> None:
    """Add a paid order's total to the gross merchandise value of `/metrics`."""
    order = order_queryset().filter(pk=order_id).first()
    if order is not None:
        gmv_record(amount=order.total, currency=order.currency)
