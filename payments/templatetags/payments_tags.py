"""Payment panels that other apps' pages include: the disputes of an order."""

from typing import Any

from django import template

from orders.models import Order
from payments.selectors import order_disputes

register = template.Library()


@register.inclusion_tag("payments/includes/order_disputes.html")
def order_disputes_panel(order: Order) -> dict[str, Any]:
    """`{% order_disputes_panel order %}`: the order's disputes (status, amount, reason, dates,
    fee), or nothing when it has none. Only for pages whose viewer may see the order."""
    return {"order": order, "disputes": order_disputes(order=order)}
