"""The OpenAPI schema says what the API does (issue #18): every error an operation can answer is
declared with the one error body, media URLs are absolute as `format: uri` says, and input the
schema calls invalid is refused rather than guessed at."""

from typing import Any

import pytest
from django.test import TestCase
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient
from rest_framework.utils.encoders import JSONEncoder

from accounts.tests.factories import UserFactory
from catalog.tests.factories import ProductFactory
from catalog.tests.images import image_upload
from shops.tests.team import Team, team_build

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    import json

    document = SchemaGenerator(
        patterns=[path("api/v1/", include(("marketmate.api_router", "v1"), namespace="v1"))],
        api_version="v1",
    ).get_schema(request=None, public=True)
    loaded: dict[str, Any] = json.loads(json.dumps(document, cls=JSONEncoder))
    return loaded


def _operation(schema: dict[str, Any], method: str, route: str) -> dict[str, Any]:
    operation: dict[str, Any] = schema["paths"][route][method]
    return operation


ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def team(db: None) -> Team:
    return team_build()


# --- Declared errors ----------------------------------------------------------------------------


def test_an_authenticated_detail_change_declares_every_shared_error(schema: dict[str, Any]) -> None:
    responses = _operation(schema, "patch", "/api/v1/products/{product_id}")["responses"]

    assert sorted(responses) == ["200", "400", "401", "403", "404", "409", "415", "429"]
    for status in ["400", "401", "403", "404", "409", "415", "429"]:
        assert responses[status]["content"]["application/json"]["schema"] == ERROR_REF
    assert responses["429"]["headers"]["Retry-After"]["schema"] == {"type": "integer"}


def test_a_paginated_list_declares_404_for_an_unknown_cursor(schema: dict[str, Any]) -> None:
    responses = _operation(schema, "get", "/api/v1/orders")["responses"]

    assert sorted(responses) == ["200", "400", "401", "403", "404", "429"]


def test_an_unauthenticated_operation_declares_no_401_of_the_machinery(
    schema: dict[str, Any],
) -> None:
    responses = _operation(schema, "post", "/api/v1/auth/register")["responses"]

    assert sorted(responses) == ["202", "400", "404", "415", "429"]


def test_errors_an_operation_declares_without_a_body_get_the_error_body(
    schema: dict[str, Any],
) -> None:
    responses = _operation(schema, "post", "/api/v1/auth/login")["responses"]

    assert responses["401"]["content"]["application/json"]["schema"] == ERROR_REF
    assert responses["403"]["content"]["application/json"]["schema"] == ERROR_REF


def test_the_error_body_is_described(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]

    assert components["Error"]["required"] == ["error"]
    assert sorted(components["ErrorDetail"]["properties"]) == ["code", "fields", "message"]


def test_page_size_is_declared_from_1_to_100(schema: dict[str, Any]) -> None:
    parameters = _operation(schema, "get", "/api/v1/products")["parameters"]

    page_size = next(parameter for parameter in parameters if parameter["name"] == "page_size")
    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 100}


# --- Invalid input is refused -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["null", "abc", "0", "-1", "101", "2.5", "٣", ""])
@pytest.mark.parametrize("route", ["/api/v1/products", "/api/v1/admin/users", "/api/v1/orders"])
def test_a_page_size_that_is_not_1_to_100_is_a_400(route: str, value: str) -> None:
    client = APIClient()
    client.force_authenticate(UserFactory(is_staff=True))

    response = client.get(route, {"page_size": value})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["page_size"]


def test_a_page_size_from_1_to_100_is_obeyed(user_api_client: APIClient) -> None:
    ProductFactory.create_batch(3)

    response = user_api_client.get("/api/v1/products", {"page_size": "2"})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 2


def test_an_empty_query_parameter_is_checked_not_ignored(user_api_client: APIClient) -> None:
    response = user_api_client.get("/api/v1/products?tag=")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["tag"]


def test_an_empty_form_field_is_empty_not_left_out(user_api_client: APIClient) -> None:
    response = user_api_client.patch("/api/v1/users/me", {"email": ""}, format="multipart")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["email"]


def test_an_empty_form_field_does_not_count_as_left_out(team: Team) -> None:
    response = team.client("owner").patch(
        f"/api/v1/shops/{team.shop.pk}", {"currency": ""}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["currency"]


def test_operations_without_uploads_take_json_only(user_api_client: APIClient) -> None:
    response = user_api_client.post("/api/v1/shops", {"name": "A form"}, format="multipart")

    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


@pytest.mark.parametrize("value", [0, 1, "1", "yes", "on", ""])
def test_a_boolean_must_be_true_or_false(user_api_client: APIClient, value: object) -> None:
    response = user_api_client.post(
        "/api/v1/users/me/addresses",
        {
            "full_name": "Ann Lee",
            "line1": "Torstraße 1",
            "city": "Berlin",
            "country": "DE",
            "is_default_billing": value,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["is_default_billing"]


@pytest.mark.parametrize(
    ("word", "answer"), [("true", (200, True)), ("false", (200, False)), ("1", (400, None))]
)
def test_form_booleans_are_the_words_true_and_false(
    team: Team, word: str, answer: tuple[int, bool | None]
) -> None:
    response = team.client("owner").patch(
        f"/api/v1/shops/{team.shop.pk}", {"prices_include_tax": word}, format="multipart"
    )

    assert (response.status_code, response.json().get("prices_include_tax")) == answer


def test_a_number_is_not_text(user_api_client: APIClient) -> None:
    response = user_api_client.post(
        "/api/v1/users/me/addresses",
        {
            "full_name": "Ann Lee",
            "line1": "Torstraße 1",
            "city": "Berlin",
            "country": "DE",
            "phone": 0,
        },
        format="json",
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["phone"]


# --- Media URLs are absolute --------------------------------------------------------------------


def test_image_and_thumbnail_urls_are_absolute(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    with TestCase.captureOnCommitCallbacks(execute=True):
        uploaded = team.client("staff").post(
            f"/api/v1/products/{product.pk}/images",
            {"image": image_upload(size=(400, 300)), "alt_text": "A mug"},
            format="multipart",
        )
    assert uploaded.status_code == 201, uploaded.json()

    image = team.client("anonymous").get(f"/api/v1/products/{product.pk}").json()["images"][0]

    assert image["url"].startswith("http://testserver/")
    assert image["thumbnails"]["200"]["webp"].startswith("http://testserver/")
    assert image["thumbnails"]["200"]["jpeg"].startswith("http://testserver/")
