"""The storefront cache: lists, category and shop pages, facets and the anonymous product API
are served from Redis until a change they show is committed (versioned keys), then recomputed."""

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.models import Category, Product
from catalog.services.categories import category_get_or_create_path, category_rename
from catalog.services.products import product_create, product_unpublish, product_update
from shops.models import Shop
from shops.services import shop_update
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

Commit = Callable[..., Any]


@pytest.fixture
def shop() -> Shop:
    return ShopFactory(name="Wool Barn", slug="wool-barn", language="en")


@pytest.fixture
def scarves() -> Category:
    return category_get_or_create_path(names=["Clothing", "Scarves"])


@pytest.fixture
def scarf(shop: Shop, scarves: Category, django_capture_on_commit_callbacks: Commit) -> Product:
    with django_capture_on_commit_callbacks(execute=True):
        return product_create(
            shop=shop,
            actor=None,
            title="Merino scarf",
            price=Decimal("45.00"),
            status=Product.Status.ACTIVE,
            inventory_count=3,
            categories=[scarves],
        )


def test_a_price_edit_shows_on_the_next_request_of_every_cached_list(
    client: Client, scarf: Product, django_capture_on_commit_callbacks: Commit
) -> None:
    pages = ["/", "/c/clothing/", "/c/clothing-scarves/", "/s/wool-barn/", "/search/?q=merino"]
    for url in pages:
        assert "$45.00" in client.get(url).content.decode(), url

    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=scarf, actor=None, data={"price": Decimal("39.00")})

    for url in pages:
        html = client.get(url).content.decode()
        assert "$39.00" in html, url
        assert "$45.00" not in html, url


def test_a_second_request_is_served_from_the_cache_without_queries(
    client: Client, scarf: Product, django_assert_num_queries: Any
) -> None:
    APIClient().get("/api/v1/products/facets", {"q": "merino"})
    with django_assert_num_queries(0):
        assert APIClient().get("/api/v1/products/facets", {"q": "merino"}).status_code == 200
    APIClient().get("/api/v1/products", {"q": "merino"})
    with django_assert_num_queries(0):
        response = APIClient().get("/api/v1/products", {"q": "merino"})
    assert [item["title"] for item in response.json()["results"]] == ["Merino scarf"]


def test_unpublishing_a_product_removes_it_from_lists_and_facets_at_once(
    client: Client, scarf: Product, django_capture_on_commit_callbacks: Commit
) -> None:
    api = APIClient()
    assert api.get("/api/v1/products/facets", {"q": "merino"}).json()["shops"][0]["count"] == 1
    assert "Merino scarf" in client.get("/c/clothing-scarves/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        product_unpublish(product=scarf, actor=UserFactory(is_staff=True), reason="Counterfeit")

    assert api.get("/api/v1/products/facets", {"q": "merino"}).json()["shops"] == []
    assert api.get("/api/v1/products").json()["results"] == []
    for url in ("/c/clothing-scarves/", "/c/clothing/", "/s/wool-barn/", "/search/?q=merino"):
        assert "Merino scarf" not in client.get(url).content.decode(), url


def test_renaming_a_category_shows_in_breadcrumbs_sub_categories_and_search(
    client: Client,
    scarf: Product,
    scarves: Category,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    assert ">Scarves<" in client.get("/c/clothing/").content.decode()
    assert "0 results" in client.get("/search/?q=shawls").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        category_rename(category=scarves, actor=None, name="Shawls")

    assert ">Shawls<" in client.get("/c/clothing/").content.decode()
    assert "1 result for" in client.get("/search/?q=shawls").content.decode()


def test_renaming_a_shop_shows_on_its_product_cards_everywhere(
    client: Client, scarf: Product, shop: Shop, django_capture_on_commit_callbacks: Commit
) -> None:
    for url in ("/c/clothing-scarves/", "/s/wool-barn/", "/search/?q=merino"):
        assert "Wool Barn" in client.get(url).content.decode(), url

    with django_capture_on_commit_callbacks(execute=True):
        shop_update(shop=shop, actor=shop.owner, data={"name": "Yarn Barn"})

    for url in ("/c/clothing-scarves/", "/s/wool-barn/", "/search/?q=merino", "/"):
        html = client.get(url).content.decode()
        assert "Yarn Barn" in html, url
        assert "Wool Barn" not in html, url


def test_signed_in_shoppers_get_the_cached_listing_with_their_own_header(
    client: Client, scarf: Product
) -> None:
    anonymous = client.get("/c/clothing-scarves/").content.decode()
    shopper = UserFactory(verified=True, name="Ada")
    client.force_login(shopper)

    html = client.get("/c/clothing-scarves/").content.decode()

    assert "Merino scarf" in anonymous and "Merino scarf" in html
    assert "Log out" in html and "Log out" not in anonymous


def test_hits_and_misses_are_logged_at_debug_level(
    client: Client, scarf: Product, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="catalog.storefront_cache"):
        client.get("/s/wool-barn/")
        client.get("/s/wool-barn/")

    # (the header's categories menu has its own entry, left out here)
    messages = [
        record.getMessage()
        for record in caplog.records
        if "storefront:header-category-links" not in record.getMessage()
    ]
    assert (
        sum(message.startswith("storefront cache miss storefront:shop:") for message in messages)
        == 1
    )
    assert (
        sum(message.startswith("storefront cache hit storefront:shop:") for message in messages)
        == 1
    )
    assert {record.levelno for record in caplog.records} == {logging.DEBUG}


def test_other_shops_pages_stay_cached_when_one_shop_changes(
    client: Client,
    scarf: Product,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Commit,
) -> None:
    other = ShopFactory(name="Clay Corner", slug="clay-corner")
    with django_capture_on_commit_callbacks(execute=True):
        product_create(
            shop=other, actor=None, title="Mug", price=Decimal("9"), status=Product.Status.ACTIVE
        )
    client.get("/s/wool-barn/")
    client.get("/s/clay-corner/")

    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=scarf, actor=None, data={"title": "Merino wrap"})
    with caplog.at_level(logging.DEBUG, logger="catalog.storefront_cache"):
        assert "Merino wrap" in client.get("/s/wool-barn/").content.decode()
        client.get("/s/clay-corner/")

    # (the header's categories menu has its own entry, left out here)
    messages = [
        record.getMessage()
        for record in caplog.records
        if "storefront:header-category-links" not in record.getMessage()
    ]
    assert [message.split(":")[0] + ":" + message.split(":")[1] for message in messages] == [
        "storefront cache miss storefront:shop",
        "storefront cache hit storefront:shop",
    ]


def test_a_missing_entry_is_computed_once_while_the_others_wait_for_it() -> None:
    import threading
    import time

    from catalog.storefront_cache import cached

    computed: list[int] = []
    answers: list[object] = []

    def compute() -> str:
        computed.append(1)
        time.sleep(0.3)
        return "the home page"

    def shopper() -> None:
        answers.append(cached("stampede", scopes=["global"], parts=[], compute=compute))

    shoppers = [threading.Thread(target=shopper) for _ in range(5)]
    for thread in shoppers:
        thread.start()
    for thread in shoppers:
        thread.join(timeout=15)

    assert answers == ["the home page"] * 5
    assert len(computed) == 1


def test_a_failed_computation_lets_the_next_request_compute() -> None:
    from catalog.storefront_cache import cached

    def broken() -> str:
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        cached("flaky", scopes=["global"], parts=[], compute=broken)

    assert cached("flaky", scopes=["global"], parts=[], compute=lambda: "fine") == "fine"


def test_a_hit_reads_the_versions_and_the_entry_in_one_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.core.cache import cache

    from catalog.storefront_cache import cached

    cached("one-trip", scopes=["global", "tree"], parts=[], compute=lambda: "the page")
    calls: list[str] = []
    for method in ("get", "get_many", "add", "set", "delete"):
        original = getattr(cache, method)
        monkeypatch.setattr(
            cache,
            method,
            lambda *args, _name=method, _original=original, **kwargs: (
                calls.append(_name) or _original(*args, **kwargs)
            ),
        )

    assert cached("one-trip", scopes=["global", "tree"], parts=[], compute=lambda: "?") == (
        "the page"
    )
    assert calls == ["get_many"]
