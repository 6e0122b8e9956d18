"""Every API error has one shape, whichever layer produced it."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import Client
from django.urls import path
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from marketmate.errors import ConflictError

pytestmark = pytest.mark.django_db


class PriceSerializer(serializers.Serializer[dict[str, object]]):
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)
    title = serializers.CharField()


class PriceView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def post(self, request: Request) -> Response:
        serializer = PriceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(serializer.validated_data)


class ConflictView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def post(self, request: Request) -> Response:
        raise ConflictError("Only 2 left in stock.", code="out_of_stock")


class ModelRuleView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def post(self, request: Request) -> Response:
        raise DjangoValidationError({"slug": ["This slug is taken."]})


class OncePerMinute(AnonRateThrottle):
    rate = "1/minute"


class ThrottledView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    throttle_classes = [OncePerMinute]

    def get(self, request: Request) -> Response:
        return Response({"ok": True})


class BrokenView(APIView):
    authentication_classes: list[type] = []
    permission_classes: list[type] = []

    def get(self, request: Request) -> Response:
        raise RuntimeError("a bug")


urlpatterns = [
    path("api/v1/price", PriceView.as_view()),
    path("api/v1/conflict", ConflictView.as_view()),
    path("api/v1/model-rule", ModelRuleView.as_view()),
    path("api/v1/throttled", ThrottledView.as_view()),
    path("api/v1/broken", BrokenView.as_view()),
]


def test_unknown_api_path_is_a_json_404(client: Client) -> None:
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "Not found.", "fields": {}}
    }


def test_wrong_method_is_a_json_405(user_api_client: APIClient) -> None:
    response = user_api_client.delete("/api/v1/users/me")

    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"
    assert response.json()["error"]["message"] == 'Method "DELETE" not allowed.'


def test_anonymous_on_a_private_endpoint_is_a_json_401(api_client: APIClient) -> None:
    response = api_client.get("/api/v1/users/me")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_page_outside_the_api_is_a_styled_html_404(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


@pytest.mark.urls(__name__)
def test_invalid_fields_are_a_400_with_messages_per_field(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/price", {"price": "-1"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "validation_error",
            "message": "The request has invalid fields.",
            "fields": {
                "price": ["Ensure this value is greater than or equal to 0."],
                "title": ["This field is required."],
            },
        }
    }


@pytest.mark.urls(__name__)
def test_malformed_json_is_a_400_parse_error(api_client: APIClient) -> None:
    response = api_client.generic(
        "POST", "/api/v1/price", '{"price": ', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"


@pytest.mark.urls(__name__)
def test_an_application_conflict_is_a_409_with_its_code(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/conflict")

    assert response.status_code == 409
    assert response.json() == {
        "error": {"code": "out_of_stock", "message": "Only 2 left in stock.", "fields": {}}
    }


@pytest.mark.urls(__name__)
def test_a_model_validation_error_is_a_400_with_fields(api_client: APIClient) -> None:
    response = api_client.post("/api/v1/model-rule")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"slug": ["This slug is taken."]}


@pytest.mark.urls(__name__)
def test_throttling_is_a_429_with_retry_after(api_client: APIClient) -> None:
    api_client.get("/api/v1/throttled")

    response = api_client.get("/api/v1/throttled")

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


@pytest.mark.urls(__name__)
def test_an_unexpected_failure_is_a_json_500_without_details() -> None:
    client = APIClient(raise_request_exception=False)

    response = client.get("/api/v1/broken")

    assert response.status_code == 500
    assert response.json() == {
        "error": {
            "code": "server_error",
            "message": "Something went wrong on our side.",
            "fields": {},
        }
    }


handler404 = "marketmate.errors.page_not_found"
handler500 = "marketmate.errors.server_error"
