"""Prices follow the shop's currency: no decimals in yen, two in dollars, three in dinars.

More decimals than the currency has are refused with a field error (400 on the API, a form
error on the dashboard, a row error in a CSV import), never rounded silently."""

import io
from decimal import Decimal

import pytest
from django.test import Client

from catalog.models import Product, ProductVariant
from catalog.services.imports import COLUMNS, products_import_csv
from catalog.tests.factories import ProductFactory
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def _in(team: Team, currency: str) -> Team:
    team.shop.currency = currency
    team.shop.save(update_fields=["currency"])
    return team


def _create(team: Team, **fields: object):
    body = {"title": "Tea Bowl", "status": "active", **fields}
    return team.client("owner").post(f"/api/v1/shops/{team.shop.pk}/products", body, format="json")


@pytest.mark.parametrize(
    ("currency", "price", "message"),
    [
        ("JPY", "10.55", "JPY amounts have no decimals."),
        ("JPY", "1000.5", "JPY amounts have no decimals."),
        ("USD", "10.555", "USD amounts have at most 2 decimals."),
        # More decimals than any currency has: the currency's rule too, not "at most 3".
        ("USD", "12.3456", "USD amounts have at most 2 decimals."),
        ("BHD", "1.0005", "BHD amounts have at most 3 decimals."),
    ],
)
def test_a_price_with_more_decimals_than_the_currency_is_a_400(
    team: Team, currency: str, price: str, message: str
) -> None:
    response = _create(_in(team, currency), price=price)

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"price": [message]}
    assert not Product.objects.filter(shop=team.shop).exists()


def test_a_price_larger_than_the_column_holds_is_a_400_not_a_500(team: Team) -> None:
    response = _create(_in(team, "USD"), price="12345678901.5")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "price": ["Ensure this value is less than or equal to 9999999999.999."]
    }


def test_a_compare_at_price_follows_the_currency_too(team: Team) -> None:
    response = _create(_in(team, "JPY"), price="1000", compare_at_price="1200.5")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "compare_at_price": ["JPY amounts have no decimals."]
    }


@pytest.mark.parametrize(
    ("currency", "price", "shown"),
    [("JPY", "1000", "1000.00"), ("BHD", "12.345", "12.345"), ("BHD", "12.5", "12.500")],
)
def test_whole_minor_units_are_stored_exactly(
    team: Team, currency: str, price: str, shown: str
) -> None:
    response = _create(_in(team, currency), price=price)

    assert response.status_code == 201, response.json()
    product = Product.objects.get(shop=team.shop)
    assert product.price == Decimal(price)
    assert response.json()["price"] == shown


def test_variant_prices_follow_the_currency_on_create_and_update(team: Team) -> None:
    product = ProductFactory(shop=_in(team, "JPY").shop, price=Decimal("1000"))
    variant = product.variants.get()
    client = team.client("owner")

    created = client.post(
        f"/api/v1/products/{product.pk}/variants",
        {"options": {"size": "L"}, "price": "10.55"},
        format="json",
    )
    updated = client.patch(
        f"/api/v1/products/{product.pk}/variants/{variant.pk}", {"price": "99.9"}, format="json"
    )
    whole = client.patch(
        f"/api/v1/products/{product.pk}/variants/{variant.pk}", {"price": "999"}, format="json"
    )

    assert created.status_code == 400
    assert created.json()["error"]["fields"] == {"price": ["JPY amounts have no decimals."]}
    assert updated.status_code == 400
    assert updated.json()["error"]["fields"] == {"price": ["JPY amounts have no decimals."]}
    assert whole.status_code == 200
    assert ProductVariant.objects.get(pk=variant.pk).price == Decimal("999")
    assert product.variants.count() == 1


@pytest.mark.parametrize(
    ("currency", "price", "message"),
    [
        ("JPY", "10.55", "JPY amounts have no decimals."),
        ("USD", "12.3456", "USD amounts have at most 2 decimals."),
    ],
)
def test_the_dashboard_form_shows_the_error_on_the_price(
    team: Team, currency: str, price: str, message: str
) -> None:
    client = Client()
    client.force_login(_in(team, currency).owner)
    data = {
        "title": "Tea Bowl",
        "description": "",
        "price": price,
        "compare_at_price": "",
        "status": "active",
        "track_inventory": "on",
        "tags": "",
        "options-TOTAL_FORMS": "0",
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "3",
        "variants-TOTAL_FORMS": "1",
        "variants-INITIAL_FORMS": "0",
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "100",
        "variants-0-sku": "BOWL",
        "variants-0-price": "",
        "variants-0-inventory_count": "1",
    }

    response = client.post("/dashboard/products/create/", data)

    assert response.status_code in (200, 400)
    assert response.context["form"].errors == {"price": [message]}
    # The browser leaves the decimals to the server, which knows the currency.
    assert 'step="any"' in response.content.decode()
    assert not Product.objects.filter(shop=team.shop).exists()


def test_a_csv_import_reports_a_price_the_currency_cannot_hold(team: Team) -> None:
    shop = _in(team, "JPY").shop
    text = "\n".join(
        [
            ",".join(COLUMNS),
            "bowl,Bowl,,active,1000,,true,,,BOWL-1,,,1",
            "cup,Cup,,active,10.55,,true,,,CUP-1,,,1",
            "mug,Mug,,active,500,,true,,,MUG-1,,20.5,1",
        ]
    )

    report = products_import_csv(shop=shop, actor=shop.owner, source=io.BytesIO(text.encode()))

    assert [(error.line, error.messages) for error in report.errors] == [
        (3, ["price: JPY amounts have no decimals."]),
        (4, ["variant_price: JPY amounts have no decimals."]),
    ]
    assert not Product.objects.filter(shop=shop).exists()
