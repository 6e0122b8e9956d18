"""Input an attacker chooses: every one is a 400 or a 404, never a 500, on the API and pages."""

from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory, VariantFactory
from shops.tests.team import Team, team_build

pytestmark = pytest.mark.django_db

INT_MAX = 2_147_483_647


@pytest.fixture
def team() -> Team:
    return team_build()


def _post_raw(client: APIClient, url: str, body: str) -> tuple[int, dict[str, object]]:
    response = client.generic(
        "POST", url, body.encode("utf-8", "surrogatepass"), "application/json"
    )
    return response.status_code, response.json()


# --- JSON the database or the interpreter cannot take -------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"email": ' + '{"a": ' * 1000 + "1" + "}" * 1000 + "}",
        '{"email": ' + "[" * 40 + "]" * 40 + ', "password": "x"}',
    ],
    ids=["arrays-1000-deep", "objects-1000-deep", "arrays-40-deep"],
)
def test_json_nested_deep_is_a_400_for_an_anonymous_caller(body: str) -> None:
    status, answer = _post_raw(APIClient(), "/api/v1/auth/login", body)

    assert status == 400
    assert answer["error"]["code"] == "parse_error"  # type: ignore[index]


@pytest.mark.parametrize("key", ["Si\\u0000ze", "Si\\ud800ze"], ids=["nul", "lone-surrogate"])
def test_a_nul_or_lone_surrogate_in_a_json_key_is_a_400(team: Team, key: str) -> None:
    product = ProductFactory(shop=team.shop)
    body = '{"sku": "SOCK-X", "options": {"' + key + '": "L"}, "inventory_count": 1}'

    status, answer = _post_raw(
        team.client("owner"), f"/api/v1/products/{product.pk}/variants", body
    )

    assert status == 400, answer
    assert answer["error"]["code"] == "parse_error"  # type: ignore[index]
    assert not ProductVariant.objects.filter(sku="SOCK-X").exists()


# --- Integers past the column's range -----------------------------------------------------------
def test_a_stock_adjustment_past_the_column_range_is_a_400(team: Team) -> None:
    variant = VariantFactory(product__shop=team.shop, inventory_count=5)

    too_far = team.client("owner").post(
        f"/api/v1/variants/{variant.pk}/inventory-adjustments",
        {"delta": INT_MAX, "reason": "restock"},
        format="json",
    )
    huge = team.client("owner").post(
        f"/api/v1/variants/{variant.pk}/inventory-adjustments",
        {"delta": 10**30, "reason": "restock"},
        format="json",
    )

    assert (too_far.status_code, huge.status_code) == (400, 400), (too_far.json(), huge.json())
    assert "delta" in too_far.json()["error"]["fields"]
    variant.refresh_from_db()
    assert variant.inventory_count == 5


def test_an_inventory_count_past_the_column_range_is_a_400_on_product_and_variant_create(
    team: Team,
) -> None:
    product = ProductFactory(shop=team.shop)
    client = team.client("owner")

    created_product = client.post(
        f"/api/v1/shops/{team.shop.pk}/products",
        {"title": "Too Many", "price": "1.00", "inventory_count": INT_MAX + 1},
        format="json",
    )
    created_variant = client.post(
        f"/api/v1/products/{product.pk}/variants",
        {"sku": "TOO-MANY", "inventory_count": INT_MAX + 1},
        format="json",
    )

    assert created_product.status_code == 400, created_product.json()
    assert "inventory_count" in created_product.json()["error"]["fields"]
    assert created_variant.status_code == 400, created_variant.json()
    assert "inventory_count" in created_variant.json()["error"]["fields"]
    assert not Product.objects.filter(title="Too Many").exists()


# --- Pages ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/dashboard/", "/no-such-page/"])
def test_a_host_header_not_in_allowed_hosts_is_a_400_on_pages(path: str) -> None:
    response = Client(raise_request_exception=False).get(path, HTTP_HOST="attacker.example")

    assert response.status_code == 400


@pytest.mark.parametrize(
    "statement", ["99999-12.csv", "0-1.csv", "9999-12.csv", "1-1.pdf", "2026-0.csv"]
)
def test_a_statement_of_an_impossible_month_is_a_404(team: Team, statement: str) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(team.owner)

    response = client.get(f"/dashboard/payouts/statements/{statement}")

    assert response.status_code == 404


# --- Digits ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "\uff15.\uff10\uff10"),
        ("price", "\u0663.50"),
        ("inventory_count", "\u0663"),
        ("inventory_count", "\uff13"),
    ],
)
def test_prices_and_quantities_in_non_ascii_digits_are_refused_by_the_api(
    team: Team, field: str, value: str
) -> None:
    body = {"title": "Unicode Digits", "price": "3.00", "inventory_count": 1, field: value}

    response = team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/products", body, format="json"
    )

    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]
    assert not Product.objects.filter(title="Unicode Digits").exists()


@pytest.mark.parametrize("quantity", ["\u0663", "\uff13"])
def test_a_cart_quantity_in_non_ascii_digits_is_refused(quantity: str) -> None:
    variant = VariantFactory(inventory_count=10, price=Decimal("4.00"))
    client = APIClient()
    client.force_authenticate(UserFactory())

    response = client.post(
        "/api/v1/cart", {"variant_id": variant.pk, "quantity": quantity}, format="json"
    )

    assert response.status_code == 400, response.json()
    assert "quantity" in response.json()["error"]["fields"]
