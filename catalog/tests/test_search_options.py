"""Variant options (size, colour) as facets and filters, the rating sort, and search vectors
that follow renamed categories and tags and a shop's language."""

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from catalog import search
from catalog.models import Product, ProductVariant, Tag
from catalog.services.categories import category_get_or_create_path, category_rename
from catalog.services.products import (
    product_create,
    variant_create,
    variant_delete,
    variant_update,
)
from catalog.services.stock import stock_adjust, stock_reserve
from catalog.services.tags import tag_rename
from shops.models import Shop
from shops.services import shop_update
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def _make(shop: Shop, title: str, options: list[dict[str, str]], **kwargs: Any) -> Product:
    return product_create(
        shop=shop,
        actor=None,
        title=title,
        price=Decimal(kwargs.pop("price", "20.00")),
        status=Product.Status.ACTIVE,
        variants=[
            {"sku": f"{title[:3]}-{index}", "options": option, "inventory_count": 2}
            for index, option in enumerate(options)
        ],
        **kwargs,
    )


@pytest.fixture
def shirts() -> dict[str, Product]:
    shop = ShopFactory(name="Tee House", slug="tee-house", language="en")
    products = {
        "plain": _make(
            shop,
            "Plain shirt",
            [{"size": "S", "colour": "Red"}, {"size": "M", "colour": "Blue"}],
        ),
        "striped": _make(
            shop,
            "Striped shirt",
            [{"size": "M", "colour": "Red"}, {"size": "L", "colour": "Red"}],
        ),
        "linen": _make(shop, "Linen shirt", [{"size": "L", "colour": "White"}]),
        "mug": _make(shop, "Shirt print mug", [{}]),
    }
    Product.objects.filter(pk=products["plain"].pk).update(
        rating_average=Decimal("4.50"), rating_count=10
    )
    Product.objects.filter(pk=products["striped"].pk).update(
        rating_average=Decimal("4.90"), rating_count=3
    )
    Product.objects.filter(pk=products["linen"].pk).update(
        rating_average=Decimal("4.50"), rating_count=40
    )
    return products


def test_option_facets_count_products_not_variants(shirts: dict[str, Product]) -> None:
    facets = search.facets_count(products=Product.objects.all())

    assert facets.options == [
        {
            "name": "size",
            "values": [
                {"value": "L", "count": 2},
                {"value": "M", "count": 2},
                {"value": "S", "count": 1},
            ],
        },
        {
            "name": "colour",
            "values": [
                {"value": "Red", "count": 2},
                {"value": "Blue", "count": 1},
                {"value": "White", "count": 1},
            ],
        },
    ]


def _facet_options(product: Product) -> list[list[str]]:
    product.refresh_from_db(fields=["facet_options"])
    return product.facet_options


def _row_version(product: Product) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT xmin::text FROM catalog_product WHERE id = %s", [product.pk])
        return cursor.fetchone()[0]


def test_postgresql_keeps_the_facet_options_whoever_changes_the_variants(
    shirts: dict[str, Product],
) -> None:
    plain, mug = shirts["plain"], shirts["mug"]
    assert _facet_options(plain) == [
        ["colour", "Blue"],
        ["colour", "Red"],
        ["size", "M"],
        ["size", "S"],
    ]
    assert _facet_options(mug) in (None, [])  # a variant without options changes nothing

    added = variant_create(
        product=mug, actor=None, spec={"sku": "mug-big", "options": {"size": "XL"}}
    )
    assert _facet_options(mug) == [["size", "XL"]]
    variant_update(variant=added, actor=None, data={"options": {"size": "XXL"}})
    assert _facet_options(mug) == [["size", "XXL"]]
    variant_delete(variant=added, actor=None)
    assert _facet_options(mug) == []
    # Whoever writes the variants: a queryset update, moving a variant, raw SQL.
    blue = plain.variants.get(options__colour="Blue", is_default=False)
    ProductVariant.objects.filter(pk=blue.pk).update(options={"size": "M", "colour": "Green"})
    assert _facet_options(plain) == [
        ["colour", "Green"],
        ["colour", "Red"],
        ["size", "M"],
        ["size", "S"],
    ]
    ProductVariant.objects.filter(pk=blue.pk).update(product=mug)
    assert _facet_options(plain) == [["colour", "Red"], ["size", "S"]]
    assert _facet_options(mug) == [["colour", "Green"], ["size", "M"]]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalog_productvariant SET options = '{}' WHERE id = %s", [blue.pk])
    assert _facet_options(mug) == []

    # Stock changes (every sale) write no product row, so they lock none.
    red = plain.variants.get()
    version = _row_version(plain)
    stock_reserve(variant=red, quantity=1)
    stock_adjust(variant=red, delta=3, reason="restock", actor=None)
    variant_update(variant=red, actor=None, data={"weight_grams": 300})
    assert _row_version(plain) == version
    # What the search reads: the facets.
    facets = search.facets_count(products=Product.objects.filter(pk=plain.pk))
    assert facets.options == [
        {"name": "colour", "values": [{"value": "Red", "count": 1}]},
        {"name": "size", "values": [{"value": "S", "count": 1}]},
    ]


@pytest.mark.django_db(transaction=True)
def test_two_edits_of_one_products_variants_at_once_both_reach_its_facet_options() -> None:
    shop = ShopFactory(name="Tee House", slug="tee-house", language="en")
    shirt = _make(shop, "Plain shirt", [{"size": "S"}, {"size": "M"}])
    small, medium = shirt.variants.order_by("pk")
    first_written = threading.Event()

    def first_edit() -> None:
        try:
            with transaction.atomic():
                variant_update(variant=small, actor=None, data={"options": {"size": "XS"}})
                first_written.set()
                # The second edit starts now and waits for this one, which has not committed.
                threading.Event().wait(0.5)
        finally:
            first_written.set()
            connection.close()

    thread = threading.Thread(target=first_edit)
    thread.start()
    first_written.wait(10)
    variant_update(variant=medium, actor=None, data={"options": {"size": "XL"}})
    thread.join()

    assert _facet_options(shirt) == [["size", "XL"], ["size", "XS"]]


def test_option_filters_need_one_variant_with_every_named_option(
    shirts: dict[str, Product],
) -> None:
    def titles(*options: str) -> list[str]:
        body = APIClient().get("/api/v1/products", {"option": list(options)}).json()
        return sorted(item["title"] for item in body["results"])

    assert titles("size:M") == ["Plain shirt", "Striped shirt"]
    assert titles("size:M", "colour:Red") == ["Striped shirt"]
    assert titles("size:S", "size:L") == ["Linen shirt", "Plain shirt", "Striped shirt"]
    assert titles("Size: m ") == []  # values are compared as stored: "M", not "m"
    assert titles("SIZE:M") == ["Plain shirt", "Striped shirt"]


def test_the_search_page_shows_option_facets_chips_and_keeps_them_in_links(
    client: Client, shirts: dict[str, Product]
) -> None:
    html = client.get("/search/", {"q": "shirt", "option": "colour:Red"}).content.decode()

    assert "2 results for" in html
    assert '<h2 class="facet__title">Size</h2>' in html
    assert 'href="?q=shirt&amp;option=colour%3ARed&amp;option=size%3AL"' in html
    assert 'aria-label="Remove filter Colour: Red"' in html
    assert '<input type="hidden" name="option" value="colour:Red">' in html


def test_bad_option_filters_are_a_clear_400(client: Client, shirts: dict[str, Product]) -> None:
    api = APIClient().get("/api/v1/products", {"option": "size"})
    assert api.status_code == 400
    assert api.json()["error"]["fields"]["option"] == ["Write options as name:value, e.g. size:M."]
    too_many = [f"size:{size}" for size in "ABCDEF"]
    assert APIClient().get("/api/v1/products/facets", {"option": too_many}).status_code == 400
    assert client.get("/search/", {"option": "nocolon"}).status_code == 400


def test_sort_by_rating_puts_the_best_rated_first(
    client: Client, shirts: dict[str, Product]
) -> None:
    body = APIClient().get("/api/v1/products", {"sort": "rating"}).json()
    assert [item["title"] for item in body["results"]] == [
        "Striped shirt",
        "Linen shirt",
        "Plain shirt",
        "Shirt print mug",
    ]
    html = client.get("/search/", {"q": "shirt", "sort": "rating"}).content.decode()
    assert html.index("Striped shirt") < html.index("Linen shirt") < html.index("Plain shirt")
    assert '<option value="rating" selected>Customer rating</option>' in html


def test_renaming_a_category_refreshes_its_products_search_vectors() -> None:
    shop = ShopFactory(language="en")
    scarves = category_get_or_create_path(names=["Scarves"])
    _make(shop, "Merino wrap", [{}], categories=[scarves])
    _make(shop, "Teapot", [{}])

    category_rename(category=scarves, actor=None, name="Winter accessories")

    found = search.products_search(products=Product.objects.all(), text="accessories")
    assert [product.title for product in found] == ["Merino wrap"]
    assert not search.products_search(products=Product.objects.all(), text="scarves").exists()


def test_renaming_a_tag_refreshes_its_products_search_vectors() -> None:
    shop = ShopFactory(language="en")
    _make(shop, "Merino wrap", [{}], tags=["winter"])

    tag_rename(tag=Tag.objects.get(name="winter"), actor=None, name="Snowy  Days")

    assert Tag.objects.get(slug="winter").name == "snowy days"
    found = search.products_search(products=Product.objects.all(), text="snowy")
    assert [product.title for product in found] == ["Merino wrap"]


def test_a_shops_new_language_re_stems_its_products() -> None:
    shop = ShopFactory(language="en")
    _make(shop, "Häuser aus Holz", [{}])
    assert not search.products_search(products=Product.objects.all(), text="haus").exists()

    shop_update(shop=shop, actor=shop.owner, data={"language": "de"})

    found = search.products_search(products=Product.objects.all(), text="haus")
    assert [product.title for product in found] == ["Häuser aus Holz"]
