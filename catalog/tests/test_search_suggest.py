"""Autocomplete quality: prefix matches first, typos forgiven, only public things, 5 of each."""

from decimal import Decimal

import psycopg
import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from catalog import search
from catalog.models import Product, SearchWord
from catalog.services.categories import category_get_or_create_path
from catalog.services.products import product_create, product_update
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _make(shop: Shop, title: str, status: str = Product.Status.ACTIVE) -> Product:
    return product_create(shop=shop, actor=None, title=title, price=Decimal("10.00"), status=status)


def _suggest(text: str) -> dict[str, list[dict[str, object]]]:
    response = APIClient().get("/api/v1/search/suggest", {"q": text})
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def test_titles_starting_with_the_text_come_before_titles_with_a_word_starting_with_it() -> None:
    shop = ShopFactory(name="Tea Room", slug="tea-room")
    _make(shop, "Green teapot")
    _make(shop, "Teapot warmer")

    titles = [item["title"] for item in _suggest("TEAP")["products"]]

    assert titles == ["Teapot warmer", "Green teapot"]


def test_a_typo_still_finds_the_product_by_trigram_similarity() -> None:
    _make(ShopFactory(), "Porcelain teapot")

    assert [item["title"] for item in _suggest("porcelian teapot")["products"]] == [
        "Porcelain teapot"
    ]


def test_a_one_word_typo_goes_straight_to_the_catalogs_closest_word() -> None:
    _make(ShopFactory(), "Green teapot")

    # No catalog word starts with "teapott": nothing to complete, so it is corrected to "teapot"
    # and completed again.
    assert [item["title"] for item in _suggest("teapott")["products"]] == ["Green teapot"]
    assert [item["title"] for item in _suggest("teap")["products"]] == ["Green teapot"]


def _rated(product: Product, count: int) -> Product:
    Product.objects.filter(pk=product.pk).update(rating_count=count)
    return product


def test_a_word_inside_titles_completes_from_the_words_it_starts_never_from_the_titles() -> None:
    shop = ShopFactory()
    kettle = _make(shop, "Copper kettle")
    steel = _rated(_make(shop, "Steel kettle"), 9)
    _make(shop, "Kettlebell set")  # starts with the text: first
    _make(shop, "Tea towel")

    with CaptureQueriesContext(connection) as queries:
        titles = [item["title"] for item in _suggest("ket")["products"]]

    # The best rated first, then by title; a title is read by id, never searched by a pattern
    # inside it (the trigram search of every title with a word starting with "k").
    assert titles == ["Kettlebell set", "Steel kettle", "Copper kettle"]
    assert not any("% ket" in str(query["sql"]).lower() for query in queries.captured_queries)
    assert set(SearchWord.objects.get(word="kettle").suggestions) == {kettle.pk, steel.pk}


def test_completions_are_recounted_with_the_vocabulary_best_rated_first() -> None:
    shop = ShopFactory()
    for index in range(search.SUGGESTIONS_PER_WORD + 2):
        _rated(_make(shop, f"Lamp model {index:02}"), index)
    SearchWord.objects.update(suggestions=[])

    search.search_words_rebuild()

    kept = SearchWord.objects.get(word="lamp").suggestions
    best = Product.objects.order_by("-rating_count").values_list("pk", flat=True)
    assert kept == list(best[: search.SUGGESTIONS_PER_WORD])


def test_a_product_saved_joins_its_words_completions_when_it_ranks_among_their_best() -> None:
    shop = ShopFactory()
    for index in range(search.SUGGESTIONS_PER_WORD):
        _rated(_make(shop, f"Vase {index}"), 5)
    search.search_words_rebuild()
    unrated = _make(shop, "Vase without reviews")  # 0 ratings: not among the best 10
    starred = _rated(_make(shop, "Blue vase"), 0)
    _rated(starred, 50)
    starred.refresh_from_db()
    product_update(product=starred, actor=None, data={"title": "Blue vase, glazed"})

    kept = SearchWord.objects.get(word="vase").suggestions
    assert kept[0] == starred.pk and unrated.pk not in kept
    assert len(kept) == search.SUGGESTIONS_PER_WORD
    assert SearchWord.objects.get(word="glazed").suggestions == [starred.pk]


def test_a_product_is_suggested_only_while_public_and_while_its_title_has_the_word() -> None:
    shop = ShopFactory()
    jug = _make(shop, "Stone jug")
    hidden = _make(shop, "Glass jug")
    assert {item["title"] for item in _suggest("jug")["products"]} == {"Stone jug", "Glass jug"}

    # Both stay in "jug"'s completions until the daily recount; neither is suggested for it.
    Product.objects.filter(pk=hidden.pk).update(status=Product.Status.DRAFT)
    Product.objects.filter(pk=jug.pk).update(title="Stone pitcher")
    cache.clear()

    assert _suggest("jug")["products"] == []


def test_two_letter_words_complete_too() -> None:
    _make(ShopFactory(), "Smart TV stand")

    assert [item["title"] for item in _suggest("tv")["products"]] == ["Smart TV stand"]


@pytest.mark.django_db(transaction=True)
def test_saving_a_product_never_waits_on_a_word_another_transaction_holds() -> None:
    shop = ShopFactory()
    _make(shop, "Oak shelf")
    settings_dict = connection.settings_dict
    with psycopg.connect(
        dbname=settings_dict["NAME"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
    ) as importer:
        # Another shop's import, still in its transaction, holds the word "shelf".
        importer.execute("SELECT 1 FROM catalog_searchword WHERE word = 'shelf' FOR UPDATE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '3s'")  # a wait would fail the test, not hang it
        walnut = _make(shop, "Walnut shelf")
        importer.rollback()

    assert walnut.pk not in SearchWord.objects.get(word="shelf").suggestions  # skipped
    assert SearchWord.objects.get(word="walnut").suggestions == [walnut.pk]
    search.search_words_rebuild()
    assert walnut.pk in SearchWord.objects.get(word="shelf").suggestions


def test_drafts_and_suspended_shops_are_never_suggested() -> None:
    _make(ShopFactory(), "Candle draft", status=Product.Status.DRAFT)
    _make(ShopFactory(status=Shop.Status.SUSPENDED, name="Candle Co", slug="candle-co"), "Candle")

    body = _suggest("candle")

    assert body["products"] == []
    assert body["shops"] == []


def test_at_most_five_of_each_kind_with_categories_and_shops() -> None:
    shop = ShopFactory(name="Mug Works", slug="mug-works")
    for index in range(7):
        _make(shop, f"Mug {index}")
    category_get_or_create_path(names=["Mugs"])

    body = _suggest("mug")

    assert len(body["products"]) == 5
    assert body["categories"] == [{"slug": "mugs", "name": "Mugs", "url": "/c/mugs/"}]
    assert body["shops"] == [{"slug": "mug-works", "name": "Mug Works", "url": "/s/mug-works/"}]
