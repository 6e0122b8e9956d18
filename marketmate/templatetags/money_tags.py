"""Money in templates, the one way every page writes it: `{% load money_tags %}`, then
`{{ amount|money:currency }}`, `{% price_approx amount currency %}` (the display-currency
approximation beside a real price) and `{% price_approx_text amount currency %}`."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from marketmate.currency import money_format, price_approximate

register = template.Library()


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


@register.simple_tag(takes_context=True)
def price_approx_text(context: template.Context, amount: Decimal | None, currency: str) -> str:
    """The same as `price_approx` as plain text ("≈ €12.34" or ""), for attributes that
    scripts copy into the page (the product page's variant picker)."""
    request = context.get("request")
    if request is None or amount is None or amount == "":
        return ""
    approximation = price_approximate(request=request, amount=Decimal(amount), currency=currency)
    return f"≈ {approximation.text}" if approximation is not None else ""
