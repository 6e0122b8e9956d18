"""The shopper-facing pages: home, category, shop and product pages, sitemap and robots.txt.

Everything shown comes from `product_queryset_public()`: drafts, archived products and products
of pending or suspended shops are never listed and their pages are 404.
"""

import html
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote_plus

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView

from catalog import search
from catalog.hooks import product_viewed
from catalog.models import Category, Product, ProductImage, ProductVariant
from catalog.selectors import (
    category_get_by_slug,
    image_urls,
    product_list_public,
    product_queryset_public,
    product_queryset_with_details,
    products_in_stock,
    wishlist_has_product,
)
from catalog.services.category_counts import (
    category_listing_product_ids,
    category_product_count,
)
from catalog.storefront_cache import cached
from catalog.variant_picker import variant_picker
from catalog.views.reviews import product_reviews_context
from marketmate.currency import (
    display_currency_for,
    exchange_rates,
    money_format,
    price_approximate,
)
from shops.selectors import shop_queryset_public

PAGE_SIZE = 24
HOME_NEW_ARRIVALS = 8
HOME_POPULAR = 4
HOME_FEATURED_SHOPS = 4
HOME_FEATURED_CATEGORIES = 8
RELATED_PRODUCTS = 4


# The columns a product card shows (`catalog.templatetags.catalog.product_card`): not the search
# vector, the description, the facet keys or the shop's texts, which a page of 24 would read,
# decode and keep in the cache for nothing.
CARD_FIELDS = (
    "id",
    "shop_id",
    "title",
    "slug",
    "price",
    "compare_at_price",
    "currency",
    "track_inventory",
    "rating_average",
    "rating_count",
    "created",
    "shop__id",
    "shop__slug",
    "shop__name",
)


def product_cards(products: QuerySet[Product]) -> QuerySet[Product]:
    """Products with what a product card shows (shop, first image, stock) in three queries."""
    stocked = Exists(ProductVariant.objects.filter(product=OuterRef("pk"), inventory_count__gt=0))
    return (
        products.select_related("shop")
        .only(*CARD_FIELDS)
        .prefetch_related(
            # As a list, not a queryset per product: the cache keeps the products pickled, and
            # each prefetched queryset pickled its query along (a search page's entry 15 KB
            # and 1.0 ms to pickle, 0.8 to unpickle; as lists 10 KB, 0.5 and 0.2 ms).
            Prefetch(
                "images",
                queryset=ProductImage.objects.order_by("position", "id"),
                to_attr="card_images",
            )
        )
        .annotate(has_stock=stocked)
    )


class CappedPaginator(Paginator):
    """A paginator that counts at most `search.MATCH_LIMIT` objects (`capped` says there are
    more): a list of 100,000 products costs what one of 10,000 does, and offers that many pages.
    `known_count` gives the count (and `capped`) in advance, as a cached page does."""

    def __init__(
        self,
        object_list: Any,
        per_page: int,
        *,
        known_count: tuple[int, bool] | None = None,
    ) -> None:
        super().__init__(object_list, per_page)
        if known_count is not None:
            self.__dict__["_counted"] = known_count

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return search.count_capped(self.object_list)  # type: ignore[arg-type]

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def capped(self) -> bool:
        return self._counted[1]


def _page(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PAGE_SIZE) -> Page:
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))


@dataclass
class CachedPage:
    """A page of a list (its objects, number and the list's size), as the cache keeps it."""

    objects: list[Any]
    number: int
    count: int
    capped: bool = False

    @classmethod
    def of(cls, page: Page) -> "CachedPage":
        paginator = page.paginator
        return cls(
            objects=list(page.object_list),
            number=page.number,
            count=paginator.count,
            capped=bool(getattr(paginator, "capped", False)),
        )

    def page(self, per_page: int = PAGE_SIZE) -> Page:
        paginator = CappedPaginator(self.objects, per_page, known_count=(self.count, self.capped))
        return Page(self.objects, self.number, paginator)


def _page_cached(
    request: HttpRequest,
    name: str,
    *,
    scopes: list[str],
    parts: list[object],
    queryset: Any,
) -> Page:
    """`_page()` of `queryset()` (a callable, so that nothing is queried on a hit), cached."""
    page_number = request.GET.get("page", "")[:12]
    return cached(
        name,
        scopes=scopes,
        parts=[*parts, page_number],
        compute=lambda: CachedPage.of(_page(request, queryset())),
    ).page()


def json_ld(data: dict[str, Any]) -> SafeString:
    """`data` as JSON safe to place inside a <script type="application/ld+json"> element."""
    text = json.dumps(data, ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return mark_safe(text)  # noqa: S308 - the three HTML-significant characters are escaped


def home_context() -> dict[str, Any]:
    """What the home page shows: featured categories, new arrivals, popular products, shops
    (cached until the catalog changes)."""
    return cached("home", scopes=["global"], parts=[], compute=_home_context)


class HomeView(TemplateView):
    template_name = "storefront/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), **home_context()}


def _home_context() -> dict[str, Any]:
    public = product_queryset_public()
    featured = Category.objects.filter(is_featured=True).order_by("name")[:HOME_FEATURED_CATEGORIES]
    categories = list(featured) or list(
        Category.objects.get_root_nodes().order_by("name")[:HOME_FEATURED_CATEGORIES]
    )
    shops = list(
        shop_queryset_public()
        .annotate(
            public_products=Count("products", filter=Q(products__status=Product.Status.ACTIVE))
        )
        .filter(public_products__gt=0)
        .order_by("-public_products", "name")[:HOME_FEATURED_SHOPS]
    )
    context: dict[str, Any] = {
        "new_arrivals": list(product_cards(public.order_by("-created", "-id"))[:HOME_NEW_ARRIVALS]),
        "popular": list(
            product_cards(
                public.filter(rating_count__gt=0).order_by(
                    "-rating_average", "-rating_count", "-id"
                )
            )[:HOME_POPULAR]
        ),
        "categories": categories,
        "shops": shops,
    }
    return context


@require_GET
def category_detail(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)

    def page() -> CachedPage:
        # The page's products come from the maintained listing (newest first, read from one
        # index in order), the list's size from the maintained count: nothing here counts or
        # sorts the department's products.
        count = category_product_count(category=category)
        paginator = CappedPaginator(range(count), PAGE_SIZE, known_count=(count, False))
        number = paginator.get_page(request.GET.get("page")).number
        offset = (number - 1) * PAGE_SIZE
        ids = category_listing_product_ids(category=category, offset=offset, limit=PAGE_SIZE)
        products = list(
            product_cards(product_queryset_public().filter(pk__in=ids)).order_by("-created", "-id")
        )
        return CachedPage(objects=products, number=number, count=count)

    scopes = [f"category:{category.path}", "shops", "tree"]
    ancestors, children = cached(
        "category-tree",
        scopes=["tree"],
        parts=[category.pk],
        compute=lambda: (
            list(Category.objects.get_ancestors(category)),
            list(Category.objects.get_children(category)),
        ),
    )
    context = {
        "category": category,
        "ancestors": ancestors,
        "children": children,
        "page": cached(
            "category",
            scopes=scopes,
            parts=[category.pk, request.GET.get("page", "")[:12]],
            compute=page,
        ).page(),
        "canonical_path": reverse("storefront:category", args=[category.slug]),
    }
    return TemplateResponse(request, "storefront/category.html", context)


@require_GET
def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    shop = get_object_or_404(shop_queryset_public(), slug=slug)

    def products() -> QuerySet[Product]:
        return product_cards(
            product_queryset_public().filter(shop=shop).order_by("-created", "-id")
        )

    context = {
        "shop": shop,
        "page": _page_cached(
            request, "shop", scopes=[f"shop:{shop.pk}"], parts=[shop.pk], queryset=products
        ),
        "canonical_path": reverse("storefront:shop", args=[shop.slug]),
        "banner_url": shop.banner.url if shop.banner else "",
    }
    return TemplateResponse(request, "storefront/shop.html", context)


def _gallery(product: Product) -> list[dict[str, Any]]:
    """Each image's largest thumbnail for the main view and a small one for the thumbnails row."""
    gallery = []
    for image in product.images.all():
        urls = image_urls(image=image)
        thumbnails = urls["thumbnails"]
        assert isinstance(thumbnails, dict)
        if not thumbnails:
            continue
        sizes = sorted(thumbnails, key=int)
        large, small = sizes[-1], sizes[0]
        box = int(large)
        scale = min(1.0, box / max(image.width or box, image.height or box, 1))
        gallery.append(
            {
                "large": thumbnails[large],
                "small": thumbnails[small],
                "width": max(1, round((image.width or box) * scale)),
                "height": max(1, round((image.height or box) * scale)),
                "alt": image.alt_text or product.title,
            }
        )
    return gallery


def _product_json_ld(
    request: HttpRequest,
    product: Product,
    variants: list[ProductVariant],
    gallery: list[dict[str, Any]],
) -> dict[str, Any]:
    url = request.build_absolute_uri(product_url(product))
    offers = [
        {
            "@type": "Offer",
            "sku": variant.sku,
            "price": str(variant.unit_price),
            "priceCurrency": product.currency,
            "availability": "https://schema.org/InStock"
            if (not product.track_inventory or variant.inventory_count > 0)
            else "https://schema.org/OutOfStock",
            "url": url,
            "seller": {"@type": "Organization", "name": product.shop.name},
        }
        for variant in variants
    ]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.title,
        "description": _plain(product.description)[:500],
        "url": url,
        "offers": offers,
    }
    if gallery:
        data["image"] = [request.build_absolute_uri(item["large"]["jpeg"]) for item in gallery]
    if product.rating_count:
        data["aggregateRating"] = {
            "@type": "AggregateRating",
            "ratingValue": str(product.rating_average),
            "reviewCount": product.rating_count,
        }
    return data


def _plain(description: str) -> str:
    """A description's text without markup or entities, on one line."""
    return " ".join(html.unescape(strip_tags(description)).split())


def product_url(product: Product) -> str:
    return reverse("storefront:product", args=[product.pk, product.slug])


def _variant_data(request: HttpRequest, product: Product, variant: ProductVariant) -> dict:
    """What the picker's script needs to follow a choice without a reload."""
    approximation = price_approximate(
        request=request, amount=variant.unit_price, currency=product.currency
    )
    return {
        "id": variant.pk,
        "options": {key: str(value) for key, value in variant.options.items()},
        "price": money_format(amount=variant.unit_price, currency=product.currency),
        "approx": f"≈ {approximation.text}" if approximation is not None else "",
        "stock": variant.inventory_count if product.track_inventory else -1,
    }


@require_GET
def product_detail(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    product = product_queryset_with_details(product_queryset_public().filter(pk=pk)).first()
    if product is None:
        raise Http404(_("Product not found."))
    if slug != product.slug:
        return redirect(product_url(product), permanent=True)
    product_viewed(product_id=product.pk)
    variants = list(product.variants.all())
    selected = next((v for v in variants if v.is_default), variants[0] if variants else None)
    # The URL holds the shopper's choice (?variant=<id>), so it can be shared and reloaded.
    chosen_id = request.GET.get("variant", "")
    selected = next((v for v in variants if str(v.pk) == chosen_id), selected)
    for variant in variants:
        variant.available = (  # type: ignore[attr-defined]
            variant.inventory_count if product.track_inventory else None
        )
    picker = (
        variant_picker(
            variants=variants, selected=selected, track_inventory=product.track_inventory
        )
        if selected is not None and len(variants) > 1
        else []
    )
    gallery = _gallery(product)
    categories = list(product.categories.all())

    def related() -> list[Product]:
        others = product_queryset_public().exclude(pk=product.pk)
        if categories:
            others = others.filter(
                pk__in=Product.objects.filter(categories__in=categories).values("pk")
            )
        else:
            others = others.filter(shop_id=product.shop_id)
        return list(product_cards(others.order_by("-created", "-id"))[:RELATED_PRODUCTS])

    # The newest products of the same categories (or shop): cached until one of them changes.
    related_scopes = [f"category:{category.path}" for category in categories] or [
        f"shop:{product.shop_id}"
    ]
    context = {
        "product": product,
        "variants": variants,
        "selected": selected,
        "picker": picker,
        "variant_data": [_variant_data(request, product, variant) for variant in variants]
        if picker
        else [],
        "gallery": gallery,
        "categories": categories,
        "tags": list(product.tags.all()),
        "related": cached(
            "related", scopes=[*related_scopes, "shops"], parts=[product.pk], compute=related
        ),
        "canonical_path": product_url(product),
        "json_ld": json_ld(_product_json_ld(request, product, variants, gallery)),
        "meta_description": _plain(product.description)[:160],
        "in_wishlist": wishlist_has_product(user=request.user, product_id=product.pk),
        **product_reviews_context(request, product),
    }
    return TemplateResponse(request, "storefront/product.html", context)


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Home, every category, every active shop and up to 50,000 public products."""
    urls = [request.build_absolute_uri(reverse("home"))]
    urls += [
        request.build_absolute_uri(reverse("storefront:category", args=[slug]))
        for slug in Category.objects.order_by("path").values_list("slug", flat=True)
    ]
    urls += [
        request.build_absolute_uri(reverse("storefront:shop", args=[slug]))
        for slug in shop_queryset_public().order_by("slug").values_list("slug", flat=True)
    ]
    products = product_queryset_public().order_by("-id").values_list("pk", "slug", "updated")
    entries = [(url, None) for url in urls] + [
        (request.build_absolute_uri(reverse("storefront:product", args=[pk, slug])), updated)
        for pk, slug, updated in products[: 50_000 - len(urls)]
    ]
    return TemplateResponse(
        request,
        "storefront/sitemap.xml",
        {"entries": entries},
        content_type="application/xml; charset=utf-8",
    )


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    lines = [
        "User-agent: *",
        "Disallow: /dashboard/",
        "Disallow: /account/",
        "Disallow: /accounts/",
        "Disallow: /cart/",
        "Disallow: /checkout/",
        "Disallow: /orders/",
        "Disallow: /admin/",
        "Disallow: /api/",
        f"Sitemap: {request.build_absolute_uri(reverse('storefront:sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# --- Search ---------------------------------------------------------------------------------------


@dataclass
class SearchParams:
    """The search page's parameters, parsed; unknown values filter to nothing."""

    text: str = ""
    category: str = ""
    shop: str = ""
    tag: str = ""
    price: str = ""
    in_stock: bool = False
    options: dict[str, list[str]] = field(default_factory=dict)
    sort: str = "relevance"
    error: str = ""
    # The shopper's display currency (from the request, not the query string): the price bands
    # are then in it, compared with the approximate prices the cards show.
    display_currency: str = ""

    @classmethod
    def parse(cls, data: QueryDict) -> "SearchParams":
        params = cls(
            category=data.get("category", "")[:140],
            shop=data.get("shop", "")[:140],
            tag=data.get("tag", "")[:60],
            price=data.get("price", "")[:10],
            in_stock=data.get("in_stock") in {"1", "true", "on"},
            sort=data.get("sort", "") if data.get("sort", "") in search.SORTS else "relevance",
        )
        try:
            params.options = search.option_filters_parse(data.getlist("option"))
        except search.SearchQueryInvalid as error:
            params.error = error.message
        raw = data.get("q", "")
        if raw.strip():
            try:
                params.text = search.query_clean(raw)
            except search.SearchQueryInvalid as error:
                params.error = error.message
        return params

    def cache_parts(self) -> list[object]:
        options = sorted((name, sorted(values)) for name, values in self.options.items())
        return [
            self.text,
            self.category,
            self.shop,
            self.tag,
            self.price,
            self.in_stock,
            options,
            self.display_currency,
        ]

    def price_bands(self) -> search.ConvertedBands | None:
        """The price bands in the display currency, or None for the shops' own prices."""
        if not self.display_currency:
            return None
        return search.price_bands_in(display=self.display_currency, rates=exchange_rates())


def search_products(params: SearchParams, *, stock_filter: bool = True) -> QuerySet[Product]:
    """Public products matching the parsed search and filters (unordered); with `stock_filter`
    False, whether they are in stock is not looked at."""
    if params.error:
        return Product.objects.none()
    category = None
    if params.category:
        category = category_get_by_slug(slug=params.category)
        if category is None:
            return Product.objects.none()
    price_condition = None
    if params.price:
        condition = search.price_band_condition(params.price, bands=params.price_bands())
        if condition is None:
            return Product.objects.none()
        price_condition = condition
    return product_list_public(
        text=params.text,
        options=params.options,
        category=category,
        shop_slug=params.shop or None,
        tag=params.tag or None,
        price_condition=price_condition,
        in_stock=True if params.in_stock and stock_filter else None,
    )


FILTER_LABELS = {
    "category": gettext_lazy("Category"),
    "shop": gettext_lazy("Shop"),
    "tag": gettext_lazy("Tag"),
    "price": gettext_lazy("Price"),
    "in_stock": gettext_lazy("In stock"),
}

SORT_LABELS = {
    "relevance": gettext_lazy("Relevance"),
    "newest": gettext_lazy("Newest"),
    "price_asc": gettext_lazy("Price: low to high"),
    "price_desc": gettext_lazy("Price: high to low"),
    "rating": gettext_lazy("Customer rating"),
}


# The facet and chip links each change one parameter of the page's query string: built from
# the request's lists, not from a copy of its QueryDict (a deep copy per link, 60 or more a
# page, a twentieth of the page's time). The text is QueryDict.urlencode()'s.
def _query(lists: Iterable[tuple[str, list[str]]]) -> str:
    return "&".join(
        f"{quote_plus(key)}={quote_plus(value)}" for key, values in lists for value in values
    )


def _changed(data: QueryDict, key: str, change: Callable[[list[str]], list[str]]) -> str:
    """The query string without the page, `key`'s values changed by `change` (in the key's
    place, or last when it was not there)."""
    lists = [(name, values) for name, values in data.lists() if name != "page"]
    if key not in data:
        return _query([*lists, (key, change([]))])
    return _query([(name, change(values) if name == key else values) for name, values in lists])


def _without(data: QueryDict, *keys: str) -> str:
    return _query((key, values) for key, values in data.lists() if key not in {*keys, "page"})


def _with(data: QueryDict, key: str, value: str) -> str:
    return "?" + _changed(data, key, lambda _values: [value])


def _option_value(name: str, value: str) -> str:
    return f"{name}:{value}"


def _with_option(data: QueryDict, name: str, value: str) -> str:
    """The filters with this option added (values of other names are kept)."""
    wanted = _option_value(name, value)
    return "?" + _changed(
        data, "option", lambda values: values if wanted in values else [*values, wanted]
    )


def _without_option(data: QueryDict, raw: str) -> str:
    return "?" + _changed(data, "option", lambda values: [item for item in values if item != raw])


def _price_band_labels(request: HttpRequest, facets: search.Facets) -> None:
    """Name each price band in the currency its bounds are in. With a display currency every
    matched price converts to, that currency ("Under €25.00"): the bands then compare the
    approximate prices the cards show, so a band names exactly the products whose "≈" price is
    in it. Otherwise the matched products' own currency ("Under $25.00"), and when the shopper
    chose a display currency some price cannot be converted to, its bounds converted beside
    ("≈ €20.00"); products in several currencies get bare numbers (each compared in its own
    shop's currency), and the page says so."""
    band_currency = getattr(facets, "band_currency", "")
    currencies = getattr(facets, "currencies", [])
    currency = band_currency or (currencies[0] if len(currencies) == 1 else "")

    def shown(low: str, high: str, *, under: bool, more: bool) -> str:
        if under:
            return _("Under %(max)s") % {"max": high}
        if more:
            return _("%(min)s and more") % {"min": low}
        return f"{low}\u2013{high}"

    for band in facets.price_bands:
        low, high = band["min"], band["max"]
        under, more = low is None, high is None
        band["label"] = shown(
            "" if low is None else money_format(amount=low, currency=currency),
            "" if high is None else money_format(amount=high, currency=currency),
            under=under,
            more=more,
        )
        band["approx"] = ""
        if not currency or band_currency:
            continue
        bounds = [
            price_approximate(request=request, amount=bound, currency=currency)
            for bound in (low, high)
            if bound is not None
        ]
        if bounds and all(bound is not None for bound in bounds):
            band["approx"] = "≈ " + "\u2013".join(
                bound.text for bound in bounds if bound is not None
            )


def _facet_links(data: QueryDict, facets: search.Facets, params: SearchParams) -> None:
    """Give every facet value the URL that applies it (keeping the other filters)."""
    for key, items in (
        ("category", facets.categories),
        ("shop", facets.shops),
        ("tag", facets.tags),
    ):
        for item in items:
            item["url"] = _with(data, key, item["slug"])
            item["active"] = data.get(key) == item["slug"]
    for band in facets.price_bands:
        band["url"] = _with(data, "price", band["key"])
        band["active"] = data.get("price") == band["key"]
    for option in facets.options:
        chosen = params.options.get(option["name"], [])
        for item in option["values"]:
            item["active"] = item["value"] in chosen
            item["url"] = (
                _without_option(data, _option_value(option["name"], item["value"]))
                if item["active"]
                else _with_option(data, option["name"], item["value"])
            )


def _chips(data: QueryDict, facets: search.Facets, params: SearchParams) -> list[dict[str, Any]]:
    """The active filters, each with the URL that removes it."""
    names = {("category", item["slug"]): item["name"] for item in facets.categories}
    names |= {("shop", item["slug"]): item["name"] for item in facets.shops}
    names |= {("tag", item["slug"]): item["name"] for item in facets.tags}
    names |= {("price", band["key"]): band.get("label", band["key"]) for band in facets.price_bands}
    chosen = data.get("category", "")
    if chosen and ("category", chosen) not in names:
        # A department whose products are in its sub-categories is in no facet: its own name.
        category = category_get_by_slug(slug=chosen)
        if category is not None:
            names["category", chosen] = category.name
    chips = [
        {
            "label": FILTER_LABELS[key],
            "value": _("yes") if key == "in_stock" else names.get((key, value), value),
            "url": "?" + _without(data, key),
        }
        for key in FILTER_LABELS
        if (value := data.get(key, ""))
    ]
    for name, values in params.options.items():
        for value in values:
            chips.append(
                {
                    "label": name.capitalize(),
                    "value": value,
                    "url": _without_option(data, _option_value(name, value)),
                }
            )
    return chips


@dataclass
class SearchOutcome:
    """What a search computes (and the cache keeps): a page of results, facets, suggestion."""

    results: CachedPage
    facets: search.Facets
    suggestion: str
    # The query searched instead, corrected against the catalog's words, when the shopper's
    # found nothing.
    corrected: str = ""


def _search_results(request: HttpRequest, params: SearchParams) -> tuple[CachedPage, search.Facets]:
    """A page of results and the facets: the matches' ids are read once (at most
    search.MATCH_LIMIT) and give both the count and the facets."""
    if params.error:
        return CachedPage.of(_page(request, Product.objects.none())), search.Facets()
    unstocked = search_products(params, stock_filter=False)
    products = products_in_stock(unstocked) if params.in_stock else unstocked
    matches = search.match_ids(
        products,
        relevance=params.sort == "relevance",
        sort=params.sort,
        before_stock_filter=unstocked if params.in_stock else None,
    )
    cards: Any
    if matches.narrow or matches.listed:
        # Its best matches, ranked, or its first in the list's order: the page reads its rows
        # by id.
        cards = search.ProductsInOrder(product_cards(product_queryset_public()), matches.ids)
    else:
        listed = search.products_narrowed(products, matches) if params.text else products
        ordered = search.products_order(listed, sort=params.sort, searching=bool(params.text))
        cards = product_cards(ordered)
    paginator = CappedPaginator(cards, PAGE_SIZE, known_count=(len(matches.ids), matches.capped))
    results = CachedPage.of(paginator.get_page(request.GET.get("page")))
    return results, search.facets_count(
        products=products, matches=matches, bands=params.price_bands()
    )


def search_outcome(request: HttpRequest, params: SearchParams) -> SearchOutcome:
    results, facets = _search_results(request, params)
    suggestion = corrected = ""
    if params.text and not results.objects and not params.error:
        # Nothing found: try again with the words the catalog has closest to the typed ones.
        retry = search.query_correct(params.text)
        if retry:
            retried, retried_facets = _search_results(request, replace(params, text=retry))
            if retried.objects:
                results, facets, corrected = retried, retried_facets, retry
            else:
                suggestion = retry
    return SearchOutcome(results=results, facets=facets, suggestion=suggestion, corrected=corrected)


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    params = SearchParams.parse(request.GET)
    params.display_currency = display_currency_for(request) or ""
    outcome = cached(
        "search",
        scopes=["global"],
        parts=[*params.cache_parts(), params.sort, params.error, request.GET.get("page", "")[:12]],
        compute=lambda: search_outcome(request, params),
    )
    facets = outcome.facets.copy()
    _facet_links(request.GET, facets, params)
    _price_band_labels(request, facets)
    price_currencies = getattr(facets, "currencies", [])
    suggestion = outcome.suggestion
    context = {
        "params": params,
        "searched_text": outcome.corrected or params.text,
        "corrected": outcome.corrected,
        "page": outcome.results.page(),
        "facets": facets,
        "chips": _chips(request.GET, facets, params),
        "price_currencies_mixed": ", ".join(price_currencies)
        if len(price_currencies) > 1 and not getattr(facets, "band_currency", "")
        else "",
        "price_band_currency": getattr(facets, "band_currency", ""),
        "suggestion": suggestion,
        "suggestion_url": _with(request.GET, "q", suggestion) if suggestion else "",
        "in_stock_url": _with(request.GET, "in_stock", "1"),
        "query_string": _without(request.GET),
        "sorts": list(SORT_LABELS.items()),
        "canonical_path": reverse("storefront:search"),
    }
    template = (
        "storefront/includes/search_results.html"
        if request.headers.get("HX-Request")
        else "storefront/search.html"
    )
    # htmx swaps only successful answers: a partial shows its error message with a 200.
    status = 400 if params.error and not request.headers.get("HX-Request") else 200
    return TemplateResponse(request, template, context, status=status)
