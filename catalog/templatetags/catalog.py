import hashlib
import json
from collections.abc import Iterable

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalog.models import Category, Product, ProductImage
from catalog.selectors import image_urls
from catalog.storefront_cache import cached
from marketmate.currency import display_currency_for

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


def _card_fingerprint(product: Product) -> list[object]:
    images = list(product.images.all())  # prefetched by views.storefront.product_cards
    image = images[0] if images else None
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
    variant = [
        get_language() or "",
        (display_currency_for(request) if request is not None else None) or "",
        bool(features["reviews"]) if features is not None else True,
    ]
    fingerprint = json.dumps(
        [variant, [_card_fingerprint(product) for product in products]], default=str
    )
    key = "storefront:cards:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    html = cache.get(key)
    if html is None:
        assert context.template is not None  # a tag renders inside a template
        card = context.template.engine.get_template("storefront/includes/product_card.html")
        rendered = []
        for product in products:
            with context.push(product=product):
                rendered.append(f"<li>{card.render(context)}</li>")
        html = "".join(rendered)
        cache.set(key, html, CARDS_SECONDS)
    return mark_safe(html)  # noqa: S308 - rendered by the autoescaping card template


@register.simple_tag
def header_categories() -> list[Category]:
    """The top-level categories for the header's categories menu (cached until the tree
    changes)."""
    return cached(
        "header-categories",
        scopes=["tree"],
        parts=[],
        compute=lambda: list(Category.objects.get_root_nodes()),
    )
