"""`GET /api/v1/products?q=`, `/api/v1/products/facets` and `/api/v1/search/suggest`."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("catalog_shops")]


def test_product_list_searches_with_q(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/products", {"q": "wool", "sort": "price_asc"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["results"]] == [
        "Knitting needles",
        "Wool socks",
        "Striped scarf",
        "Merino wool scarf",
    ]


def test_product_list_q_combines_with_filters(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/products", {"q": "winter", "in_stock": "true"})
    assert sorted(item["title"] for item in response.json()["results"]) == [
        "Merino wool scarf",
        "Striped scarf",
    ]


@pytest.mark.parametrize("raw", ["a", "x" * 10_000, "!!!", "wo\x00ol"])
def test_bad_q_is_a_400_with_a_field_message(api_client: APIClient, raw: str) -> None:
    response = api_client.get("/api/v1/products", {"q": raw})
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["q"]


def test_sql_meta_characters_are_only_words(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/products", {"q": "wool'; DROP TABLE x; -- :* <->"})
    assert response.status_code == 200


def test_facets_endpoint(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/products/facets", {"q": "wool"})
    body = response.json()
    assert response.status_code == 200
    assert body["categories"] == [{"slug": "clothing-scarves", "name": "Scarves", "count": 2}]
    assert body["shops"] == [{"slug": "wool-barn", "name": "Wool Barn", "count": 4}]
    assert body["tags"] == [
        {"slug": "winter", "name": "winter", "count": 3},
        {"slug": "gift", "name": "gift", "count": 1},
    ]
    assert body["price_bands"] == [
        {"key": "0-25", "min": None, "max": "25.00", "count": 3},
        {"key": "25-50", "min": "25.00", "max": "50.00", "count": 1},
    ]
    assert body["in_stock"] == 3
    assert api_client.get("/api/v1/products/facets", {"q": "!"}).status_code == 400


def test_facets_and_list_query_counts_are_flat(
    api_client: APIClient,
) -> None:
    for url in ("/api/v1/products/facets", "/api/v1/products", "/api/v1/search/suggest"):
        with CaptureQueriesContext(connection) as context:
            assert api_client.get(url, {"q": "wool"}).status_code == 200
        assert len(context.captured_queries) <= 8, url


def test_suggest_endpoint(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/search/suggest", {"q": "wo"})
    body = response.json()
    assert response.status_code == 200
    assert [item["title"] for item in body["products"]] == ["Wool socks", "Merino wool scarf"]
    assert body["shops"] == [{"slug": "wool-barn", "name": "Wool Barn", "url": "/s/wool-barn/"}]
    assert body["products"][0]["url"] == f"/p/{body['products'][0]['pk']}/wool-socks/"
    assert body["categories"] == []
    assert api_client.get("/api/v1/search/suggest", {"q": "w"}).status_code == 400
    assert api_client.get("/api/v1/search/suggest").status_code == 400
