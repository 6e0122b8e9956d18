"""Rating stars for product cards, product pages and reviews."""

import functools
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

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


@register.simple_tag
def rating_stars(rating: Decimal | int | str | None, count: int | None = None) -> SafeString:
    """`{% rating_stars product.rating_average product.rating_count %}`: the stars with their
    label, and "4.5 (3 reviews)" when a count is given (catalog/reviews/stars.html). Built here,
    not in a template: a page of product cards shows up to 24 of them, and the template's
    blocks cost a fifth of a card's time. The same rating, count and language give the same
    HTML: it is kept per process (ratings are tenths from 1 to 5, counts repeat)."""
    return _rating_stars(None if rating is None else str(rating), count, get_language() or "")


@functools.lru_cache(maxsize=4096)
def _rating_stars(rating: str | None, count: int | None, language: str) -> SafeString:
    average = floatformat(rating, 1)
    stars_html = format_html(
        '<span class="rating__stars" role="img" aria-label="{}">{}</span>',
        gettext("Rated %(rating)s out of 5") % {"rating": average},
        stars(rating),
    )
    if not count:
        return format_html('<span class="rating">{}</span>', stars_html)
    reviews = ngettext(
        "%(average)s (%(counter)s review)", "%(average)s (%(counter)s reviews)", count
    ) % {"average": average, "counter": localize(count)}
    return format_html(
        '<span class="rating">{} <span class="rating__count">{}</span></span>', stars_html, reviews
    )


@register.filter
def review_author(review: Review) -> str:
    """The name a review is signed with in public (never an e-mail address)."""
    return review_author_name(review)
