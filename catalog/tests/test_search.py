"""Search on a small fixed catalog: relevance, facets, filters, bad queries, suggestions."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from catalog import search
from catalog.models import Category, Product
from catalog.search import SearchQueryInvalid, query_clean, search_config, search_vector_update
from catalog.services.products import product_create, product_update
from catalog.views.storefront import SearchParams, search_products
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _titles(**params: str) -> list[str]:
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update(params)
    parsed = SearchParams.parse(data)
    products = search.products_order(
        search_products(parsed), sort=parsed.sort, searching=bool(parsed.text)
    )
    return list(products.values_list("title", flat=True))


def test_title_matches_rank_above_category_and_description_matches(
    catalog_shops: object, search_index: str
) -> None:
    # Titles (A) first, then category and tag words (B), then descriptions (C); never drafts.
    wool = _titles(q="wool")
    assert set(wool[:2]) == {"Wool socks", "Merino wool scarf"}
    assert set(wool[2:]) == {"Knitting needles", "Striped scarf"}
    assert _titles(q="knitting") == ["Knitting needles", "Merino wool scarf"]
    assert _titles(q="hat") == []


def test_without_the_ranked_index_newer_products_break_ties(
    catalog_shops: object, gin_index_only: None
) -> None:
    assert _titles(q="wool") == [
        "Wool socks",
        "Merino wool scarf",
        "Knitting needles",
        "Striped scarf",
    ]


def test_stemming_category_and_tag_words(catalog_shops: object, search_index: str) -> None:
    scarves = _titles(q="scarves")
    assert set(scarves[:2]) == {"Striped scarf", "Merino wool scarf"}
    assert scarves[2:] == ["Knitting needles"]
    assert set(_titles(q="kitchen")) == {"Teekanne aus Ton", "Mug"}
    assert set(_titles(q="gift")) == {"Merino wool scarf", "Mug"}
    # The German shop's vector is stemmed in German: a German shopper's "Teekannen" finds
    # "Teekanne"; in English only the exact word matches (through the `simple` part).
    assert _titles(q="Teekannen") == []
    with translation.override("de"):
        assert _titles(q="Teekannen") == ["Teekanne aus Ton"]
    assert _titles(q="Teekanne") == ["Teekanne aus Ton"]


def test_websearch_syntax_quotes_or_and_minus(catalog_shops: object) -> None:
    assert _titles(q='"merino wool"') == ["Merino wool scarf"]
    assert set(_titles(q="socks or mug")) == {"Wool socks", "Mug"}
    assert "Merino wool scarf" not in _titles(q="scarf -merino")
    assert "Striped scarf" in _titles(q="scarf -merino")


def test_rating_boosts_equal_matches(catalog_shops: object, gin_index_only: None) -> None:
    # Only the GIN path boosts by rating and recency (the ranked index orders by text alone).
    Product.objects.filter(title="Striped scarf").update(rating_average=Decimal("5"))
    Product.objects.filter(title="Merino wool scarf").update(
        created=timezone.now() - timedelta(days=400)
    )
    assert _titles(q="scarf")[0] == "Striped scarf"


def test_filters_combine_with_search(catalog_shops: object) -> None:
    assert set(_titles(q="wool", category="clothing")) == {"Merino wool scarf", "Striped scarf"}
    assert _titles(q="wool", category="clothing", price="0-25") == ["Striped scarf"]
    assert _titles(q="winter", in_stock="1", shop="wool-barn", sort="price_asc") == [
        "Striped scarf",
        "Merino wool scarf",
    ]
    assert _titles(q="winter", tag="gift") == ["Merino wool scarf"]
    assert _titles(category="no-such-category") == []
    assert _titles(price="bogus") == []


def test_a_price_band_includes_its_lower_bound_and_excludes_its_upper_one() -> None:
    # Given products priced exactly at the bounds of the 25-50 band
    shop = ShopFactory()
    for title, price in [("At 25", "25.00"), ("At 49.99", "49.99"), ("At 50", "50.00")]:
        product_create(
            shop=shop, actor=None, title=title, price=Decimal(price), status=Product.Status.ACTIVE
        )

    # Then "under 25" has none of them, and a product at 50 is in "50 to 100" only
    assert _titles(price="0-25") == []
    assert sorted(_titles(price="25-50")) == ["At 25", "At 49.99"]
    assert _titles(price="50-100") == ["At 50"]


def test_sorting_without_a_query(catalog_shops: object) -> None:
    assert _titles(sort="price_desc")[:2] == ["Mug", "Teekanne aus Ton"]
    assert _titles(sort="price_asc")[0] == "Knitting needles"


def test_facet_counts(catalog_shops: object) -> None:
    data = SearchParams(text="wool")
    facets = search.facets_count(products=search_products(data))

    assert [(c["name"], c["count"]) for c in facets.categories] == [("Scarves", 2)]
    assert [(s["name"], s["count"]) for s in facets.shops] == [("Wool Barn", 4)]
    assert [(t["name"], t["count"]) for t in facets.tags] == [("winter", 3), ("gift", 1)]
    assert [(b["key"], b["count"]) for b in facets.price_bands] == [("0-25", 3), ("25-50", 1)]
    assert facets.in_stock == 3


def test_facet_query_count_does_not_grow(catalog_shops: object) -> None:
    with CaptureQueriesContext(connection) as few:
        search.facets_count(products=search_products(SearchParams()))
    for index in range(10):
        product_create(
            shop=catalog_shops["wool"],  # type: ignore[index]
            actor=None,
            title=f"Scarf {index}",
            price=Decimal("30"),
            status=Product.Status.ACTIVE,
            tags=[f"tag {index}"],
        )
    with CaptureQueriesContext(connection) as many:
        search.facets_count(products=search_products(SearchParams()))
    # The matches' ids (at most search.MATCH_LIMIT), then every facet in one statement.
    assert len(many.captured_queries) == len(few.captured_queries) == 2


def test_vector_follows_title_tag_and_category_changes(catalog_shops: object) -> None:
    socks = Product.objects.get(title="Wool socks")
    product_update(product=socks, actor=None, data={"title": "Alpaca socks", "tags": ["cosy"]})
    assert _titles(q="alpaca") == ["Alpaca socks"]
    assert _titles(q="cosy") == ["Alpaca socks"]
    product_update(
        product=socks, actor=None, data={"categories": [Category.objects.get(slug="kitchen").pk]}
    )
    assert "Alpaca socks" in _titles(q="kitchen")


@pytest.mark.parametrize(("limit", "heading"), [(3, "More than 3 results"), (4, "4 results")])
def test_counting_stops_at_the_match_limit_and_facets_say_they_are_lower_bounds(
    catalog_shops: object, client: Client, monkeypatch: pytest.MonkeyPatch, limit: int, heading: str
) -> None:
    monkeypatch.setattr(search, "MATCH_LIMIT", limit)
    capped = limit == 3

    facets = search.facets_count(products=search_products(SearchParams(text="wool")))
    html = client.get("/search/", {"q": "wool"}).content.decode()

    assert facets.capped is capped
    assert sum(shop["count"] for shop in facets.shops) == limit
    assert f"{heading} for “wool”" in html
    assert ('<span class="facet__count">3+</span>' in html) is capped
    assert 'href="?q=wool&amp;page=2"' not in html  # 24 a page: one page either way


def test_cards_follow_the_language_and_a_change_on_the_next_request(
    catalog_shops: object, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    english = client.get("/search/", {"q": "socks"}).content.decode()
    spanish = client.get("/search/", {"q": "socks"}, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    socks = Product.objects.get(title="Wool socks")
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=socks, actor=None, data={"title": "Wool socks, ribbed"})
    renamed = client.get("/search/", {"q": "socks"}).content.decode()

    assert "Sold out" in english and "Agotado" in spanish
    assert "Wool socks, ribbed" in renamed


def test_a_query_that_finds_nothing_is_retried_with_the_catalogs_closest_words(
    catalog_shops: object, client: Client
) -> None:
    assert _titles(q="merrino scarff") == []
    assert (
        search.did_you_mean(
            products=Product.objects.filter(status=Product.Status.ACTIVE), text="merrino scarff"
        )
        == "merino scarf"
    )
    html = client.get("/search/", {"q": "merrino scarff"}).content.decode()
    assert "No results for “merrino scarff”" in html
    assert "1 result for “merino scarf”" in html
    assert "Merino wool scarf" in html


def test_a_corrected_query_that_still_finds_nothing_is_offered_as_did_you_mean(
    catalog_shops: object, client: Client
) -> None:
    html = client.get("/search/", {"q": "mugg", "shop": "wool-barn"}).content.decode()
    assert "0 results for “mugg”" in html
    assert "Did you mean" in html and 'href="?q=mug&amp;shop=wool-barn"' in html


@pytest.mark.parametrize(
    "raw",
    ["", "a", "x" * 10_000, "!!! ??? ...", "\x00\x00", "   "],
)
def test_bad_queries_are_refused(raw: str) -> None:
    with pytest.raises(SearchQueryInvalid):
        query_clean(raw)


@pytest.mark.parametrize(
    "raw",
    ["'; DROP TABLE catalog_product; --", "wool & | ! <-> :*", 'wool"', "wo\x00ol", "(wool"],
)
def test_meta_characters_search_safely(catalog_shops: object, client: Client, raw: str) -> None:
    response = client.get("/search/", {"q": raw})
    assert response.status_code == 200
    assert Product.objects.count() == 7


@pytest.mark.parametrize(
    ("raw", "status"), [("x" * 10_000, 400), ("a", 400), ("!!!", 400), ("", 200)]
)
def test_search_page_answers_bad_queries_with_400(client: Client, raw: str, status: int) -> None:
    response = client.get("/search/", {"q": raw})
    assert response.status_code == status


def test_search_page_invalid_utf8_is_not_a_500(client: Client) -> None:
    response = client.get("/search/?q=%ff%fe%00wool")
    assert response.status_code in {200, 400}


def test_search_page_facets_chips_sort_and_htmx_partial(
    catalog_shops: object, client: Client
) -> None:
    response = client.get("/search/", {"q": "wool", "category": "clothing", "sort": "price_asc"})
    html = response.content.decode()

    assert response.status_code == 200
    assert "2 results for “wool”" in html
    assert html.index("Striped scarf") < html.index("Merino wool scarf")
    assert 'href="?q=wool&amp;sort=price_asc"' in html  # the chip removes the category
    assert 'href="?q=wool&amp;category=clothing&amp;sort=price_asc&amp;tag=gift"' in html
    assert '<option value="price_asc" selected>' in html

    partial = client.get("/search/", {"q": "wool"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b"search-layout" in partial.content


def test_search_page_pagination_keeps_filters(catalog_shops: object, client: Client) -> None:
    for index in range(25):
        product_create(
            shop=catalog_shops["wool"],  # type: ignore[index]
            actor=None,
            title=f"Scarf {index}",
            price=Decimal("30"),
            status=Product.Status.ACTIVE,
        )
    html = client.get("/search/", {"q": "scarf", "shop": "wool-barn"}).content.decode()
    assert 'href="?q=scarf&amp;shop=wool-barn&amp;page=2"' in html


def test_search_page_query_count_does_not_grow(catalog_shops: object, client: Client) -> None:
    def count() -> int:
        client.get("/search/", {"q": "scarf"})
        with CaptureQueriesContext(connection) as context:
            client.get("/search/", {"q": "scarf"})
        return len(context.captured_queries)

    few = count()
    for index in range(10):
        product_create(
            shop=catalog_shops["clay"],  # type: ignore[index]
            actor=None,
            title=f"Scarf {index}",
            price=Decimal("30"),
            status=Product.Status.ACTIVE,
            tags=[f"t{index}"],
        )
    assert count() == few


def test_search_config_per_language() -> None:
    assert search_config("de") == "german"
    assert search_config("pt-br") == "portuguese"
    assert search_config("xx") == "simple"
    assert search_config(None) == "simple"


def test_sqlite_fallback_matches_title_or_description(
    catalog_shops: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "vendor", "sqlite")
    products = search.products_search(
        products=Product.objects.filter(status=Product.Status.ACTIVE), text="merino"
    )
    assert list(products.values_list("title", flat=True)) == ["Merino wool scarf"]
    assert search.did_you_mean(products=Product.objects.all(), text="x") == ""
    search_vector_update(product_ids=[1])  # no-op without PostgreSQL


def test_suggestions_products_categories_shops(catalog_shops: object) -> None:
    public = Product.objects.filter(status=Product.Status.ACTIVE)
    found = search.search_suggest(products=public, text="wo")
    assert [p["title"] for p in found["products"]] == ["Wool socks", "Merino wool scarf"]
    assert [s["name"] for s in found["shops"]] == ["Wool Barn"]
    assert [
        c["name"] for c in search.search_suggest(products=public, text="kitch")["categories"]
    ] == ["Kitchen"]
    typo = search.search_suggest(products=public, text="merrino")
    assert [p["title"] for p in typo["products"]] == ["Merino wool scarf"]


@pytest.mark.parametrize("param", [{"category": "no-such-category"}, {"price": "9-99"}])
def test_a_search_in_a_category_or_band_that_does_not_exist_finds_nothing(
    catalog_shops: object, client: Client, param: dict[str, str]
) -> None:
    response = client.get("/search/", {"q": "wool", **param})

    assert response.status_code == 200
    assert response.context["page"].paginator.count == 0
