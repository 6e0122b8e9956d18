"""Product search: the stored weighted tsvector, query parsing, ranking, facets and suggestions.

PostgreSQL is the engine: `Product.search_vector` holds the title (weight A), tag and category
names (B) and the description (C), each in the shop's language configuration and in `simple`
(so exact words match whatever the shopper's language). Queries use `websearch_to_tsquery`
(quotes, OR and minus work). On SQLite (the embedded demo) search is a plain `icontains`.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramSimilarity
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import ExpressionWrapper, RawSQL
from django.db.models.functions import Cast, Upper
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models import Category, Product, ProductVariant

QUERY_MIN_LENGTH = 2
QUERY_MAX_LENGTH = 200

# Shop and interface languages -> PostgreSQL text search configurations (others: `simple`).
LANGUAGE_CONFIGS = {
    "da": "danish",
    "de": "german",
    "en": "english",
    "es": "spanish",
    "fi": "finnish",
    "fr": "french",
    "it": "italian",
    "nl": "dutch",
    "no": "norwegian",
    "pt": "portuguese",
    "ru": "russian",
    "sv": "swedish",
    "tr": "turkish",
}

PRICE_BANDS: list[tuple[str, Decimal | None, Decimal | None]] = [
    ("0-25", None, Decimal("25")),
    ("25-50", Decimal("25"), Decimal("50")),
    ("50-100", Decimal("50"), Decimal("100")),
    ("100-", Decimal("100"), None),
]

SORTS: dict[str, Any] = {
    "relevance": None,
    "newest": ("-created", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "rating": ("-rating_average", "-rating_count", "-id"),
}


class SearchQueryInvalid(ValueError):
    """A query that cannot be searched; `message` says why (shown to the shopper)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def search_config(language: str | None) -> str:
    """The text search configuration for a language code ('pt-br' -> 'portuguese')."""
    return LANGUAGE_CONFIGS.get((language or "").split("-")[0].lower(), "simple")


def query_clean(raw: str | None) -> str:
    """The query with control characters removed and spaces collapsed; SearchQueryInvalid when
    it is too short, too long or has no letter or digit to search for."""
    text = "".join(char for char in (raw or "") if char.isprintable() or char == " ")
    text = " ".join(text.split())
    if len(text) > QUERY_MAX_LENGTH:
        raise SearchQueryInvalid(
            str(_("Search for at most %(count)d characters.") % {"count": QUERY_MAX_LENGTH})
        )
    if len(text) < QUERY_MIN_LENGTH or not any(char.isalnum() for char in text):
        raise SearchQueryInvalid(
            str(_("Type at least %(count)d letters or digits.") % {"count": QUERY_MIN_LENGTH})
        )
    return text


def _config_case(column: str) -> str:
    whens = " ".join(f"WHEN '{code}' THEN '{config}'" for code, config in LANGUAGE_CONFIGS.items())
    return f"(CASE split_part(lower({column}), '-', 1) {whens} ELSE 'simple' END)::regconfig"


# One statement computes the vector from the product, its shop's language, tags and categories.
_VECTOR_SQL = """
WITH source AS (
    SELECT p.id,
           __CONFIG__ AS config,
           p.title,
           concat_ws(' ',
               (SELECT string_agg(t.name, ' ') FROM catalog_product_tags pt
                  JOIN catalog_tag t ON t.id = pt.tag_id WHERE pt.product_id = p.id),
               (SELECT string_agg(c.name, ' ') FROM catalog_product_categories pc
                  JOIN catalog_category c ON c.id = pc.category_id WHERE pc.product_id = p.id)
           ) AS words,
           regexp_replace(p.description, '<[^>]*>', ' ', 'g') AS body
      FROM catalog_product p JOIN shops_shop s ON s.id = p.shop_id
     WHERE __WHERE__
)
UPDATE catalog_product p SET search_vector = __VECTOR__
  FROM source WHERE source.id = p.id
"""

# The vector of a row `source` with `config` (regconfig), `title`, `words` (tag and category
# names) and `body` (the description as plain text). Bulk loads use it too.
VECTOR_EXPRESSION = """
       setweight(to_tsvector(source.config, source.title)
                 || to_tsvector('simple', source.title), 'A')
    || setweight(to_tsvector(source.config, source.words)
                 || to_tsvector('simple', source.words), 'B')
    || setweight(to_tsvector(source.config, source.body), 'C')
"""

_VECTOR_SQL = _VECTOR_SQL.replace("__CONFIG__", _config_case("s.language")).replace(
    "__VECTOR__", VECTOR_EXPRESSION
)
VECTOR_UPDATE_ALL_SQL = _VECTOR_SQL.replace("__WHERE__", "TRUE")


def search_vector_update(*, product_ids: Iterable[int]) -> None:
    """Recompute the stored search vector of these products (call inside the write's
    transaction, after tags and categories are set)."""
    ids = sorted(set(product_ids))
    if not ids or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_VECTOR_SQL.replace("__WHERE__", "p.id = ANY(%s)"), [ids])


def _vector_update_where(where: str, params: list[Any]) -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_VECTOR_SQL.replace("__WHERE__", where), params)
        return cursor.rowcount


def search_vector_update_for_category(*, category: Category) -> int:
    """Recompute the vectors of the products in `category` (its name is in them), in one
    statement; returns how many."""
    return _vector_update_where(
        "p.id IN (SELECT product_id FROM catalog_product_categories WHERE category_id = %s)",
        [category.pk],
    )


def search_vector_update_for_tag(*, tag_id: int) -> int:
    """Recompute the vectors of the products with this tag, in one statement."""
    return _vector_update_where(
        "p.id IN (SELECT product_id FROM catalog_product_tags WHERE tag_id = %s)", [tag_id]
    )


def search_vector_update_for_shop(*, shop_id: int) -> int:
    """Recompute the vectors of a shop's products (its language picks their configuration)."""
    return _vector_update_where("p.shop_id = %s", [shop_id])


def _tsquery(text: str) -> SearchQuery:
    config = search_config(get_language())
    query = SearchQuery(text, search_type="websearch", config="simple")
    if config != "simple":
        query = query | SearchQuery(text, search_type="websearch", config=config)
    return query


def products_search(*, products: QuerySet[Product], text: str) -> QuerySet[Product]:
    """`products` that match `text` (already cleaned), annotated with `rank` (relevance with a
    small boost for rating and recency); SQLite falls back to a title/description match."""
    if connection.vendor != "postgresql":
        return products.filter(Q(title__icontains=text) | Q(description__icontains=text)).annotate(
            rank=RawSQL("0", [], output_field=FloatField())
        )
    query = _tsquery(text)
    recency = RawSQL(
        "0.05 / (1 + EXTRACT(EPOCH FROM (now() - catalog_product.created)) / 2592000.0)",
        [],
        output_field=FloatField(),
    )
    return (
        products.filter(search_vector=query)
        .annotate(text_rank=SearchRank(F("search_vector"), query))
        .annotate(
            rank=ExpressionWrapper(
                F("text_rank") * (1.0 + Cast("rating_average", FloatField()) / 25.0) + recency,
                output_field=FloatField(),
            ),
        )
    )


def products_order(products: QuerySet[Product], *, sort: str, searching: bool) -> QuerySet[Product]:
    if sort == "relevance" and searching:
        return products.order_by(F("rank").desc(), "-created", "-id")
    ordering = SORTS.get(sort) or SORTS["newest"]
    return products.order_by(*ordering)


def did_you_mean(*, products: QuerySet[Product], text: str) -> str:
    """The public product title closest to `text` by trigram similarity, or ''."""
    if connection.vendor != "postgresql":
        return ""
    best = (
        products.filter(title__trigram_similar=text)  # served by the trigram index
        .annotate(similarity=TrigramSimilarity("title", text))
        .order_by("-similarity", "id")
        .values_list("title", flat=True)
        .first()
    )
    return best or ""


# --- Facets ---------------------------------------------------------------------------------------


# Like a search engine's tracked total (Elasticsearch's track_total_hits), counting stops at
# MATCH_LIMIT: a broad query over a big catalog finds "more than 10,000" products, and its facets
# count the first MATCH_LIMIT matches (each count is then a lower bound, shown as "n+"). This
# bounds the work of every search, whatever the size of the catalog (docs/benchmarks.md).
MATCH_LIMIT = 10_000


def matches_capped(products: QuerySet[Any], limit: int) -> QuerySet[Any]:
    """The ids of at most `limit` of `products`, in no particular order."""
    return products.order_by().values("pk")[:limit]


def count_capped(products: QuerySet[Any]) -> tuple[int, bool]:
    """`(count, capped)`: the number of `products` up to MATCH_LIMIT, and whether there are
    more (one more is counted to tell)."""
    counted = matches_capped(products, MATCH_LIMIT + 1).count()
    return min(counted, MATCH_LIMIT), counted > MATCH_LIMIT


@dataclass
class Facets:
    categories: list[dict[str, Any]] = field(default_factory=list)
    shops: list[dict[str, Any]] = field(default_factory=list)
    tags: list[dict[str, Any]] = field(default_factory=list)
    price_bands: list[dict[str, Any]] = field(default_factory=list)
    in_stock: int = 0
    # [{"name": "size", "values": [{"value": "M", "count": 3}, ...]}, ...]
    options: list[dict[str, Any]] = field(default_factory=list)
    # Counted over the first MATCH_LIMIT matches only: every count is a lower bound.
    capped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "categories": self.categories,
            "shops": self.shops,
            "tags": self.tags,
            "price_bands": self.price_bands,
            "in_stock": self.in_stock,
            "options": self.options,
            "capped": self.capped,
        }


FACET_LIMIT = 12


def facets_count(*, products: QuerySet[Product], capped: bool | None = None) -> Facets:
    """Counts of `products` (already searched and filtered) per category, shop, tag, price band,
    in stock and variant option: five queries over at most MATCH_LIMIT products. `capped` says
    whether `products` are known to be more than MATCH_LIMIT (counted here when not given)."""
    if capped is None:
        capped = count_capped(products)[1]
    ids: QuerySet[Any] = (
        matches_capped(products, MATCH_LIMIT) if capped else products.order_by().values("pk")
    )
    matched = Product.objects.filter(pk__in=ids)
    categories = list(
        Category.objects.filter(products__in=ids)
        .values("slug", "name")
        .annotate(count=Count("products", distinct=True))
        .order_by("-count", "name")[:FACET_LIMIT]
    )
    shops = [
        {"slug": row["shop__slug"], "name": row["shop__name"], "count": row["count"]}
        for row in matched.values("shop__slug", "shop__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "shop__name")[:FACET_LIMIT]
    ]
    tags = [
        {"slug": row["tags__slug"], "name": row["tags__name"], "count": row["count"]}
        for row in matched.filter(tags__isnull=False)
        .values("tags__slug", "tags__name")
        .annotate(count=Count("pk", distinct=True))
        .order_by("-count", "tags__name")[:FACET_LIMIT]
    ]
    band_counts: dict[str, Any] = {}
    for key, low, high in PRICE_BANDS:
        condition = Q()
        if low is not None:
            condition &= Q(price__gte=low)
        if high is not None:
            condition &= Q(price__lt=high)
        band_counts[key.replace("-", "_") or "all"] = Count("pk", filter=condition)
    stocked = Q(track_inventory=False) | Q(
        Exists(ProductVariant.objects.filter(product=OuterRef("pk"), inventory_count__gt=0))
    )
    totals = matched.aggregate(**band_counts, in_stock=Count("pk", filter=stocked))
    price_bands = [
        {"key": key, "min": low, "max": high, "count": totals[key.replace("-", "_")]}
        for key, low, high in PRICE_BANDS
    ]
    return Facets(
        categories=categories,
        shops=shops,
        tags=tags,
        price_bands=[band for band in price_bands if band["count"]],
        in_stock=totals["in_stock"],
        options=option_facets_count(product_ids=ids),
        capped=capped,
    )


# Variant options (`ProductVariant.options`, e.g. {"size": "M", "colour": "Red"}) as facets.
OPTION_NAMES_LIMIT = 4
OPTION_VALUES_LIMIT = 12
OPTIONS_PER_FILTER = 5


def option_facets_count(*, product_ids: QuerySet[Any]) -> list[dict[str, Any]]:
    """Per option name (the most common first), its values with the number of `product_ids`
    that have a variant with that value: one query."""
    ids_sql, ids_params = product_ids.query.sql_with_params()
    if connection.vendor == "postgresql":
        pairs = "jsonb_each_text(v.options)"
    else:
        pairs = "json_each(v.options)"
    # The names and values come out of the database; nothing from the request is interpolated.
    sql = f"""
        SELECT pair.key, pair.value, COUNT(DISTINCT v.product_id) AS products
          FROM catalog_productvariant v, {pairs} AS pair
         WHERE v.product_id IN ({ids_sql})
         GROUP BY pair.key, pair.value
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, ids_params)
        rows = cursor.fetchall()
    by_name: dict[str, list[dict[str, Any]]] = {}
    for name, value, count in rows:
        by_name.setdefault(str(name), []).append({"value": str(value), "count": count})
    names = sorted(by_name, key=lambda name: (-sum(v["count"] for v in by_name[name]), name))
    return [
        {
            "name": name,
            "values": sorted(by_name[name], key=lambda item: (-item["count"], item["value"]))[
                :OPTION_VALUES_LIMIT
            ],
        }
        for name in names[:OPTION_NAMES_LIMIT]
    ]


def option_filters_parse(values: Iterable[str]) -> dict[str, list[str]]:
    """`["size:M", "size:L", "colour:Red"]` -> `{"size": ["M", "L"], "colour": ["Red"]}` (names
    lower case as the catalog stores them); SearchQueryInvalid when one is not `name:value`."""
    parsed: dict[str, list[str]] = {}
    for count, raw in enumerate(values, start=1):
        name, separator, value = str(raw).partition(":")
        name = " ".join(name.split()).lower()
        value = " ".join(value.split())
        if not separator or not name or not value or len(name) > 40 or len(value) > 80:
            raise SearchQueryInvalid(str(_("Write options as name:value, e.g. size:M.")))
        if count > OPTIONS_PER_FILTER:
            raise SearchQueryInvalid(
                str(_("Filter by at most %(count)d options.") % {"count": OPTIONS_PER_FILTER})
            )
        if value not in parsed.setdefault(name, []):
            parsed[name].append(value)
    return parsed


def products_with_options(
    products: QuerySet[Product], *, options: dict[str, list[str]]
) -> QuerySet[Product]:
    """`products` that have one variant matching every option name (any of its values)."""
    if not options:
        return products
    variants = ProductVariant.objects.filter(product=OuterRef("pk"))
    for index, (name, values) in enumerate(sorted(options.items())):
        if connection.vendor == "postgresql":
            # Containment (@>) on the jsonb column: any of the values of this name.
            condition = Q()
            for value in values:
                condition |= Q(options__contains={name: value})
            variants = variants.filter(condition)
        else:
            # SQLite (the embedded default): the key's text, compared as plain text (a JSON key
            # lookup would read the values as JSON). A name no JSON path can hold matches nothing.
            if '"' in name or "\\" in name:
                return products.none()
            alias = f"option_{index}"
            value_of_name = Func(
                F("options"),
                Value(f'$."{name}"'),
                function="JSON_EXTRACT",
                output_field=CharField(),
            )
            variants = variants.alias(**{alias: value_of_name}).filter(**{f"{alias}__in": values})
    return products.filter(Exists(variants))


def price_band(key: str) -> tuple[Decimal | None, Decimal | None] | None:
    for band_key, low, high in PRICE_BANDS:
        if band_key == key:
            return low, high
    return None


# --- Suggestions ------------------------------------------------------------------------------

SUGGEST_LIMIT = 5
# Product suggestions are the best rated of at most SUGGEST_SCOPE titles that start with the text
# (read in title order from an index), then of as many with a word starting with it (from a
# trigram index on the upper-case titles): a two-letter prefix over a million products stays cheap.
SUGGEST_SCOPE = 200


def _suggest_best(candidates: QuerySet[Product], *, exclude: list[int]) -> list[dict[str, Any]]:
    ids = list(candidates.values_list("pk", flat=True)[:SUGGEST_SCOPE])
    best: list[dict[str, Any]] = list(
        Product.objects.filter(pk__in=ids)
        .exclude(pk__in=exclude)
        .order_by("-rating_count", "title", "pk")
        .values("pk", "slug", "title")[:SUGGEST_LIMIT]  # type: ignore[arg-type]
    )
    return best


def search_suggest(*, products: QuerySet[Product], text: str) -> dict[str, list[dict[str, Any]]]:
    """Products, categories and shops whose names start with or resemble `text` (autocomplete):
    titles starting with the text first, then titles with a word starting with it, then (on
    PostgreSQL) titles that look alike, for typos."""
    from shops.models import Shop

    found = _suggest_best(
        products.filter(title__istartswith=text).order_by(Upper("title")), exclude=[]
    )
    if len(found) < SUGGEST_LIMIT:
        found += _suggest_best(
            products.filter(title__icontains=f" {text}").order_by(),
            exclude=[item["pk"] for item in found],
        )[: SUGGEST_LIMIT - len(found)]
    if len(found) < SUGGEST_LIMIT and connection.vendor == "postgresql":
        seen = [item["pk"] for item in found]
        found += list(
            products.exclude(pk__in=seen)
            .filter(title__trigram_similar=text)
            .annotate(similarity=TrigramSimilarity("title", text))
            .order_by("-similarity", "id")
            .values("pk", "slug", "title")[: SUGGEST_LIMIT - len(found)]  # type: ignore[arg-type]
        )
    categories = list(
        Category.objects.filter(name__icontains=text)
        .order_by("name")
        .values("slug", "name")[:SUGGEST_LIMIT]
    )
    shops = list(
        Shop.objects.filter(status=Shop.Status.ACTIVE, name__icontains=text)
        .order_by("name")
        .values("slug", "name")[:SUGGEST_LIMIT]
    )
    return {"products": found, "categories": categories, "shops": shops}
