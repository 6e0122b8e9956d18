"""The header's cart count and money formatting for the orders pages."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.formats import number_format

from orders.selectors import cart_item_count

register = template.Library()


@register.simple_tag(takes_context=True)
def cart_units(context: template.Context) -> int:
    """Units in the visitor's cart (one query; none for a visitor who never added anything)."""
    request = context.get("request")
    if request is None:
        return 0
    return cart_item_count(user=request.user, session=getattr(request, "session", None))


@register.filter
def money(amount: Decimal | str | None, currency: str = "") -> str:
    """`12.5|money:"EUR"` -> "12.50 EUR", with the language's separators."""
    if amount is None or amount == "":
        return ""
    text = number_format(Decimal(amount), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


@register.filter
def zip_lines(first: list[Any], second: list[Any]) -> list[tuple[Any, Any]]:
    """Pairs of cart lines and their prices (both in the cart's order)."""
    return list(zip(first, second, strict=True))
