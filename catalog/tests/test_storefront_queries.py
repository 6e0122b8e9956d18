"""A query budget on every listing page and endpoint, computed with an empty cache (the work a
cache miss does), and no more queries whether a page lists 3 products or 30."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from catalog.models import Product
from catalog.services.categories import category_get_or_create_path
from catalog.services.products import product_create
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db

URLS = [
    "/",
    "/c/clothing/",
    "/c/clothing-shirts/",
    "/s/tee-house/",
    "/search/?q=shirt",
    "/search/?q=shirt&option=size:M&sort=rating",
    "/search/?category=clothing&in_stock=1&price=0-25",
    "/api/v1/products",
    "/api/v1/products?q=shirt&option=size:M&sort=rating&page_size=50",
    "/api/v1/products/facets?q=shirt",
    "/api/v1/products/facets?option=colour:Red",
    "/api/v1/search/suggest?q=sh",
]
# Each page's queries on a miss: the session and feature flags, the object the page is about,
# the list and its count, cards' images and stock, facets (one per kind).
BUDGET = 14


def _catalog(count: int, *, first: int = 0) -> None:
    shop = Shop.objects.filter(slug="tee-house").first() or ShopFactory(
        name="Tee House", slug="tee-house", language="en"
    )
    shirts = category_get_or_create_path(names=["Clothing", "Shirts"])
    for index in range(first, first + count):
        product_create(
            shop=shop,
            actor=None,
            title=f"Shirt {index}",
            price=Decimal("20.00"),
            status=Product.Status.ACTIVE,
            categories=[shirts],
            tags=[f"tag {index % 4}"],
            variants=[
                {
                    "sku": f"S{index}-S",
                    "options": {"size": "S", "colour": "Red"},
                    "inventory_count": 2,
                },
                {"sku": f"S{index}-M", "options": {"size": "M", "colour": "Blue"}},
            ],
        )


def _queries(client: Client, url: str) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


@pytest.mark.parametrize("url", URLS)
def test_listing_query_count_is_within_budget_and_flat(
    client: Client, url: str, django_assert_max_num_queries: Any
) -> None:
    _catalog(3)
    few = _queries(client, url)
    _catalog(27, first=3)

    many = _queries(client, url)

    # (Suggestions need one query less once the prefix match alone finds enough.)
    assert many <= few, url
    cache.clear()
    with django_assert_max_num_queries(BUDGET):
        client.get(url)
