import hashlib
import json
import re
from collections.abc import Iterable

from django import template
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from catalog.models import Category, Product, ProductImage
from catalog.selectors import image_urls
from catalog.storefront_cache import cached
from catalog.templatetags.reviews import rating_stars
from marketmate.currency import display_currency_for
from marketmate.templatetags.money_tags import money, price_approx

register = template.Library()


@register.simple_tag
def image_thumbnail(image: ProductImage, size: str | int) -> dict[str, object] | None:
    """The `size` thumbnail of `image` (`webp`, `jpeg` URLs and its `width`, `height`), or None
    while the thumbnails job has not run yet."""
    thumbnails = image_urls(image=image)["thumbnails"]
    assert isinstance(thumbnails, dict)
    files = thumbnails.get(str(size))
    if not files:
        return None
    box = int(size)
    scale = min(1.0, box / max(image.width or box, image.height or box, 1))
    return {
        "webp": files["webp"],
        "jpeg": files["jpeg"],
        "width": max(1, round((image.width or box) * scale)),
        "height": max(1, round((image.height or box) * scale)),
    }


# Rendering a card costs more than finding its product (a page of 24 took most of a cached search
# page's time), so the cards of a list are kept as HTML for as long as the storefront's data
# caches, keyed by everything a card shows: the products' own fields, stock, rating, shop and first
# image, the language, the shopper's display currency and the reviews flag. Exchange rates are
# not in the key: approximate prices are at most CARDS_SECONDS late, as on the data caches.
CARDS_SECONDS = 300
# The thumbnail size a card shows (`ProductImage.thumbnails`).
CARD_THUMBNAIL = 600


def _card_image(product: Product) -> ProductImage | None:
    """The product's first image, from `card_images` (the list `views.storefront.product_cards`
    prefetches), else from its images."""
    images = getattr(product, "card_images", None)
    if images is None:
        images = list(product.images.all())
    return images[0] if images else None


def _card_fingerprint(product: Product) -> list[object]:
    image = _card_image(product)
    return [
        product.pk,
        product.slug,
        product.title,
        str(product.price),
        str(product.compare_at_price),
        product.currency,
        product.track_inventory,
        bool(getattr(product, "has_stock", True)),
        product.rating_count,
        str(product.rating_average),
        product.shop.slug,
        product.shop.name,
        None
        if image is None
        else [image.pk, image.original.name, image.alt_text, image.width, image.height],
        None if image is None else image.thumbnails,
    ]


@register.simple_tag(takes_context=True)
def product_cards(context: template.Context, products: Iterable[Product]) -> str:
    """`<li>` + card for each of `products` (from `views.storefront.product_cards`), rendered
    once and then served from the cache."""
    products = list(products)
    if not products:
        return ""
    request = context.get("request")
    features = context.get("features")
    reviews = bool(features["reviews"]) if features is not None else True
    variant = [
        get_language() or "",
        (display_currency_for(request) if request is not None else None) or "",
        reviews,
    ]
    fingerprint = json.dumps(
        [variant, [_card_fingerprint(product) for product in products]], default=str
    )
    key = "storefront:cards:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        links = CardLinks()
        html = "".join(
            f"<li>{product_card(product, context=context, reviews=reviews, links=links)}</li>"
            for product in products
        )
        cache.set(key, html, CARDS_SECONDS)
    return mark_safe(html)  # noqa: S308 - every value is escaped by format_html


# Django's `slug` path converter.
_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


class CardLinks:
    """The product and shop links of a list's cards. `reverse` walks the URL resolver on each
    call (a tenth of a millisecond in a request that has just read its rows, two per card):
    here each link is reversed once, with marker arguments, and each card's own pk and slug
    take the markers' place. A slug the URL's converter would refuse is reversed as usual."""

    PK, SLUG = 918273645, "card-slug-marker"

    def __init__(self) -> None:
        self._product = self._format(reverse("storefront:product", args=[self.PK, self.SLUG]))
        self._shop = self._format(reverse("storefront:shop", args=[self.SLUG]))

    @classmethod
    def _format(cls, path: str) -> str:
        path = path.replace("{", "{{").replace("}", "}}")
        return path.replace(str(cls.PK), "{pk}", 1).replace(cls.SLUG, "{slug}", 1)

    def product(self, product: Product) -> str:
        if not _SLUG.fullmatch(product.slug):
            return reverse("storefront:product", args=[product.pk, product.slug])
        return self._product.format(pk=int(product.pk), slug=product.slug)

    def shop(self, slug: str) -> str:
        if not _SLUG.fullmatch(slug):
            return reverse("storefront:shop", args=[slug])
        return self._shop.format(slug=slug)


def product_card(
    product: Product, *, context: template.Context, reviews: bool, links: CardLinks | None = None
) -> SafeString:
    """The product card (the design system's component: image or initial, sold-out or sale
    badge, title, stars, shop, price with the display-currency approximation and the struck-out
    compare-at price). Built here rather than in a template, like `rating_stars`: a list shows
    up to 24 cards, and in a template each took 0.4 to 0.8 ms of a search page's time, the
    largest part of the page's rendering when nothing is cached (docs/benchmarks.md)."""
    links = links or CardLinks()
    image = _card_image(product)
    thumb = image_thumbnail(image, CARD_THUMBNAIL) if image is not None else None
    if thumb:
        media = format_html(
            '<picture><source srcset="{}" type="image/webp">'
            '<img src="{}" width="{}" height="{}" alt="{}" loading="lazy"></picture>',
            thumb["webp"],
            thumb["jpeg"],
            thumb["width"],
            thumb["height"],
            (image.alt_text if image is not None else "") or product.title,
        )
    else:
        media = format_html(
            '<span class="product-card__placeholder" aria-hidden="true">{}</span>',
            product.title[:1].upper(),
        )
    on_sale = bool(product.compare_at_price and product.compare_at_price > product.price)
    badge = ""
    if product.track_inventory and not getattr(product, "has_stock", True):
        badge = format_html('<span class="badge badge--warning">{}</span>', gettext("Sold out"))
    elif on_sale:
        badge = format_html('<span class="badge badge--sale">{}</span>', gettext("Sale"))
    rating = ""
    if product.rating_count and reviews:
        rating = format_html(
            '<p class="product-card__rating small">{}</p>',
            rating_stars(product.rating_average, product.rating_count),
        )
    compare = ""
    if on_sale:
        compare = format_html(
            '<s class="price__compare"><span class="visually-hidden">{} </span>{}</s>',
            gettext("Was"),
            money(product.compare_at_price, product.currency),
        )
    return format_html(
        '<article class="product-card">'
        '<a class="product-card__link" href="{}">'
        '<div class="product-card__media">{}<span class="product-card__badges">{}</span></div>'
        '<h3 class="product-card__title">{}</h3></a>{}'
        '<p class="product-card__shop"><a href="{}">{}</a></p>'
        '<p class="product-card__price"><span class="price">{}</span> {} {}</p>'
        "</article>",
        links.product(product),
        media,
        badge,
        product.title,
        rating,
        links.shop(product.shop.slug),
        product.shop.name,
        money(product.price, product.currency),
        price_approx(context, product.price, product.currency),
        compare,
    )


@register.simple_tag
def header_categories() -> list[dict[str, str]]:
    """The top-level categories for the header's categories menu, each its name (in the active
    language) and link: cached until the tree changes, links included, so that a page reverses
    none of them (a tenth of a millisecond each in a request, on every page)."""
    return cached(
        "header-category-links",
        scopes=["tree"],
        parts=[],
        compute=lambda: [
            {
                "name": str(category.name),
                "url": reverse("storefront:category", args=[category.slug]),
            }
            for category in Category.objects.get_root_nodes()
        ],
    )
