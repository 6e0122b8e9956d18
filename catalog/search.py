"""Product search: the stored weighted tsvector, query parsing, ranking, facets and suggestions.

PostgreSQL is the engine: `Product.search_vector` holds the title (weight A), tag and category
names (B) and the description (C), each in the shop's language configuration and in `simple`
(so exact words match whatever the shopper's language). Queries use `websearch_to_tsquery`
(quotes, OR and minus work). On SQLite (the embedded demo) search is a plain `icontains`.

At catalog scale (docs/search.md): results are ranked by a RUM index (the `rum` extension) where
it exists, which returns the best matches first without reading every match's vector from the
table, and by `ts_rank` over the matches (the GIN index) where it does not; counts and facets
read a bounded match set (SEARCH_MATCH_LIMIT); typos are corrected against `SearchWord`, the
table of the catalog's distinct words.
"""

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_FLOOR, Decimal
from typing import Any, NamedTuple, overload

from django.conf import settings
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVectorExact,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import (
    BooleanField,
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
from django.db.models.functions import Cast
from django.db.models.sql.where import WhereNode
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.models import (
    PRICE_BANDS,
    Category,
    PriceBand,
    Product,
    ProductVariant,
    SearchWord,
    price_bounds_condition,
)
from marketmate.currency import Rates, display_currency_codes, exchange_rate_find, price_convert
from marketmate.lookups import InArray, int_array
from shops.selectors import shop_queryset_public

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


# The facet keys (`Product.facet_categories`, `facet_tags`) of a product `p`: its categories'
# and tags' ids as a JSON array of text, in id order.
FACET_KEYS_SET_SQL = """
    facet_categories = (SELECT coalesce(jsonb_agg(pc.category_id::text ORDER BY pc.category_id),
                                        '[]') FROM catalog_product_categories pc
                         WHERE pc.product_id = p.id),
    facet_tags = (SELECT coalesce(jsonb_agg(pt.tag_id::text ORDER BY pt.tag_id), '[]')
                    FROM catalog_product_tags pt WHERE pt.product_id = p.id)
"""

# PostgreSQL keeps the facet keys itself: after every statement that adds, removes or changes
# category or tag links (a product's `categories.set()`, a category deleted with its links, raw
# SQL), one UPDATE recomputes the keys of the products it touched, in the same transaction.
# Statement triggers with transition tables: a statement linking 1,000 products updates them
# once each. Loads that turn triggers off (`session_replication_role = replica`) fill the keys
# themselves, as `bench/generate_catalog.py` does.
_FACET_KEYS_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION catalog_facet_keys_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE catalog_product p SET __SET__
         WHERE p.id IN (SELECT product_id FROM changed_links_new);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE catalog_product p SET __SET__
         WHERE p.id IN (SELECT product_id FROM changed_links_old);
    END IF;
    RETURN NULL;
END
$$
""".replace("__SET__", FACET_KEYS_SET_SQL)
_FACET_KEYS_LINK_TABLES = ("catalog_product_categories", "catalog_product_tags")
_FACET_KEYS_TRANSITIONS = {
    "INSERT": "NEW TABLE AS changed_links_new",
    "DELETE": "OLD TABLE AS changed_links_old",
    "UPDATE": "NEW TABLE AS changed_links_new OLD TABLE AS changed_links_old",
}


def facet_keys_triggers_create(cursor: Any) -> None:
    """Create (or replace) the triggers that keep the facet keys (migration 0013)."""
    cursor.execute(_FACET_KEYS_FUNCTION_SQL)
    for table in _FACET_KEYS_LINK_TABLES:
        for event, transition in _FACET_KEYS_TRANSITIONS.items():
            name = f"{table}_facet_keys_{event.lower()}"
            cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            cursor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition}"
                " FOR EACH STATEMENT EXECUTE FUNCTION catalog_facet_keys_refresh()"
            )


def facet_keys_triggers_drop(cursor: Any) -> None:
    for table in _FACET_KEYS_LINK_TABLES:
        for event in _FACET_KEYS_TRANSITIONS:
            cursor.execute(f"DROP TRIGGER IF EXISTS {table}_facet_keys_{event.lower()} ON {table}")
    cursor.execute("DROP FUNCTION IF EXISTS catalog_facet_keys_refresh()")


# The facet options (`Product.facet_options`) of a product `p`: the distinct name and value
# pairs of its variants' options, as a JSON array of two-item arrays, in order.
FACET_OPTIONS_SET_SQL = """
    facet_options = (SELECT coalesce(jsonb_agg(DISTINCT jsonb_build_array(pair.key, pair.value)
                                               ORDER BY jsonb_build_array(pair.key, pair.value)),
                                     '[]')
                       FROM catalog_productvariant v, jsonb_each_text(v.options) AS pair
                      WHERE v.product_id = p.id)
"""

# PostgreSQL keeps the facet options itself: a row trigger on the variants recomputes them when
# a variant with options is added or removed, or its options (or product) change, in the same
# transaction. Stock changes (every sale) change neither and fire nothing: the WHEN clauses are
# checked before any function runs, and no product row is locked. The services that change a
# variant lock its product first (`variant_create`, `variant_update`, `variant_delete`), so two
# edits of one product's variants recompute one after the other, each seeing the other's.
_FACET_OPTIONS_FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION catalog_facet_options_refresh() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE catalog_product p SET __SET__ WHERE p.id = NEW.product_id;
    END IF;
    IF TG_OP = 'DELETE' THEN
        UPDATE catalog_product p SET __SET__ WHERE p.id = OLD.product_id;
    ELSIF TG_OP = 'UPDATE' AND OLD.product_id <> NEW.product_id THEN
        UPDATE catalog_product p SET __SET__ WHERE p.id = OLD.product_id;
    END IF;
    RETURN NULL;
END
$$
""".replace("__SET__", FACET_OPTIONS_SET_SQL)
_FACET_OPTIONS_TRIGGERS = {
    "insert": "AFTER INSERT ON catalog_productvariant FOR EACH ROW"
    " WHEN (NEW.options <> '{}'::jsonb)",
    "delete": "AFTER DELETE ON catalog_productvariant FOR EACH ROW"
    " WHEN (OLD.options <> '{}'::jsonb)",
    "update": "AFTER UPDATE ON catalog_productvariant FOR EACH ROW"
    " WHEN (OLD.options IS DISTINCT FROM NEW.options OR OLD.product_id <> NEW.product_id)",
}


def facet_options_trigger_create(cursor: Any) -> None:
    """Create (or replace) the triggers that keep the facet options (migration 0017)."""
    cursor.execute(_FACET_OPTIONS_FUNCTION_SQL)
    for event, when in _FACET_OPTIONS_TRIGGERS.items():
        name = f"catalog_productvariant_facet_options_{event}"
        cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON catalog_productvariant")
        cursor.execute(
            f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION catalog_facet_options_refresh()"
        )


def facet_options_trigger_drop(cursor: Any) -> None:
    for event in _FACET_OPTIONS_TRIGGERS:
        cursor.execute(
            f"DROP TRIGGER IF EXISTS catalog_productvariant_facet_options_{event}"
            " ON catalog_productvariant"
        )
    cursor.execute("DROP FUNCTION IF EXISTS catalog_facet_options_refresh()")


def search_vector_update(*, product_ids: Iterable[int]) -> None:
    """Recompute the stored search vector of these products (call inside the write's
    transaction, after tags and categories are set)."""
    ids = sorted(set(product_ids))
    if not ids or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_VECTOR_SQL.replace("__WHERE__", "p.id = ANY(%s)"), [ids])
    search_words_add(where="p.id = ANY(%s)", params=[ids])


def _vector_update_where(where: str, params: list[Any]) -> int:
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_VECTOR_SQL.replace("__WHERE__", where), params)
        updated = cursor.rowcount
    search_words_add(where=where, params=params)
    return updated


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


# --- Ranking ----------------------------------------------------------------------------------

# A RUM index (https://github.com/postgrespro/rum, Debian's `postgresql-15-rum`) keeps each
# word's positions and weights in the index, so `ORDER BY search_vector <=> query LIMIT 24`
# returns the best matches without reading the vector of every match from the table (what
# `ts_rank` over a GIN match does). Created by migration 0009 where the extension can be had;
# without it the GIN path below serves the same queries (slower on broad words).
RANKED_INDEX = "catalog_product_search_rum"
_ranked_index_present: dict[str, bool] = {}


def ranked_index_create(cursor: Any) -> bool:
    """Create the `rum` extension and the ranked index when the server offers the extension;
    whether the index exists afterwards."""
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
    if cursor.fetchone() is None:
        return False
    cursor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    cursor.execute(
        f"CREATE INDEX IF NOT EXISTS {RANKED_INDEX}"
        " ON catalog_product USING rum (search_vector rum_tsvector_ops)"
    )
    return True


def ranked_index_available() -> bool:
    """Whether this database has the ranked (RUM) index (looked up once per process)."""
    if connection.vendor != "postgresql":
        return False
    name = str(connection.settings_dict.get("NAME"))
    if name not in _ranked_index_present:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_indexes WHERE tablename = 'catalog_product' AND indexname = %s",
                [RANKED_INDEX],
            )
            _ranked_index_present[name] = cursor.fetchone() is not None
    return _ranked_index_present[name]


def ranked_index_forget() -> None:
    """Look the ranked index up again on the next search (after creating or dropping it)."""
    _ranked_index_present.clear()


class RankDistance(Func):
    """`search_vector <=> query`: RUM's distance (1 / its rank), smaller is better."""

    template = "(%(expressions)s)"
    arg_joiner = " <=> "
    output_field = FloatField()


class MatchesRowByRow(Func):
    """`ts_match_vq(search_vector, query)`: the `@@` operator as a function, which no index
    serves: checked on the rows another condition found."""

    function = "ts_match_vq"
    output_field = BooleanField()


def _phrase_words(text: str) -> str:
    """For a query with quoted phrases, the same words unquoted (their matches include every
    match of the phrases), when that holds: not with OR or minus; '' otherwise."""
    if '"' not in text or "-" in text or re.search(r"\bor\b", text, re.IGNORECASE):
        return ""
    return text.replace('"', " ")


def products_search(*, products: QuerySet[Product], text: str) -> QuerySet[Product]:
    """`products` that match `text` (already cleaned), annotated for `products_order`: with the
    ranked index, `distance` (RUM's, smaller is better); without it, `rank` (relevance with a
    small boost for rating and recency). SQLite falls back to a title/description match."""
    if connection.vendor != "postgresql":
        return products.filter(Q(title__icontains=text) | Q(description__icontains=text)).annotate(
            rank=RawSQL("0", [], output_field=FloatField())
        )
    query = _tsquery(text)
    if ranked_index_available():
        words = _phrase_words(text)
        if words:
            # The ranked index checks a phrase's word positions slowly (100 ms for two words in
            # 5,000 products each, where the GIN index and a check of the rows found take 17):
            # it finds the products with all the words, their rows are checked for the phrase.
            by_words = _tsquery(words)
            return (
                products.filter(search_vector=by_words)
                .filter(MatchesRowByRow(F("search_vector"), query))
                .annotate(distance=RankDistance(F("search_vector"), by_words))
            )
        return products.filter(search_vector=query).annotate(
            distance=RankDistance(F("search_vector"), query)
        )
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


class CandidateDistance(Func):
    """RUM's distance computed row by row (`rum_ts_distance`, the function behind `<=>`): for a
    bounded set of rows, where the ranked index would rank every match of the query again."""

    function = "rum_ts_distance"
    output_field = FloatField()


def relevance_ordering(products: QuerySet[Product]) -> tuple[str, ...]:
    """The order by relevance of `products_search()`'s result (a keyset: unique and total)."""
    distance = products.query.annotations.get("distance")
    if isinstance(distance, CandidateDistance):
        return ("distance", "pk")  # sorted row by row: the id makes the order total
    if distance is not None:
        # The index returns the matches in this order: a second key (an id to break ties)
        # would make PostgreSQL sort every match instead. Ties keep the index's order, the same
        # from one request to the next while the matches do not change.
        return ("distance",)
    if "rank" in products.query.annotations:
        return ("-rank", "-created", "-id")
    return SORTS["newest"]  # not searched (a filter that matches nothing): nothing to rank


def sort_ordering(sort: str) -> tuple[str, ...]:
    """The fields a list sorted by `sort` (other than relevance) is ordered by."""
    return SORTS.get(sort) or SORTS["newest"]


def products_order(products: QuerySet[Product], *, sort: str, searching: bool) -> QuerySet[Product]:
    if sort == "relevance" and searching:
        return products.order_by(*relevance_ordering(products))
    return products.order_by(*sort_ordering(sort))


# --- Typo tolerance and completions ------------------------------------------------------------

# A word of the vocabulary, as `to_tsvector('simple')` splits the text: two letters or more, not
# only digits (nothing to correct or complete in those).
_WORD_KEPT = "length(word) BETWEEN 2 AND 100 AND word !~ '^[0-9]+$'"

# The words of the public catalog (titles, tag and category names).
_WORDS_SQL = """
INSERT INTO catalog_searchword (word, products)
SELECT word, count(*)
  FROM catalog_product p
  JOIN shops_shop s ON s.id = p.shop_id,
       unnest(tsvector_to_array(to_tsvector('simple', concat_ws(' ', p.title,
           (SELECT string_agg(t.name, ' ') FROM catalog_product_tags pt
              JOIN catalog_tag t ON t.id = pt.tag_id WHERE pt.product_id = p.id),
           (SELECT string_agg(c.name, ' ') FROM catalog_product_categories pc
              JOIN catalog_category c ON c.id = pc.category_id WHERE pc.product_id = p.id)
       )))) AS word
 WHERE p.status = 'active' AND s.status = 'active' AND (__WHERE__) AND __WORD_KEPT__
 GROUP BY word
ON CONFLICT (word) DO __CONFLICT__
""".replace("__WORD_KEPT__", _WORD_KEPT)
SEARCH_WORDS_REBUILD_SQL = _WORDS_SQL.replace("__WHERE__", "TRUE").replace(
    "__CONFLICT__", "UPDATE SET products = EXCLUDED.products"
)

# How many products a word keeps for autocomplete (twice what it shows: room for the ones that
# left the public catalog since, which the suggestions skip).
SUGGESTIONS_PER_WORD = 10

# The best rated public products of each title word among the products `__WHERE__` selects
# (`title_best`), by the order autocomplete shows them in.
_TITLE_BEST_SQL = """
title_words AS (
    SELECT word, p.id, p.rating_count, p.title
      FROM catalog_product p
      JOIN shops_shop s ON s.id = p.shop_id,
           unnest(tsvector_to_array(to_tsvector('simple', p.title))) AS word
     WHERE p.status = 'active' AND s.status = 'active' AND (__WHERE__) AND __WORD_KEPT__
),
title_best AS (
    SELECT word, id, rank FROM (
        SELECT word, id, row_number() OVER (
                   PARTITION BY word ORDER BY rating_count DESC, title, id) AS rank
          FROM title_words) ranked
     WHERE rank <= __PER_WORD__
)
""".replace("__WORD_KEPT__", _WORD_KEPT).replace("__PER_WORD__", str(SUGGESTIONS_PER_WORD))

# Every word's completions, recounted (the daily rebuild, migration 0014).
SEARCH_WORD_SUGGESTIONS_SQL = """
WITH __TITLE_BEST__
UPDATE catalog_searchword w SET suggestions = best.ids
  FROM (SELECT word, jsonb_agg(id ORDER BY rank) AS ids FROM title_best GROUP BY word) best
 WHERE best.word = w.word
""".replace("__TITLE_BEST__", _TITLE_BEST_SQL.replace("__WHERE__", "TRUE"))

# The completions of the words of the products `__WHERE__` selects, merged with what the words
# kept: a product saved joins its title words' completions at once when it ranks among their
# best; what left the public catalog is dropped by the next rebuild (and skipped until then).
# A word another transaction is merging into (a vendor's import, say) is skipped, not waited
# for: saving a product never waits on another shop's, and the daily recount adds what was
# skipped.
_SUGGESTIONS_MERGE_SQL = """
WITH __TITLE_BEST__,
free AS (SELECT word FROM catalog_searchword WHERE word IN (SELECT word FROM title_best)
         FOR UPDATE SKIP LOCKED)
UPDATE catalog_searchword w SET suggestions = (
    SELECT coalesce(jsonb_agg(p.id ORDER BY p.rating_count DESC, p.title, p.id), '[]')
      FROM (SELECT id, rating_count, title FROM catalog_product
             WHERE id IN (SELECT kept::bigint FROM jsonb_array_elements_text(w.suggestions) kept
                          UNION SELECT best.id FROM title_best best WHERE best.word = w.word)
             ORDER BY rating_count DESC, title, id LIMIT __PER_WORD__) p)
 WHERE w.word IN (SELECT word FROM free)
""".replace("__TITLE_BEST__", _TITLE_BEST_SQL).replace("__PER_WORD__", str(SUGGESTIONS_PER_WORD))


def search_words_add(*, where: str, params: list[Any]) -> None:
    """Add the words of the public products that `where` (over `p`, the product, and `s`, its
    shop) selects to the vocabulary (words already known keep their count), and these products
    to their title words' completions."""
    if connection.vendor != "postgresql":
        return
    sql = _WORDS_SQL.replace("__WHERE__", where).replace("__CONFLICT__", "NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute(_SUGGESTIONS_MERGE_SQL.replace("__WHERE__", where), params)


def search_words_rebuild() -> int:
    """Recount the whole vocabulary and its completions (words no product has any more are
    dropped); how many words."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalog_searchword")
        cursor.execute(SEARCH_WORDS_REBUILD_SQL)
        words = cursor.rowcount
        cursor.execute(SEARCH_WORD_SUGGESTIONS_SQL)
        return words


_WORD = re.compile(r"\w+")
# How alike (pg_trgm similarity, 0 to 1) a catalog word must be to replace a typed one.
CORRECTION_SIMILARITY = 0.3


def word_correct(word: str) -> str:
    """The catalog word closest to `word` (lower case), the more common first among equals;
    `word` itself when the catalog has it, '' when nothing is close enough."""
    word = word.lower()
    if SearchWord.objects.filter(word=word).exists():
        return word
    best = (
        SearchWord.objects.filter(word__trigram_similar=word)  # served by the trigram index
        .annotate(similarity=TrigramSimilarity("word", word))
        .filter(similarity__gte=CORRECTION_SIMILARITY)
        .order_by("-similarity", "-products", "word")
        .values_list("word", flat=True)
        .first()
    )
    return best or ""


def query_correct(text: str) -> str:
    """`text` with every word the catalog does not have replaced by the closest one it has
    (quotes, OR and minus kept); '' when there is nothing to correct or no word is close."""
    if connection.vendor != "postgresql":
        return ""
    replacements: dict[str, str] = {}
    for word in {word.lower() for word in _WORD.findall(text)}:
        if len(word) < 3 or word.isdigit() or word == "or":
            continue
        corrected = word_correct(word)
        if corrected and corrected != word:
            replacements[word] = corrected
    if not replacements:
        return ""
    return _WORD.sub(lambda match: replacements.get(match[0].lower(), match[0]), text)


def did_you_mean(*, products: QuerySet[Product], text: str) -> str:
    """The query corrected against the catalog's words when that finds public `products`,
    or ''."""
    corrected = query_correct(text)
    if not corrected:
        return ""
    if not products.filter(search_vector=_tsquery(corrected)).exists():
        return ""
    return corrected


# --- Facets ---------------------------------------------------------------------------------------


# Like a search engine's tracked total (Elasticsearch's track_total_hits), counting stops at
# MATCH_LIMIT: a broad query over a big catalog finds "more than 1,000" products, and its facets
# count the first MATCH_LIMIT matches (each count is then a lower bound, shown as "n+"). This
# bounds the work of every search, whatever the size of the catalog: reading a match's row costs
# about 0.1 ms cold, so 1,000 keep a search within its budget (docs/search.md).
MATCH_LIMIT = 1_000


# A query PostgreSQL expects to match more than BROAD_MATCHES products is "broad". Ranking by
# relevance costs about 0.4 µs a match in the ranked index however few are shown (20 ms for a
# word in 50,000 products, 60 ms in 136,000, 150 to 300 ms for an OR of two such words), while
# the most recently listed MATCH_LIMIT matches of a broad query are found by reading the table
# backwards by id, which is in the order rows were written: 1,000 matches of a word in 5% of the
# catalog in 20,000 rows, 10 ms, and fewer rows the broader it is. So a broad query ranks its
# MATCH_LIMIT most recent matches (its candidates) and counts its facets over the same ones, like
# a search engine's result window; a narrower one ranks every match (docs/search.md).
BROAD_MATCHES = 40_000


def matches_capped(products: QuerySet[Any], limit: int) -> QuerySet[Any]:
    """The ids of at most `limit` of `products`, in no particular order."""
    return products.order_by().values("pk")[:limit]


def count_capped(products: QuerySet[Any]) -> tuple[int, bool]:
    """`(count, capped)`: the number of `products` up to MATCH_LIMIT, and whether there are
    more (one more is counted to tell)."""
    counted = matches_capped(products, MATCH_LIMIT + 1).count()
    return min(counted, MATCH_LIMIT), counted > MATCH_LIMIT


def matches_estimate(products: QuerySet[Any]) -> int:
    """PostgreSQL's estimate of how many `products` there are: the planner's row count, from
    the statistics it keeps of the search vector's words and the other columns (nothing is
    read but the statistics)."""
    query = products.order_by().values("pk")
    sql, params = query.query.get_compiler(using=query.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _text_query(products: QuerySet[Any]) -> Any:
    """The text search query `products_search()` put on `products`, or None."""
    annotations = products.query.annotations
    ranking = annotations.get("distance") or annotations.get("text_rank")
    if ranking is None:
        return None
    return ranking.get_source_expressions()[1]


def text_matches_estimate(products: QuerySet[Any]) -> int | None:
    """How many products the text of `products` (searched: `products_search()`'s result) alone
    is expected to match; None without a text search on PostgreSQL. The text alone, not with
    the filters: the ranked index ranks every match of the text before the filters are checked
    (a common word in one price band still ranks 80,000 entries)."""
    query = _text_query(products)
    if connection.vendor != "postgresql" or query is None:
        return None
    return matches_estimate(Product.objects.filter(search_vector=query))


def query_is_broad(products: QuerySet[Any]) -> bool:
    """Whether `products` is a broad query: its text alone expected to match more than
    BROAD_MATCHES products."""
    return (text_matches_estimate(products) or 0) > BROAD_MATCHES


def candidate_ids(products: QuerySet[Any], limit: int) -> list[int]:
    """The ids of the `limit` most recently listed of `products` (the highest ids)."""
    return list(products.order_by("-pk").values_list("pk", flat=True)[:limit])


class Matches(NamedTuple):
    """The ids of at most MATCH_LIMIT matches, whether there are more, and how the relevance
    order ranks them: `broad`, its most recent matches are the candidates it ranks; `narrow`,
    every match is ranked row by row (RANK_ROW_BY_ROW) and the ids are the best, in the
    relevance order (`ProductsInOrder` reads a page of them); neither, the ranked index ranks.
    `listed`: the ids are the list's first, sorted by price or rating (`sorted_match_ids`).
    """

    ids: list[int]
    capped: bool
    broad: bool = False
    narrow: bool = False
    # The ids are the first MATCH_LIMIT in the list's order (price or rating): a page reads its
    # rows by id, and the facets count `facet_sample` (`sorted_match_ids`).
    listed: bool = False
    facet_sample: tuple[int, ...] = ()


def match_ids(
    products: QuerySet[Any],
    *,
    relevance: bool = True,
    sort: str = "",
    before_stock_filter: QuerySet[Any] | None = None,
) -> Matches:
    """The ids of at most MATCH_LIMIT of `products` (one query), and whether there are more.
    Counts and facets are computed from them, so the search runs once. Listed by `relevance`,
    a broad query's are its most recent matches (its candidates, see BROAD_MATCHES); any
    otherwise: a page sorted by price or date needs no candidates, and the first MATCH_LIMIT
    found end the scan where sorting by id would read every match (a broad word in a price
    band: 16,000 rows and their stock, 280 ms, against 60). A narrow query's are its best
    matches in the relevance order: ranking them all row by row is what its page costs anyway,
    and the page then reads its rows by id instead of reading every match a second time.
    Given the list's `sort` (the search page's, whose pages go through the first MATCH_LIMIT
    only), the ids of a query sorted by price or rating and expected to have few matches are
    its first in that order (`sorted_match_ids`); for a list filtered by stock, give the
    products `before_stock_filter` too, whose matches are sorted before their stock is checked."""
    listed = (
        sorted_match_ids(products, sort, before_stock_filter=before_stock_filter) if sort else None
    )
    if listed is not None:
        return listed
    estimate = text_matches_estimate(products) if relevance else None
    broad = estimate is not None and estimate > BROAD_MATCHES
    narrow = estimate is not None and not broad and estimate <= RANK_ROW_BY_ROW
    if broad:
        found = candidate_ids(products, MATCH_LIMIT + 1)
    elif narrow:
        ranked = products_ranked_row_by_row(products)
        ordered = ranked.order_by(*relevance_ordering(ranked))
        found = list(ordered.values_list("pk", flat=True)[: MATCH_LIMIT + 1])
    else:
        # Sorted otherwise than by relevance, through a GIN index (the whole catalog's or a
        # price band's): asked for rows in no order, the ranked index reads every match's
        # positions before the first ("suede or personalised", 170,000 matches: 44 ms, GIN 7;
        # over the benchmark's 135 such statements 465 ms -> 324, none slower by 3 ms). By
        # relevance, the ranked index's bitmap is as quick (347 ms against 376 over 82).
        unordered = products if relevance else products_matched_by_gin(products)
        found = [row["pk"] for row in matches_capped(unordered, MATCH_LIMIT + 1)]
    return Matches(found[:MATCH_LIMIT], len(found) > MATCH_LIMIT, broad, narrow)


# A list sorted by price or rating whose matches PostgreSQL expects to be at most SORTED_MATCHES
# is sorted from its matches, read once. Otherwise the page reads the sort's index in order and
# checks each row until it has a page: about 24 x (catalog / matches) rows in random places,
# quick when many rows match and slow when few do ("jigsaw or gift" in one category by price read
# 17,900 rows for 24, 60 ms warm and 130 cold, where its 5,500 rows in the category are read in
# 24). The planner picks that walk itself (it expects a row read in index order to cost a
# fraction of one read from a bitmap), so the sort is kept out of its reach (below). Not for the
# newest first: rows are written in that order, so that index's walk reads neighbouring rows.
# The estimate is often twice the matches (a query in two configurations, `'support' | 'support'`,
# is estimated as two): 8,000 reads about 4,000 rows, where the walk would read 6,000 and more
# ("support" in one price band by rating, 2,650 matches: 9,600 rows read in index order, 80 ms
# cold; 2,800 from the band's index, 20). A list filtered by stock is sorted before the stock is
# checked (a probe into the variants' index per match), in the list's order, until the limit:
# checking every match's stock first made it slower than the walk ("cycling" in stock by price,
# 4,900 matches: 150 ms of database work cold against 115 to 135); checked in order, "yo" in stock
# in one price band by price, 3,500 matches, takes 61 ms of database work cold against the
# walk's 102 to 113.
SORTED_MATCHES = 8_000
SORTS_FROM_MATCHES = ("price_asc", "price_desc", "rating")


def _in_stock_sql(row: str, id_column: str) -> str:
    """Whether the product of the row `row` (its id in `id_column`) can be bought now:
    `selectors.products_in_stock` in SQL, for the statements written here."""
    return (
        f"(NOT {row}.track_inventory OR EXISTS (SELECT 1 FROM catalog_productvariant v"  # noqa: S608 (names from this module)
        f" WHERE v.product_id = {row}.{id_column} AND v.inventory_count > 0))"
    )


def sorted_match_ids(
    products: QuerySet[Any], sort: str, *, before_stock_filter: QuerySet[Any] | None = None
) -> Matches | None:
    """The ids of the first MATCH_LIMIT of `products` (searched) sorted by `sort` (one more is
    read, to tell), and the first FACET_SAMPLE found for the facets, from one statement that
    finds every match through a GIN index and sorts them; None (nothing read) on SQLite, without
    a text query, for another sort, or when PostgreSQL expects more than SORTED_MATCHES
    matches. The matches are a materialized common table expression, which PostgreSQL plans on
    its own: the sort cannot turn it into a walk along the sort's index. The facets count the
    matches found first, as the other paths do, not the first in price or rating.

    For a list filtered by stock, `before_stock_filter` is `products` without that filter: its
    matches are sorted, then their stock is checked in the list's order until MATCH_LIMIT + 1
    are found (and FACET_SAMPLE for the facets), instead of checking every match's stock."""
    if (
        sort not in SORTS_FROM_MATCHES
        or connection.vendor != "postgresql"
        or _text_query(products) is None
    ):
        return None
    found = products_matched_by_gin(
        products if before_stock_filter is None else before_stock_filter
    ).order_by()
    if matches_estimate(found) > SORTED_MATCHES:
        return None
    ordering = sort_ordering(sort)
    columns = [name.lstrip("-") for name in ordering]
    selected = ["pk", *(column for column in columns if column != "id"), "track_inventory"]
    keys = ", ".join(
        f"{connection.ops.quote_name('pk' if column == 'id' else column)}"
        f" {'DESC' if name.startswith('-') else 'ASC'}"
        for name, column in zip(ordering, columns, strict=True)
    )
    stocked = _in_stock_sql("listed", "pk") if before_stock_filter is not None else "TRUE"
    sql, params = found.values_list(*selected).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            # The sorted matches are a subquery with an OFFSET, which PostgreSQL does not merge
            # into the statement: the stock is checked on the sorted rows, until the limit.
            f"WITH matched AS MATERIALIZED ({sql})"  # noqa: S608 (the ORM's SQL, field names)
            f" (SELECT pk, true FROM (SELECT * FROM matched ORDER BY {keys} OFFSET 0) listed"
            f"   WHERE {stocked} LIMIT {MATCH_LIMIT + 1})"
            f" UNION ALL (SELECT pk, false FROM matched listed WHERE {stocked}"
            f"   LIMIT {min(FACET_SAMPLE, MATCH_LIMIT)})",
            params,
        )
        rows = cursor.fetchall()
    listed = [pk for pk, in_list in rows if in_list]
    sample = [pk for pk, in_list in rows if not in_list]
    return Matches(
        listed[:MATCH_LIMIT], len(listed) > MATCH_LIMIT, listed=True, facet_sample=tuple(sample)
    )


def products_ranked_within(products: QuerySet[Product], ids: list[int]) -> QuerySet[Product]:
    """`products` limited to `ids`, their relevance computed row by row (with the ranked index,
    `relevance_ordering` then sorts by it and the id), not by the index, which would rank every
    match of the query again to find these."""
    within = products.filter(InArray(F("pk"), ids))
    distance = within.query.annotations.get("distance")
    if distance is not None:
        within = within.annotate(distance=CandidateDistance(*distance.get_source_expressions()))
    return within


# A query whose text is expected to match at most this many products is ranked row by row over
# its matches, found through the GIN index, instead of by the ranked index: the ranked index
# reads every match's word positions from its posting lists, slowly when the query combines
# words ("vintage seeds", 1,300 matches: 33 ms, row by row 6; "lamps gift", 7,500: 47 and 25),
# and quickly for one word, whose posting list it reads in rank order ("kits", 24,000: 17 ms,
# row by row 83). The estimate is the planner's (`text_matches_estimate`).
RANK_ROW_BY_ROW = 8_000


class MatchesByGin(SearchVectorExact):
    """`search_vector @@@ query`: the same match as `@@`, by an operator only the GIN index
    serves (the ranked index serves `@@` too, and would be planned for a match it reads more
    slowly: above)."""

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} @@@ {rhs}", (*lhs_params, *rhs_params)


def _matched_by_gin(node: WhereNode) -> None:
    for index, child in enumerate(node.children):
        if type(child) is SearchVectorExact:
            node.children[index] = MatchesByGin(child.lhs, child.rhs)
        elif isinstance(child, WhereNode):
            _matched_by_gin(child)


def products_matched_by_gin(products: QuerySet[Any]) -> QuerySet[Any]:
    """`products` (searched) found through a GIN index (`@@@`, which the ranked index does not
    serve)."""
    found = products.all()
    _matched_by_gin(found.query.where)  # the clone's own condition tree
    return found


def products_ranked_row_by_row(products: QuerySet[Product]) -> QuerySet[Product]:
    """`products` (searched, with the ranked index) found through the GIN index, each match's
    relevance computed from its row; `relevance_ordering` sorts by it and the id."""
    distance = products.query.annotations.get("distance")
    if distance is None or isinstance(distance, CandidateDistance):
        return products
    ranked = products.annotate(distance=CandidateDistance(*distance.get_source_expressions()))
    _matched_by_gin(ranked.query.where)  # the clone's own condition tree
    return ranked


def products_narrowed(products: QuerySet[Product], matches: Matches) -> QuerySet[Product]:
    """`products` limited to the ids of `matches` when those are all of them (not capped), so
    that sorting a few hundred matches by price or date reads those rows only: an index on the
    sort column, read in order and checked against the query row by row, is quick only when
    most rows match, and would read the whole catalog for a query that matches little. A broad
    query's matches read for the relevance order (`match_ids`) are its candidates, and a
    narrow one's its best: either is ranked among themselves (see BROAD_MATCHES)."""
    if matches.broad or matches.narrow:
        return products_ranked_within(products, matches.ids)
    if matches.capped:
        return products
    return products.filter(InArray(F("pk"), matches.ids))


class ProductsInOrder(Sequence[Product]):
    """`products` (unordered) with the ids `ids`, in their order, as a paginator's list: a page
    reads its rows by id (a narrow query's best matches, already ranked: `match_ids`). A product
    gone from `products` since the ids were read is left out of its page."""

    def __init__(self, products: QuerySet[Product], ids: list[int]) -> None:
        self.products = products
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Product: ...

    @overload
    def __getitem__(self, index: slice) -> list[Product]: ...

    def __getitem__(self, index: int | slice) -> Product | list[Product]:
        if isinstance(index, int):
            return self[index : index + 1 or None][0]
        wanted = self.ids[index]
        if not wanted:  # a query that found nothing (a typo, before its retry) reads no row
            return []
        found = {product.pk: product for product in self.products.filter(InArray(F("pk"), wanted))}
        return [found[pk] for pk in wanted if pk in found]


def products_relevant(products: QuerySet[Product]) -> QuerySet[Product]:
    """`products` (searched) to list by relevance: a broad query's MATCH_LIMIT candidates, ranked
    among themselves; every match of a narrow one ranked row by row (RANK_ROW_BY_ROW); every
    match in the ranked index's order otherwise."""
    estimate = text_matches_estimate(products)
    if estimate is None:
        return products
    if estimate > BROAD_MATCHES:
        return products_ranked_within(products, candidate_ids(products, MATCH_LIMIT))
    if estimate <= RANK_ROW_BY_ROW:
        return products_ranked_row_by_row(products)
    return products


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
    # The currencies the matched products are priced in (sorted): the price bands compare each
    # product's own price, so they name a currency only when there is one.
    currencies: list[str] = field(default_factory=list)
    # The display currency the bands' bounds are in (`price_bands_in`), compared with each
    # product's approximate price in it; "" when they compare each product's own price.
    band_currency: str = ""

    def copy(self) -> "Facets":
        """A copy whose items can be given links and labels (`copy.deepcopy` does the same
        walking every value: a millisecond of a cold search page)."""
        return replace(
            self,
            categories=[dict(item) for item in self.categories],
            shops=[dict(item) for item in self.shops],
            tags=[dict(item) for item in self.tags],
            price_bands=[dict(band) for band in self.price_bands],
            options=[
                {**option, "values": [dict(item) for item in option["values"]]}
                for option in self.options
            ],
            currencies=list(self.currencies),
        )

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
# When a query has more than MATCH_LIMIT matches its facet counts are lower bounds anyway ("n+"):
# they are counted over its first FACET_SAMPLE matches (the most recent of a broad query), which
# halves the work of the searches that cost most; up to MATCH_LIMIT matches every one counts.
FACET_SAMPLE = 500


def facets_count(
    *,
    products: QuerySet[Product],
    matches: Matches | None = None,
    bands: "ConvertedBands | None" = None,
) -> Facets:
    """Counts of `products` (already searched and filtered) per category, shop, tag, price band,
    in stock and variant option, over the ids of at most MATCH_LIMIT products (`matches`, from
    `match_ids()`, read here when not given): on PostgreSQL one statement that reads each
    matched product once (with its categories, tags and variant options: its facet keys) and
    probes the variants' in-stock index for its stock, never a join over every match."""
    found = matches if matches is not None else match_ids(products)
    ids, capped = found.ids, found.capped
    if not ids:
        return Facets(capped=capped)
    if capped:
        ids = list(found.facet_sample) or ids[:FACET_SAMPLE]
    if connection.vendor == "postgresql":
        return _facets_count_in_one_pass(ids, capped=capped, bands=bands)
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
    for key, _low, _high in PRICE_BANDS:
        condition = price_band_condition(key, bands=bands) or Q()
        band_counts[key.replace("-", "_") or "all"] = Count("pk", filter=condition)
    stocked = Q(track_inventory=False) | Q(
        Exists(ProductVariant.objects.filter(product=OuterRef("pk"), inventory_count__gt=0))
    )
    totals = matched.aggregate(**band_counts, in_stock=Count("pk", filter=stocked))
    currencies = sorted(set(matched.values_list("currency", flat=True)))
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
        currencies=currencies,
        band_currency=_band_currency(bands, currencies),
    )


def _price_band_case(bands: "ConvertedBands | None" = None) -> tuple[str, list[Any]]:
    whens: list[str] = []
    params: list[Any] = []
    per_currency: list[tuple[str | None, list[PriceBand]]] = (
        [(None, PRICE_BANDS)] if bands is None else list(bands.per_currency.items())
    )
    for currency, currency_bands in per_currency:
        for key, low, high in currency_bands:
            conditions: list[str] = []
            if currency is not None:
                conditions.append("currency = %s")
                params.append(currency)
            if low is not None:
                conditions.append("price >= %s")
                params.append(low)
            if high is not None:
                conditions.append("price < %s")
                params.append(high)
            whens.append(f"WHEN {' AND '.join(conditions) or 'TRUE'} THEN %s")
            params.append(key)
    if bands is not None:
        # Currencies without a rate to the display currency: their own prices (see ConvertedBands).
        for key, low, high in PRICE_BANDS:
            conditions = ["NOT (currency = ANY(%s))"]
            params.append(list(bands.per_currency))
            if low is not None:
                conditions.append("price >= %s")
                params.append(low)
            if high is not None:
                conditions.append("price < %s")
                params.append(high)
            whens.append(f"WHEN {' AND '.join(conditions)} THEN %s")
            params.append(key)
    return f"CASE {' '.join(whens)} END", params


# Every facet of a set of product ids, as (kind, key, label, count) rows. Only constants and
# placeholders are put in the text.
_FACETS_SQL = """
WITH matched AS (
    SELECT p.id, p.shop_id, p.price, p.currency, p.track_inventory,
           coalesce(p.facet_categories, '[]') AS categories, coalesce(p.facet_tags, '[]') AS tags,
           coalesce(p.facet_options, '[]') AS options
      FROM catalog_product p
     WHERE p.id = ANY(%(ids)s::bigint[])
)
SELECT 'category', c.slug, __CATEGORY_NAME__, count(*)
  FROM matched m, jsonb_array_elements_text(m.categories) AS key
  JOIN catalog_category c ON c.id = key::bigint
 GROUP BY c.slug, 3
UNION ALL
SELECT 'tag', t.slug, t.name, count(*)
  FROM matched m, jsonb_array_elements_text(m.tags) AS key
  JOIN catalog_tag t ON t.id = key::bigint
 GROUP BY t.slug, t.name
UNION ALL
SELECT 'shop', s.slug, s.name, count(*)
  FROM matched m JOIN shops_shop s ON s.id = m.shop_id
 GROUP BY s.slug, s.name
UNION ALL
SELECT 'price', band, '', count(*) FROM (SELECT __BAND__ AS band FROM matched) bands
 WHERE band IS NOT NULL GROUP BY band
UNION ALL
SELECT 'currency', m.currency, '', count(*) FROM matched m GROUP BY m.currency
UNION ALL
SELECT 'stock', '', '', count(*) FROM matched m WHERE __IN_STOCK__
UNION ALL
SELECT 'option', pair ->> 0, pair ->> 1, count(*)
  FROM matched m, jsonb_array_elements(m.options) AS pair
 GROUP BY 2, 3
""".replace("__IN_STOCK__", _in_stock_sql("m", "id"))


def _category_name_column() -> str:
    """The category's name in the active language (modeltranslation keeps one column per
    language), falling back to English: a column of the site's own languages only."""
    codes = {code for code, _label in settings.LANGUAGES}
    code = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    if code not in codes:
        code = settings.LANGUAGE_CODE
    return f"COALESCE(NULLIF(c.name_{code}, ''), c.name_en, c.name)"


def _facets_count_in_one_pass(
    ids: list[int], *, capped: bool, bands: "ConvertedBands | None" = None
) -> Facets:
    band_sql, band_params = _price_band_case(bands)
    names = {f"band_{index}": value for index, value in enumerate(band_params)}
    band_sql = band_sql.replace("%s", "{}").format(*(f"%({name})s" for name in names))
    with connection.cursor() as cursor:
        sql = _FACETS_SQL.replace("__BAND__", band_sql)
        sql = sql.replace("__CATEGORY_NAME__", _category_name_column())
        cursor.execute(sql, {"ids": int_array(ids), **names})
        rows = cursor.fetchall()
    found: dict[str, list[dict[str, Any]]] = {}
    by_option: dict[str, list[dict[str, Any]]] = {}
    in_stock = 0
    for kind, key, label, count in rows:
        if kind == "stock":
            in_stock = count
        elif kind == "option":
            by_option.setdefault(str(key), []).append({"value": str(label), "count": count})
        else:
            found.setdefault(kind, []).append({"slug": key, "name": label, "count": count})

    def top(kind: str) -> list[dict[str, Any]]:
        items = found.get(kind, [])
        return sorted(items, key=lambda item: (-item["count"], item["name"]))[:FACET_LIMIT]

    band_counts = {item["slug"]: item["count"] for item in found.get("price", [])}
    currencies = sorted(str(item["slug"]) for item in found.get("currency", []))
    return Facets(
        categories=top("category"),
        shops=top("shop"),
        tags=top("tag"),
        price_bands=[
            {"key": key, "min": low, "max": high, "count": band_counts[key]}
            for key, low, high in PRICE_BANDS
            if band_counts.get(key)
        ],
        in_stock=in_stock,
        options=_options_ranked(by_option),
        capped=capped,
        currencies=currencies,
        band_currency=_band_currency(bands, currencies),
    )


# Variant options (`ProductVariant.options`, e.g. {"size": "M", "colour": "Red"}) as facets.
OPTION_NAMES_LIMIT = 4
OPTION_VALUES_LIMIT = 12
OPTIONS_PER_FILTER = 5


def option_facets_count(*, product_ids: list[int]) -> list[dict[str, Any]]:
    """Per option name (the most common first), its values with the number of `product_ids`
    that have a variant with that value: one query."""
    if not product_ids:
        return []
    ids_sql, ids_params = ", ".join(["%s"] * len(product_ids)), list(product_ids)
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
    return _options_ranked(by_name)


def _options_ranked(by_name: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The most common option names first, each with its most common values first."""
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


@dataclass(frozen=True)
class ConvertedBands:
    """PRICE_BANDS read in a shopper's display currency: for every currency with a rate to it,
    each band's bounds as prices in that currency, so that a product is in the band exactly
    when its approximate price (`marketmate.currency.price_convert`, what the cards show after
    "≈") is. Products in a currency without a rate keep their own price (they show no
    approximate price either)."""

    currency: str
    per_currency: dict[str, list[PriceBand]]


def price_bound_in(*, bound: Decimal, currency: str, display: str, rates: Rates) -> Decimal:
    """The smallest price in `currency` (to the cent) whose approximate price in `display`
    (`price_convert`, as the cards show it) is `bound` or more."""
    rate = exchange_rate_find(base=currency, quote=display, rates=rates)
    assert rate is not None and rate > 0

    def shown(price: Decimal) -> Decimal:
        converted = price_convert(amount=price, base=currency, quote=display, rates=rates)
        assert converted is not None
        return converted

    cent = Decimal("0.01")
    price = ((bound - cent / 2) / rate).quantize(cent, rounding=ROUND_FLOOR)
    while price > 0 and shown(price - cent) >= bound:
        price -= cent
    while shown(price) < bound:
        price += cent
    return price


def price_bands_in(*, display: str, rates: Rates) -> ConvertedBands:
    """PRICE_BANDS as bounds in `display` (see ConvertedBands), for `display` itself and every
    currency a shopper may pick or a rate names that converts to it."""
    currencies = {display, *display_currency_codes()}
    currencies |= {code for pair in rates for code in pair}
    per_currency: dict[str, list[PriceBand]] = {}
    for currency in sorted(currencies):
        rate = exchange_rate_find(base=currency, quote=display, rates=rates)
        if rate is None or rate <= 0:
            continue

        def bound_in(bound: Decimal, currency: str = currency) -> Decimal:
            return price_bound_in(bound=bound, currency=currency, display=display, rates=rates)

        per_currency[currency] = [
            (
                key,
                None if low is None else bound_in(low),
                None if high is None else bound_in(high),
            )
            for key, low, high in PRICE_BANDS
        ]
    return ConvertedBands(currency=display, per_currency=per_currency)


def price_band_condition(key: str, *, bands: ConvertedBands | None = None) -> Q | None:
    """The products in the price band `key`: by their own price, or with `bands` by their
    approximate price in the display currency. None for a band that does not exist."""
    own = price_band(key)
    if own is None:
        return None
    if bands is None:
        return price_bounds_condition(*own)
    condition = Q(price_bounds_condition(*own), ~Q(currency__in=list(bands.per_currency)))
    for currency, currency_bands in bands.per_currency.items():
        low, high = next((lo, hi) for band_key, lo, hi in currency_bands if band_key == key)
        condition |= Q(price_bounds_condition(low, high), currency=currency)
    return condition


def _band_currency(bands: ConvertedBands | None, currencies: list[str]) -> str:
    """The display currency the bands are named in: only when every matched product's price
    converts to it (otherwise the bands are named as the products' own prices are), and some
    is in another currency (in its own, the bands are the products' own prices anyway)."""
    if bands is None or not set(currencies) <= set(bands.per_currency):
        return ""
    if set(currencies) <= {bands.currency}:
        return ""
    return bands.currency


# --- Suggestions ------------------------------------------------------------------------------

SUGGEST_LIMIT = 5
# Titles starting with the text: the best rated of at most SUGGEST_SCOPE of them (read from an
# index, in no particular order): a two-letter prefix over a million products stays cheap.
SUGGEST_SCOPE = 200
# Titles with a word starting with the text: the completions (`SearchWord.suggestions`) of the
# COMPLETED_WORDS most common words it starts.
COMPLETED_WORDS = 10
# One word as the vocabulary keeps it: letters and digits, not only digits.
_ONE_WORD = re.compile(r"[^\W_]*[^\W\d_][^\W_]*")
_TITLE_WORD = re.compile(r"[^\W_]+")


def _suggest_best(candidates: QuerySet[Product], *, exclude: list[int]) -> list[dict[str, Any]]:
    # One statement: the candidates' ids are a subquery (its LIMIT keeps it apart, found first).
    best: list[dict[str, Any]] = list(
        Product.objects.filter(pk__in=candidates.values("pk")[:SUGGEST_SCOPE])
        .exclude(pk__in=exclude)
        .order_by("-rating_count", "title", "pk")
        .values("pk", "slug", "title")[:SUGGEST_LIMIT]  # type: ignore[arg-type]
    )
    return best


def _suggest_completing(
    products: QuerySet[Product], word: str, *, exclude: list[int]
) -> list[dict[str, Any]]:
    """The best rated of `products` with a title word starting with `word` (lower case), from
    the completions of the catalog's words that start with it: a handful of rows read by id,
    where searching the titles read the trigram index's entries of every title with a word
    starting with the same letter (20 to 30 ms at a million products)."""
    ids: dict[int, None] = {}
    for suggestions in (
        SearchWord.objects.filter(word__startswith=word)
        .order_by("-products", "word")
        .values_list("suggestions", flat=True)[:COMPLETED_WORDS]
    ):
        ids.update(dict.fromkeys(suggestions or ()))
    if not ids:
        return []  # no word starts with it: a typo, corrected next
    rows = (
        products.filter(InArray(F("pk"), list(ids)))
        .exclude(pk__in=exclude)
        .order_by("-rating_count", "title", "pk")
        .values("pk", "slug", "title")
    )
    # A product whose title changed since keeps its old words' completions until the daily
    # recount: only the titles that still have such a word are suggested.
    return [
        dict(row)
        for row in rows
        if any(found.startswith(word) for found in _TITLE_WORD.findall(row["title"].lower()))
    ][:SUGGEST_LIMIT]


def _suggest_products(products: QuerySet[Product], text: str) -> list[dict[str, Any]]:
    # Any SUGGEST_SCOPE of the titles starting with the text, not the first in title order: the
    # prefix index's order is not the collation's, and ordering would read every match (a
    # two-letter prefix starts 30,000 titles of the benchmark's catalog).
    found = _suggest_best(products.filter(title__istartswith=text).order_by(), exclude=[])
    if len(found) >= SUGGEST_LIMIT:
        return found
    exclude = [item["pk"] for item in found]
    if connection.vendor == "postgresql" and _ONE_WORD.fullmatch(text):
        more = _suggest_completing(products, text.lower(), exclude=exclude)
    else:
        # Several words, or the embedded SQLite database (which keeps no vocabulary).
        more = _suggest_best(
            products.filter(title__icontains=f" {text}").order_by(), exclude=exclude
        )
    return found + more[: SUGGEST_LIMIT - len(found)]


def search_suggest(*, products: QuerySet[Product], text: str) -> dict[str, list[dict[str, Any]]]:
    """Products, categories and shops whose names start with or resemble `text` (autocomplete):
    titles starting with the text first, then titles with a word starting with it; when that
    finds nothing (a typo), the same for the text corrected against the catalog's words."""

    found = _suggest_products(products, text)
    if not found:
        corrected = query_correct(text)
        if corrected:
            found = _suggest_products(products, corrected)
    # In the shopper's language (modeltranslation reads `name` as that language's column) or in
    # English, which every category has: a Spanish shopper typing "Textiles" still finds it.
    categories: list[dict[str, Any]] = [
        {"slug": category.slug, "name": category.name}
        for category in Category.objects.filter(
            Q(name__icontains=text) | Q(name_en__icontains=text)
        ).order_by("name_en")[:SUGGEST_LIMIT]
    ]
    shops = [
        {"slug": slug, "name": name}
        for slug, name in shop_queryset_public()
        .filter(name__icontains=text)
        .order_by("name")
        .values_list("slug", "name")[:SUGGEST_LIMIT]
    ]
    return {"products": found, "categories": categories, "shops": shops}
