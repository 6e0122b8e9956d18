"""The orders pages' own tags: the header's cart count, cart lines with their prices, the unpaid
notice. Money is written by `marketmate.templatetags.money_tags`."""

from typing import Any

from django import template

from orders.models import Order
from orders.selectors import cart_item_count, order_held_until

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_units(context: template.Context) -> int:
    """Units in the visitor's cart (one query; none for a visitor who never added anything)."""
    request = context.get("request")
    if request is None:
        return 0
    return cart_item_count(user=request.user, session=getattr(request, "session", None))


@register.filter
def zip_lines(first: list[Any], second: list[Any]) -> list[tuple[Any, Any]]:
    """Pairs of cart lines and their prices (both in the cart's order)."""
    return list(zip(first, second, strict=True))


@register.inclusion_tag("orders/includes/unpaid_notice.html")
def unpaid_notice(orders: "list[Order] | Order", pay_url: str = "") -> dict[str, Any]:
    """ "Not paid yet, held until ..." for unpaid orders (and a Pay button when `pay_url`)."""
    listed = [orders] if isinstance(orders, Order) else list(orders)
    return {"held_until": order_held_until(orders=listed), "pay_url": pay_url}
