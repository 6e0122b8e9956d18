"""Rating stars for product cards, product pages and reviews."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from catalog.models import Review
from catalog.selectors import review_author_name

register = template.Library()

STARS = 5


@register.filter
def stars(rating: Decimal | int | str | None) -> str:
    """`4.4|stars` -> "★★★★☆": the rating to the nearest whole star, out of five."""
    try:
        value = Decimal(str(rating or 0))
    except ArithmeticError:
        value = Decimal(0)
    filled = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    filled = max(0, min(STARS, filled))
    return "★" * filled + "☆" * (STARS - filled)


@register.filter
def review_author(review: Review) -> str:
    """The name a review is signed with in public (never an e-mail address)."""
    return review_author_name(review)
