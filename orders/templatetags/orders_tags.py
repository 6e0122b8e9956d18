"""The header's cart count and money formatting for the orders pages."""

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from marketmate.currency import money_format, price_approximate
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
def money(amount: Decimal | str | None, currency: str = "") -> str:
    """`12.5|money:"EUR"` -> "€12.50" in English, "12,50 €" in Spanish and German: the
    one way prices are shown (marketmate.currency.money_format)."""
    if amount is None or amount == "":
        return ""
    return money_format(amount=Decimal(amount), currency=currency)


@register.simple_tag(takes_context=True)
def price_approx(context: template.Context, amount: Decimal | None, currency: str) -> str:
    """`{% price_approx product.price product.currency %}`: "≈ €12.34" in the shopper's display
    currency beside a real price, or nothing (flag off, no choice, same currency, no rate)."""
    request = context.get("request")
    if request is None or amount is None or amount == "":
        return ""
    approximation = price_approximate(request=request, amount=Decimal(amount), currency=currency)
    if approximation is None:
        return ""
    return format_html(
        '<span class="muted small" title="{}">≈ {}</span>',
        _("Approximate price in %(currency)s; you pay in %(shop_currency)s.")
        % {"currency": approximation.currency, "shop_currency": currency},
        approximation.text,
    )


@register.filter
def zip_lines(first: list[Any], second: list[Any]) -> list[tuple[Any, Any]]:
    """Pairs of cart lines and their prices (both in the cart's order)."""
    return list(zip(first, second, strict=True))


@register.simple_tag(takes_context=True)
def price_approx_text(context: template.Context, amount: Decimal | None, currency: str) -> str:
    """The same as `price_approx` as plain text ("≈ €12.34" or ""), for attributes that
    scripts copy into the page (the product page's variant picker)."""
    request = context.get("request")
    if request is None or amount is None or amount == "":
        return ""
    approximation = price_approximate(request=request, amount=Decimal(amount), currency=currency)
    return f"≈ {approximation.text}" if approximation is not None else ""


@register.inclusion_tag("orders/includes/unpaid_notice.html")
def unpaid_notice(orders: "list[Order] | Order", pay_url: str = "") -> dict[str, Any]:
    """ "Not paid yet, held until ..." for unpaid orders (and a Pay button when `pay_url`)."""
    listed = [orders] if isinstance(orders, Order) else list(orders)
    return {"held_until": order_held_until(orders=listed), "pay_url": pay_url}
