"""Search at catalog scale: relevance in the API with stable pagination, typo tolerance from the
catalog's words, facet counts from the bounded match set, maintained category counts, the
fallback without the ranked index and stale-while-revalidate in the storefront cache."""

from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog import search
from catalog.models import (
    PRICE_BANDS,
    Category,
    CategoryListing,
    CategoryProductCount,
    Product,
    SearchWord,
    price_band_index_name,
)
from catalog.services.category_counts import category_counts_refresh
from catalog.services.products import product_create, product_update
from catalog.storefront_cache import (
    cached,
    catalog_changed,
    catalog_versions,
    computing_key,
    entry_key,
)
from catalog.tasks import search_words_rebuild_task
from catalog.views.storefront import SearchParams, search_products
from shops.models import Shop

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog_shops")]


def _api_titles(client: APIClient, **params: str) -> list[str]:
    response = client.get("/api/v1/products", params)
    assert response.status_code == 200
    return [item["title"] for item in response.json()["results"]]


def _api_pages(client: APIClient, **params: str) -> list[dict[str, Any]]:
    """Every page of a product list, one product a page, following `next` to the end."""
    pages: list[dict[str, Any]] = []
    response = client.get("/api/v1/products", {**params, "page_size": "1"})
    while True:
        pages.append(response.json())
        if not pages[-1]["next"]:
            return pages
        response = client.get(pages[-1]["next"])


def _titles(pages: list[dict[str, Any]]) -> list[str]:
    return [item["title"] for page in pages for item in page["results"]]


def test_the_api_orders_a_search_by_relevance_by_default(
    api_client: APIClient, search_index: str
) -> None:
    # Titles (A) before descriptions (C), whatever the products' age.
    titles = _api_titles(api_client, q="wool")

    assert set(titles[:2]) == {"Wool socks", "Merino wool scarf"}
    assert set(titles[2:]) == {"Knitting needles", "Striped scarf"}
    assert _api_titles(api_client, q="knitting") == ["Knitting needles", "Merino wool scarf"]


def test_the_api_keeps_the_other_sorts_and_newest_without_a_query(
    api_client: APIClient, search_index: str
) -> None:
    assert _api_titles(api_client, q="wool", sort="price_asc") == [
        "Knitting needles",
        "Wool socks",
        "Striped scarf",
        "Merino wool scarf",
    ]
    newest = list(
        Product.objects.filter(status=Product.Status.ACTIVE)
        .order_by("-created", "-id")
        .values_list("title", flat=True)
    )
    assert _api_titles(api_client) == newest
    assert _api_titles(api_client, sort="relevance") == newest  # nothing to be relevant to


def test_relevance_pages_go_through_every_match_once(
    api_client: APIClient, search_index: str
) -> None:
    one_page = _api_titles(api_client, q="wool")
    seen = _titles(_api_pages(api_client, q="wool"))

    assert seen == one_page
    assert len(seen) == 4


def test_a_broad_query_ranks_its_most_recent_matches_and_counts_them(
    client: Client, api_client: APIClient, search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every query is broad here, and its candidates are its 2 most recent matches: the socks
    # (wool in the title) and the needles (in the description), ranked among themselves.
    assert search.matches_estimate(search_products(SearchParams(text="wool"))) >= 1
    monkeypatch.setattr(search, "BROAD_MATCHES", 0)
    monkeypatch.setattr(search, "MATCH_LIMIT", 2)

    assert _api_titles(api_client, q="wool") == ["Wool socks", "Knitting needles"]
    seen = _titles(_api_pages(api_client, q="wool"))
    assert seen == ["Wool socks", "Knitting needles"]
    page = client.get("/search/", {"q": "wool"}).context["page"]
    assert [product.title for product in page.object_list] == seen
    assert (page.paginator.count, page.paginator.capped) == (2, True)
    facets = search.facets_count(products=search_products(SearchParams(text="wool")))
    assert [(shop["name"], shop["count"]) for shop in facets.shops] == [("Wool Barn", 2)]
    # The other orders still read every match.
    assert _api_titles(api_client, q="wool", sort="price_asc")[0] == "Knitting needles"
    assert len(_api_titles(api_client, q="wool", sort="price_asc")) == 4


def _pages_1_and_2(client: Client, **params: str) -> list[tuple[Any, list[str]]]:
    """Pages 1 and 2 of a search: each page's context and the SQL of its statements."""
    pages = []
    for number in ("1", "2"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/", {**params, "page": number})
        pages.append((response.context, [query["sql"] for query in queries]))
    return pages


def _sorted_titles(params: SearchParams, sort: str) -> list[str]:
    """The titles of a search's every match sorted by `sort` in one query, as the sort's index
    lists them."""
    products = search.products_order(search_products(params), sort=sort, searching=True)
    return [product.title for product in products]


def _by_distance_then_id(by_index: list[str]) -> list[str]:
    """The ranked index's order of "wool" (`by_index`, the API's pages through it) with its ties
    broken by id, as ranking row by row breaks them: the index returns equally relevant matches
    in its own order (here: two products with the word in their description only), which
    depends on where their rows were written."""
    query = search_products(SearchParams(text="wool"))
    distance = query.query.annotations["distance"]
    ranked = list(
        query.annotate(row_distance=search.CandidateDistance(*distance.get_source_expressions()))
        .order_by("row_distance", "pk")
        .values_list("title", "row_distance")
    )
    # The same relevance, match by match: only the ties' order may differ.
    distances = dict(ranked)
    assert [distances[title] for title in by_index] == [row[1] for row in ranked]
    return [title for title, _distance in ranked]


# With the ranked index only: without it every query is ranked row by row already (`ts_rank`).
@pytest.mark.parametrize("search_index", ["ranked_index"], indirect=True)
def test_a_narrow_query_is_ranked_row_by_row_in_the_ranked_indexs_order(
    api_client: APIClient, client: Client, search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "MATCH_LIMIT", 2)  # "wool" matches 4: more than a page's count
    monkeypatch.setattr(search, "RANK_ROW_BY_ROW", 0)
    by_index = _by_distance_then_id(_titles(_api_pages(api_client, q="wool")))
    monkeypatch.setattr(search, "RANK_ROW_BY_ROW", 10**6)
    cache.clear()  # nothing computed with the other threshold is served

    with CaptureQueriesContext(connection) as queries:
        page = client.get("/search/", {"q": "wool"}).context["page"]
    ranked = [
        query["sql"] for query in queries.captured_queries if "rum_ts_distance" in query["sql"]
    ]

    # The same relevance (RUM's distance), computed from the rows the GIN index finds (`@@@`,
    # an operator the ranked index does not serve), page after page in the API too.
    assert ranked and all(" @@@ " in sql and " <=> " not in sql for sql in ranked)
    assert len(by_index) == 4
    assert [product.title for product in page.object_list] == by_index[:2]  # counted to 2
    assert _titles(_api_pages(api_client, q="wool")) == by_index


@pytest.mark.parametrize("search_index", ["ranked_index"], indirect=True)
def test_a_narrow_querys_pages_read_its_ranked_best_matches_by_id(
    api_client: APIClient, client: Client, search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its best 3 matches are ranked once, row by row, and give the count and the facets; each
    # page then reads its rows by id, in the same order as the ranked index's.
    monkeypatch.setattr(search, "RANK_ROW_BY_ROW", 0)
    by_index = _by_distance_then_id(_titles(_api_pages(api_client, q="wool")))
    monkeypatch.setattr(search, "RANK_ROW_BY_ROW", 10**6)
    monkeypatch.setattr(search, "MATCH_LIMIT", 3)
    monkeypatch.setattr("catalog.views.storefront.PAGE_SIZE", 2)
    cache.clear()

    pages = []
    for context, statements in _pages_1_and_2(client, q="wool"):
        pages.append(context["page"])
        ranked = [sql for sql in statements if "rum_ts_distance" in sql]
        read = [sql for sql in statements if sql.startswith('SELECT "catalog_')]
        assert len(ranked) == 1 and " LIMIT 4" in ranked[0]  # MATCH_LIMIT and one to tell
        assert any(" = ANY(" in sql and " @@" not in sql for sql in read)  # the page, by id

    assert [product.title for product in pages[0].object_list] == by_index[:2]
    assert [product.title for product in pages[1].object_list] == by_index[2:3]
    assert (pages[0].paginator.count, pages[0].paginator.capped) == (3, True)


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "rating"])
def test_a_sorted_search_with_few_matches_is_sorted_from_its_matches_read_once(
    client: Client, search_index: str, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "wool" matches 4, counted to 3: one statement reads every match and sorts them (not a walk
    # along the sort's index, which the planner would check row by row), and each page reads
    # its rows by id, in the same order as sorting every match.
    in_order = _sorted_titles(SearchParams(text="wool"), sort)
    monkeypatch.setattr(search, "MATCH_LIMIT", 3)
    monkeypatch.setattr("catalog.views.storefront.PAGE_SIZE", 2)
    cache.clear()

    pages = []
    for context, statements in _pages_1_and_2(client, q="wool", sort=sort):
        pages.append(context["page"])
        sorted_once = [sql for sql in statements if " MATERIALIZED " in sql]
        read = [sql for sql in statements if sql.startswith('SELECT "catalog_')]
        assert len(sorted_once) == 1 and " LIMIT 4" in sorted_once[0]
        assert " @@@ " in sorted_once[0]  # found through a GIN index
        assert any(" = ANY(" in sql and " @@" not in sql for sql in read)  # the page, by id
        assert not any(" @@" in sql and " ORDER BY " in sql for sql in read)

    assert len(in_order) == 4
    assert [product.title for product in pages[0].object_list] == in_order[:2]
    assert [product.title for product in pages[1].object_list] == in_order[2:3]
    assert (pages[0].paginator.count, pages[0].paginator.capped) == (3, True)
    facets = context["facets"]
    assert facets.capped and sum(band["count"] for band in facets.price_bands) == 3


def test_a_sorted_search_expected_to_match_many_reads_the_sorts_index(
    client: Client, search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SORTED_MATCHES", 0)  # every query "matches many"
    monkeypatch.setattr(search, "MATCH_LIMIT", 3)
    cache.clear()

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "wool", "sort": "price_asc"})

    assert not any(" MATERIALIZED " in query["sql"] for query in queries)
    assert [product.title for product in response.context["page"].object_list] == [
        "Knitting needles",
        "Wool socks",
        "Striped scarf",
    ]


@pytest.mark.parametrize("sort", ["price_asc", "price_desc", "rating"])
def test_a_sorted_search_in_stock_checks_the_stock_of_its_sorted_matches_in_order(
    client: Client, search_index: str, sort: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "wool" matches 4, 3 in stock ("Wool socks" sold out), counted to 2: its matches are
    # sorted, then their stock is checked in the list's order until 3 (MATCH_LIMIT and one to
    # tell) are found, not every match's stock before sorting.
    in_order = _sorted_titles(SearchParams(text="wool", in_stock=True), sort)
    monkeypatch.setattr(search, "MATCH_LIMIT", 2)
    monkeypatch.setattr("catalog.views.storefront.PAGE_SIZE", 1)
    cache.clear()

    pages = []
    for context, statements in _pages_1_and_2(client, q="wool", sort=sort, in_stock="1"):
        pages.append(context["page"])
        sorted_once = [sql for sql in statements if " MATERIALIZED " in sql]
        assert len(sorted_once) == 1 and " LIMIT 3" in sorted_once[0]
        # Sorted first (a subquery PostgreSQL keeps apart: OFFSET 0), the stock checked after.
        assert " OFFSET 0" in sorted_once[0] and "inventory_count" in sorted_once[0]
        assert "inventory_count" not in sorted_once[0].split(" OFFSET 0")[0]

    assert "Wool socks" not in in_order and len(in_order) == 3
    assert [product.title for product in pages[0].object_list] == in_order[:1]
    assert [product.title for product in pages[1].object_list] == in_order[1:2]
    assert (pages[0].paginator.count, pages[0].paginator.capped) == (2, True)
    facets = context["facets"]
    assert facets.capped and facets.in_stock == 2  # counted over the first 2 in stock found


@pytest.mark.parametrize("params", [{"sort": "newest"}, {"sort": "relevance"}])
def test_newest_and_relevance_lists_are_not_sorted_from_the_matches(
    client: Client, search_index: str, params: dict[str, str]
) -> None:
    # Rows are written newest last: that index's walk reads neighbouring rows.
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/search/", {"q": "wool", **params}).status_code == 200
    assert not any(" MATERIALIZED " in query["sql"] for query in queries)


def test_a_narrow_query_that_finds_nothing_reads_no_page_of_products(
    client: Client, search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A typo's first search finds nothing: its empty page reads no row (before the retry with
    # the corrected words, which reads its own).
    monkeypatch.setattr(search, "RANK_ROW_BY_ROW", 10**6)
    cache.clear()

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": "zzxqv"})

    assert response.status_code == 200 and not response.context["page"].object_list
    assert not [
        query
        for query in queries
        if query["sql"].startswith('SELECT "catalog_product"."id", "catalog_product"."shop_id"')
    ]


def test_a_query_is_broad_by_its_text_whatever_its_filters(
    search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The ranked index ranks every match of the text before a price band or the stock is
    # checked: a common word in a narrow band is still broad, so PostgreSQL is asked how many
    # products the text alone matches.
    in_band = search_products(SearchParams(text="wool", price="0-25", in_stock=True))
    monkeypatch.setattr(search, "BROAD_MATCHES", 0)

    with CaptureQueriesContext(connection) as queries:
        assert search.query_is_broad(in_band)
    (estimate,) = queries
    assert estimate["sql"].startswith("EXPLAIN") and "search_vector" in estimate["sql"]
    assert "price" not in estimate["sql"] and "inventory_count" not in estimate["sql"]
    monkeypatch.setattr(search, "BROAD_MATCHES", 10**6)
    assert not search.query_is_broad(in_band)


def test_a_broad_query_sorted_otherwise_than_by_relevance_reads_any_matches(
    client: Client, search_index: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Sorted by price, the page needs no candidates: the first MATCH_LIMIT matches found give
    # the count and the facets, without the estimate or an order by id.
    monkeypatch.setattr(search, "BROAD_MATCHES", 0)
    monkeypatch.setattr(search, "MATCH_LIMIT", 2)
    products = search_products(SearchParams(text="wool"))

    with CaptureQueriesContext(connection) as queries:
        matches = search.match_ids(products, relevance=False)
    assert (len(matches.ids), matches.capped, matches.broad) == (2, True, False)
    assert len(queries) == 1
    assert "EXPLAIN" not in queries[0]["sql"] and "ORDER BY" not in queries[0]["sql"]
    assert " @@@ " in queries[0]["sql"]  # through a GIN index, never the ranked one's scan
    assert search.match_ids(products).broad  # by relevance: its candidates
    page = client.get("/search/", {"q": "wool", "sort": "price_asc"}).context["page"]
    assert [product.title for product in page.object_list][:2] == [
        "Knitting needles",
        "Wool socks",
    ]
    assert (page.paginator.count, page.paginator.capped) == (2, True)


def test_the_in_stock_filter_probes_the_index_of_the_variants_in_stock() -> None:
    # A search with the in-stock filter asks "is it in stock?" of every match: the partial
    # index of the variants in stock answers from the index alone. With sequential scans off,
    # the planner takes any index that can serve the condition: this one, which it could not if
    # the index's condition and the filter's drifted apart.
    in_stock = search_products(SearchParams(text="wool", in_stock=True))
    sql, params = in_stock.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using catalog_variant_in_stock" in plan
    # The socks, sold out, are the one wool product left out.
    assert sorted(product.title for product in in_stock) == [
        "Knitting needles",
        "Merino wool scarf",
        "Striped scarf",
    ]


@pytest.mark.parametrize("band", [key for key, _low, _high in PRICE_BANDS])
def test_a_search_in_a_price_band_can_read_the_bands_own_text_index(band: str) -> None:
    # The text searched in a band, as the search writes both conditions. With the other indexes
    # on the text and the price dropped (inside the test's transaction) and sequential scans
    # off, the band's own index is the one left: the planner reads it if the band's condition
    # lets it, and would not if the filter's condition and the index's drifted apart.
    def in_band() -> Any:
        condition = search.price_band_condition(band)
        assert condition is not None
        return search.products_search(products=Product.objects.filter(condition), text="wool")

    expected = sorted(product.title for product in in_band())
    with connection.cursor() as cursor:
        for index in (search.RANKED_INDEX, "catalog_product_search_gin", "catalog_product_price"):
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
        cursor.execute("SET LOCAL enable_seqscan = off")
    search.ranked_index_forget()
    sql, params = in_band().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    titles = sorted(product.title for product in in_band())
    search.ranked_index_forget()

    assert f"Bitmap Index Scan on {price_band_index_name(band)}" in plan
    assert titles == expected
    if band == "0-25":
        assert titles == ["Draft wool hat", "Knitting needles", "Striped scarf", "Wool socks"]


def test_a_quoted_phrase_finds_its_words_side_by_side_only(search_index: str) -> None:
    def titles(text: str) -> set[str]:
        return {product.title for product in search_products(SearchParams(text=text))}

    # "Merino wool scarf", not "A cotton scarf with wool trim".
    assert titles('"wool scarf"') == {"Merino wool scarf"}
    assert titles('"scarf wool"') == set()
    assert titles('"wool scarves"') == {"Knitting needles"}  # "For knitting wool scarves."
    assert titles('"wool scarf" merino') == {"Merino wool scarf"}
    # With minus or OR the phrase is matched as it is.
    assert titles('"wool scarves" -merino') == {"Knitting needles"}
    assert titles('"scarf wool" or mug') == {"Mug"}
    with CaptureQueriesContext(connection) as queries:
        list(search_products(SearchParams(text='"wool scarf"')))
    # With the ranked index, which checks word positions slowly, the words find the products
    # and their rows are checked for the phrase.
    assert ("ts_match_vq" in queries[0]["sql"]) == (search_index == "ranked_index")


def test_postgresql_keeps_the_facet_keys_whoever_changes_the_links() -> None:
    mug = Product.objects.get(title="Mug")
    teapot = Product.objects.get(title="Teekanne aus Ton")
    kitchen = Category.objects.get(name_en="Kitchen")
    scarves = Category.objects.get(name_en="Scarves")
    gift = mug.tags.get()

    def keys(product: Product) -> tuple[list[str], list[str]]:
        product.refresh_from_db()
        return product.facet_categories, product.facet_tags

    assert keys(mug) == ([str(kitchen.pk)], [str(gift.pk)])  # set by the services
    mug.categories.add(scarves)
    assert keys(mug)[0] == sorted([str(kitchen.pk), str(scarves.pk)], key=int)
    scarves.products.remove(mug)
    assert keys(mug)[0] == [str(kitchen.pk)]
    kitchen.products.clear()
    assert keys(mug)[0] == keys(teapot)[0] == []
    gift.products.add(teapot)
    mug.tags.clear()
    assert (keys(mug)[1], keys(teapot)[1]) == ([], [str(gift.pk)])
    # Whoever writes the links: a category deleted with them, raw SQL.
    teapot.categories.add(scarves)
    scarves.delete()
    assert keys(teapot)[0] == []
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO catalog_product_categories (product_id, category_id) VALUES (%s, %s)",
            [mug.pk, kitchen.pk],
        )
    assert keys(mug)[0] == [str(kitchen.pk)]
    mug.categories.clear()
    # What the search reads: the category filter and the facets.
    teapot.categories.add(kitchen)
    params = SearchParams(text="teekanne", category=kitchen.slug)
    assert list(search_products(params).values_list("title", flat=True)) == [teapot.title]
    facets = search.facets_count(products=search_products(params))
    assert [(item["slug"], item["count"]) for item in facets.categories] == [(kitchen.slug, 1)]
    assert [(item["slug"], item["count"]) for item in facets.tags] == [(gift.slug, 1)]


def test_a_typo_with_nothing_else_matching_finds_the_catalog_word(
    client: Client, api_client: APIClient, search_index: str
) -> None:
    html = client.get("/search/", {"q": "mugg"}).content.decode()

    assert "No results for “mugg”" in html
    assert "1 result for “mug”" in html
    assert search.query_correct("socsk -merrino") == "socks -merino"
    assert search.query_correct("wool") == ""  # every word is known: nothing to correct
    assert search.query_correct("zzzzqqq") == ""  # nothing close enough
    suggested = api_client.get("/api/v1/search/suggest", {"q": "mugg"}).json()
    assert [item["title"] for item in suggested["products"]] == ["Mug"]


def test_the_api_retries_a_typo_with_the_catalog_words_and_says_so(
    api_client: APIClient, search_index: str
) -> None:
    typo = api_client.get("/api/v1/products", {"q": "socsk"}).json()
    found = api_client.get("/api/v1/products", {"q": "socks"}).json()
    hopeless = api_client.get("/api/v1/products", {"q": "zzzzqqq"}).json()

    assert [item["title"] for item in typo["results"]] == ["Wool socks"]
    assert typo["corrected_q"] == "socks"
    assert found["corrected_q"] is None
    assert (hopeless["results"], hopeless["corrected_q"]) == ([], None)


def test_the_api_pages_through_a_corrected_search(api_client: APIClient, search_index: str) -> None:
    pages = _api_pages(api_client, q="wooll")

    assert {page["corrected_q"] for page in pages} == {"wool"}
    assert _titles(pages) == _api_titles(api_client, q="wool")


def test_the_words_follow_public_products_only(catalog_shops: dict[str, Shop]) -> None:
    assert SearchWord.objects.filter(word="merino").exists()
    product_create(
        shop=catalog_shops["wool"],
        actor=None,
        title="Alpaca mittens",
        price=Decimal("30"),
        status=Product.Status.ACTIVE,
    )
    product_create(
        shop=catalog_shops["wool"], actor=None, title="Secret vicuna draft", price=Decimal("9")
    )

    assert SearchWord.objects.filter(word__in=["alpaca", "mittens"]).count() == 2
    assert not SearchWord.objects.filter(word__in=["secret", "vicuna"]).exists()
    assert search.search_words_rebuild() == SearchWord.objects.count()
    assert SearchWord.objects.get(word="wool").products == 2  # the titles of socks and scarf


def test_the_nightly_job_drops_the_words_no_public_product_has_any_more() -> None:
    SearchWord.objects.create(word="vicuna", products=1)

    rebuilt = search_words_rebuild_task.apply().get()

    assert rebuilt == SearchWord.objects.count() > 0
    assert not SearchWord.objects.filter(word="vicuna").exists()
    assert "catalog.search_words_rebuild_task" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()
    }


def test_facets_count_the_bounded_match_set(monkeypatch: pytest.MonkeyPatch) -> None:
    full = search.facets_count(products=search_products(SearchParams(text="wool")))
    monkeypatch.setattr(search, "MATCH_LIMIT", 2)
    capped = search.facets_count(products=search_products(SearchParams(text="wool")))

    assert [(shop["name"], shop["count"]) for shop in full.shops] == [("Wool Barn", 4)]
    assert [(tag["name"], tag["count"]) for tag in full.tags] == [("winter", 3), ("gift", 1)]
    assert [(band["key"], band["count"]) for band in full.price_bands] == [
        ("0-25", 3),
        ("25-50", 1),
    ]
    assert full.in_stock == 3
    assert full.capped is False
    assert capped.capped is True
    assert sum(shop["count"] for shop in capped.shops) == 2
    # Over MATCH_LIMIT, the counts are lower bounds from the first FACET_SAMPLE matches; up to
    # MATCH_LIMIT, every match counts.
    monkeypatch.setattr(search, "FACET_SAMPLE", 1)
    sampled = search.facets_count(products=search_products(SearchParams(text="wool")))
    assert (sum(shop["count"] for shop in sampled.shops), sampled.capped) == (1, True)
    monkeypatch.setattr(search, "MATCH_LIMIT", 4)
    exact = search.facets_count(products=search_products(SearchParams(text="wool")))
    assert (exact.shops, exact.tags, exact.capped) == (full.shops, full.tags, False)


def test_category_pages_show_the_maintained_count(
    client: Client,
    catalog_shops: dict[str, Shop],
    django_capture_on_commit_callbacks: Any,
) -> None:
    clothing = Category.objects.get(slug="clothing")
    assert "2 products" in client.get("/c/clothing/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        product_create(
            shop=catalog_shops["wool"],
            actor=None,
            title="Cable jumper",
            price=Decimal("80"),
            status=Product.Status.ACTIVE,
            categories=[Category.objects.get(name="Scarves")],
        )
    assert CategoryProductCount.objects.get(category=clothing).products == 3
    assert "3 products" in client.get("/c/clothing/").content.decode()

    scarf = Product.objects.get(title="Striped scarf")
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=scarf, actor=None, data={"status": Product.Status.ARCHIVED})
    assert CategoryProductCount.objects.get(category=clothing).products == 2
    assert category_counts_refresh() == Category.objects.count()


def test_a_stale_entry_is_served_while_another_request_computes_the_fresh_one(
    django_capture_on_commit_callbacks: Any,
) -> None:
    assert cached("page", scopes=["shop:1"], parts=[], compute=lambda: "old") == "old"
    with django_capture_on_commit_callbacks(execute=True):
        catalog_changed(shop_ids=[1])
    # Another request is computing the fresh entry: it holds the lock of the new versions.
    lock = computing_key(entry_key("page", []), catalog_versions(["shop:1"]))
    cache.add(lock, 1, timeout=10)

    assert cached("page", scopes=["shop:1"], parts=[], compute=lambda: "new") == "old"
    cache.delete(lock)
    assert cached("page", scopes=["shop:1"], parts=[], compute=lambda: "new") == "new"
    assert cached("page", scopes=["shop:1"], parts=[], compute=lambda: "newer") == "new"


def test_a_suspended_shops_products_leave_category_pages_and_come_back(
    client: Client,
    catalog_shops: dict[str, Shop],
    django_capture_on_commit_callbacks: Any,
) -> None:
    from shops.services import shop_reinstate, shop_suspend

    scarves = Category.objects.get(name="Scarves")
    with django_capture_on_commit_callbacks(execute=True):
        shop_suspend(shop=catalog_shops["wool"], actor=None, reason="Review")
    suspended = client.get(f"/c/{scarves.slug}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        shop_reinstate(shop=catalog_shops["wool"], actor=None)
    reinstated = client.get(f"/c/{scarves.slug}/").content.decode()

    assert "Merino wool scarf" not in suspended and "0 products" in suspended
    assert CategoryListing.objects.filter(category=scarves).count() == 2
    assert "Merino wool scarf" in reinstated and "2 products" in reinstated
