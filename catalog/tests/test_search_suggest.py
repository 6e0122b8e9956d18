"""Autocomplete quality: prefix matches first, typos forgiven, only public things, 5 of each."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog import search
from catalog.models import Product
from catalog.services.categories import category_get_or_create_path
from catalog.services.products import product_create
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

    # No catalog word starts with "teapott": the titles are not searched for a word starting with
    # it (the trigram search), only corrected to "teapot" and searched again.
    assert search._some_word_may_start_with("teap") is True
    assert search._some_word_may_start_with("teapott") is False
    assert [item["title"] for item in _suggest("teapott")["products"]] == ["Green teapot"]
    assert [item["title"] for item in _suggest("teap")["products"]] == ["Green teapot"]


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
