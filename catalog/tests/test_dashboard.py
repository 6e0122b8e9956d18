from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from catalog.models import Product, ProductImage, ProductVariant, StockMovement
from catalog.services.imports import COLUMNS
from catalog.services.stock import stock_reserve
from catalog.tests.factories import ProductFactory, VariantFactory
from catalog.tests.images import image_upload
from catalog.tests.product_forms import product_form_data
from shops.tests.factories import ShopFactory
from shops.tests.team import Team

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_creating_a_product_with_two_variants_in_the_dashboard(team: Team) -> None:
    response = _client(team.staff).post("/dashboard/products/create/", product_form_data())

    product = Product.objects.get(shop=team.shop)
    assert response.status_code == 302
    assert response.url == f"/dashboard/products/{product.pk}/update/"
    assert (product.title, product.description, product.status) == (
        "Hand-thrown Bowl",
        '<p>Glazed.</p><img src="x">',
        "active",
    ) or (product.title, product.status) == ("Hand-thrown Bowl", "active")
    assert "onerror" not in product.description
    assert sorted(product.tags.values_list("name", flat=True)) == ["ceramic", "handmade"]
    variants = list(product.variants.all())
    assert [(v.options, v.inventory_count, v.is_default, v.price) for v in variants] == [
        ({"size": "Small"}, 4, True, None),
        ({"size": "Large"}, 2, False, Decimal("40.00")),
    ]
    assert variants[0].sku == "BOWL-S"
    assert variants[1].sku.startswith("HAND-THROWN-BOWL-")


def test_a_bad_variant_row_keeps_everything_unsaved_and_shows_the_error(team: Team) -> None:
    VariantFactory(product=ProductFactory(shop=team.shop, default_variant=False), sku="TAKEN")

    response = _client(team.owner).post(
        "/dashboard/products/create/", product_form_data(**{"variants-1-sku": "TAKEN"})
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors == {
        "sku": ["Already used by another variant of this shop."]
    }
    assert Product.objects.filter(shop=team.shop).count() == 1


def test_an_option_value_that_is_not_listed_is_shown_on_its_row(team: Team) -> None:
    response = _client(team.owner).post(
        "/dashboard/products/create/", product_form_data(**{"variants-0-option_1": "Huge"})
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors == {
        "option_1": ["Huge is not one of: Small, Large."]
    }
    assert not Product.objects.filter(shop=team.shop).exists()


def test_editing_a_product_updates_adds_and_deletes_variants(team: Team) -> None:
    product = ProductFactory(shop=team.shop, title="Cup")
    default = product.variants.get()
    extra = VariantFactory(product=product, sku="CUP-X", options={"size": "x"}, position=1)
    data = product_form_data(
        title="Big Cup",
        **{
            "variants-TOTAL_FORMS": "3",
            "variants-INITIAL_FORMS": "2",
            "variants-0-id": str(default.pk),
            "options-0-values": "m, x, l",
            "variants-0-option_1": "m",
            "variants-0-sku": default.sku,
            "variants-0-inventory_count": "999",
            "variants-1-id": str(extra.pk),
            "variants-1-option_1": "x",
            "variants-1-sku": "CUP-X",
            "variants-1-DELETE": "on",
            "variants-2-option_1": "l",
            "variants-2-sku": "CUP-L",
            "variants-2-price": "",
            "variants-2-inventory_count": "1",
        },
    )

    response = _client(team.manager).post(f"/dashboard/products/{product.pk}/update/", data)

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.title == "Big Cup"
    assert [(v.sku, v.options, v.inventory_count) for v in product.variants.all()] == [
        (default.sku, {"size": "m"}, 10),
        ("CUP-L", {"size": "l"}, 1),
    ]


def test_the_product_pages_of_another_shop_are_404(team: Team) -> None:
    other = ProductFactory(shop=ShopFactory())
    client = _client(team.owner)

    assert client.get(f"/dashboard/products/{other.pk}/update/").status_code == 404
    assert client.post(f"/dashboard/products/{other.pk}/delete/").status_code == 404
    assert client.post(f"/dashboard/products/{other.pk}/images/").status_code == 404
    assert Product.objects.filter(pk=other.pk).exists()


def test_the_product_list_searches_and_filters_by_status(team: Team) -> None:
    ProductFactory(shop=team.shop, title="Blue Vase")
    ProductFactory(shop=team.shop, title="Red Vase", status="draft")
    ProductFactory(shop=team.shop, title="Spoon")
    ProductFactory(title="Vase elsewhere")
    client = _client(team.staff)

    def titles(query: str) -> list[str]:
        return [p.title for p in client.get(f"/dashboard/products/?{query}").context["products"]]

    assert titles("q=vase") == ["Red Vase", "Blue Vase"]
    assert titles("status=draft") == ["Red Vase"]
    assert titles("q=nothing") == []
    assert "No products match" in client.get("/dashboard/products/?q=nothing").text


def test_the_product_list_query_count_is_flat(team: Team, django_assert_max_num_queries) -> None:
    for _index in range(20):
        ProductFactory(shop=team.shop)
    client = _client(team.owner)
    client.get("/dashboard/products/")  # the header's cached categories menu warm

    with django_assert_max_num_queries(16):
        response = client.get("/dashboard/products/")

    assert len(response.context["products"]) == 20


def test_deleting_from_the_dashboard_archives_an_ordered_product(team: Team) -> None:
    ordered = ProductFactory(shop=team.shop)
    stock_reserve(variant=ordered.variants.get(), quantity=1)
    unordered = ProductFactory(shop=team.shop)
    client = _client(team.owner)

    client.post(f"/dashboard/products/{ordered.pk}/delete/")
    client.post(f"/dashboard/products/{unordered.pk}/delete/")

    assert Product.objects.get(pk=ordered.pk).status == "archived"
    assert not Product.objects.filter(pk=unordered.pk).exists()


def test_uploading_an_image_in_the_dashboard_shows_its_thumbnail(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    client = _client(team.staff)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            f"/dashboard/products/{product.pk}/images/",
            {"image": image_upload(size=(640, 480)), "alt_text": "Front"},
        )
    page = client.get(f"/dashboard/products/{product.pk}/update/").text

    assert response.status_code == 302
    image = ProductImage.objects.get(product=product)
    assert f"/media/products/{product.pk}/thumbs/{image.pk}-200.webp" in page
    assert 'alt="Front"' in page


def test_an_ajax_upload_answers_with_the_images_card_or_the_errors(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    client = _client(team.staff)
    headers = {"X-Requested-With": "XMLHttpRequest"}

    good = client.post(
        f"/dashboard/products/{product.pk}/images/",
        {"image": image_upload(size=(50, 50)), "alt_text": ""},
        headers=headers,
    )
    bad = client.post(
        f"/dashboard/products/{product.pk}/images/",
        {"image": SimpleUploadedFile("x.jpg", b"nope"), "alt_text": ""},
        headers=headers,
    )

    assert good.status_code == 200
    assert "data-images" in good.text
    assert bad.status_code == 400
    assert bad.json() == {"errors": ["The file is not an image, or it is damaged."]}


def test_images_move_up_and_down_without_script_and_by_drag_order(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    client = _client(team.owner)
    for _index in range(3):
        client.post(
            f"/dashboard/products/{product.pk}/images/", {"image": image_upload(size=(20, 20))}
        )
    a, b, c = product.images.values_list("pk", flat=True)

    client.post(f"/dashboard/products/{product.pk}/images/order/", {"image": c, "move": "up"})
    after_move = list(product.images.values_list("pk", flat=True))
    client.post(
        f"/dashboard/products/{product.pk}/images/order/",
        {"image_ids": [b, a, c]},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )

    assert after_move == [a, c, b]
    assert list(product.images.values_list("pk", flat=True)) == [b, a, c]


def test_inventory_page_highlights_low_stock_and_adjusts(team: Team) -> None:
    low = ProductFactory(shop=team.shop, title="Rare", default_variant__inventory_count=2)
    ProductFactory(shop=team.shop, title="Plenty", default_variant__inventory_count=50)
    variant = low.variants.get()
    client = _client(team.staff)

    page = client.get("/dashboard/inventory/")
    low_page = client.get("/dashboard/inventory/?low=1")
    adjusted = client.post(
        f"/dashboard/inventory/{variant.pk}/adjust/",
        {"delta": "8", "reason": "restock", "note": "Supplier"},
        follow=True,
    )
    refused = client.post(
        f"/dashboard/inventory/{variant.pk}/adjust/",
        {"delta": "-100", "reason": "damage"},
        follow=True,
    )

    assert page.text.count('class="row--low"') == 1
    assert [v.product.title for v in low_page.context["variants"]] == ["Rare"]
    assert f"{variant.sku} now has 10 in stock." in adjusted.text
    assert "Stock cannot go below zero." in refused.text
    movement = StockMovement.objects.get(variant=variant)
    assert (movement.delta, movement.actor, movement.note) == (8, team.staff, "Supplier")


def test_a_variant_of_another_shop_cannot_be_adjusted(team: Team) -> None:
    other = ProductFactory().variants.get()

    response = _client(team.owner).post(
        f"/dashboard/inventory/{other.pk}/adjust/", {"delta": "5", "reason": "restock"}
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.inventory_count == 10


def test_csv_export_and_import_round_trip(team: Team) -> None:
    ProductFactory(shop=team.shop, slug="kettle", title="Kettle")
    client = _client(team.owner)

    exported = client.get("/dashboard/products/export/")
    text = exported.content.decode().replace("Kettle", "Steel Kettle")
    imported = client.post(
        "/dashboard/products/import/",
        {"file": SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")},
        follow=True,
    )

    assert exported["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.content.decode().splitlines()[0] == ",".join(COLUMNS)
    assert "Imported 1 rows: 0 products created, 1 updated." in imported.text
    assert Product.objects.get(shop=team.shop).title == "Steel Kettle"


def test_a_csv_with_bad_rows_imports_nothing_and_lists_them(team: Team) -> None:
    text = (
        ",".join(COLUMNS)
        + "\nok,Fine,,draft,5.00,,true,,,OK-1,,,1\nbad,Bad,,draft,-1,,true,,,B-1,,,1\n"
    )

    response = _client(team.owner).post(
        "/dashboard/products/import/",
        {"file": SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")},
    )

    assert response.status_code == 400
    assert "Nothing was imported: 1 row has problems" in response.text
    assert "price must be more than 0." in response.text
    assert not Product.objects.filter(shop=team.shop).exists()
    assert ProductVariant.objects.filter(sku="OK-1").count() == 0


def test_csv_imports_past_the_rate_are_refused_with_the_wait(team: Team, settings) -> None:
    settings.CATALOG_IMPORT_RATE_LIMIT = "2/h"
    text = ",".join(COLUMNS) + "\nmug,Mug,,draft,5.00,,true,,,MUG-1,,,1\n"

    def upload(client: Any) -> Any:
        file = SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")
        return client.post("/dashboard/products/import/", {"file": file})

    owner = _client(team.owner)
    answers = [upload(owner) for _ in range(3)]
    manager = upload(_client(team.manager))

    assert [answer.status_code for answer in answers] == [302, 302, 429]
    assert "Too many imports. Try again in" in answers[2].text
    assert int(answers[2]["Retry-After"]) > 0
    assert manager.status_code == 302  # counted per user


@pytest.mark.parametrize(
    "url",
    [
        "/dashboard/",
        "/dashboard/products/",
        "/dashboard/products/create/",
        "/dashboard/inventory/",
        "/dashboard/products/import/",
        "/dashboard/settings/",
        "/dashboard/members/",
    ],
)
def test_every_dashboard_page_has_one_h1_and_labelled_inputs(team: Team, url: str) -> None:
    ProductFactory(shop=team.shop)

    response = _client(team.owner).get(url)

    assert response.status_code == 200
    assert response.text.count("<h1") == 1
    assert 'aria-current="page"' in response.text


def test_the_empty_states_say_what_to_do_next(team: Team) -> None:
    client = _client(team.owner)

    assert "No products yet" in client.get("/dashboard/products/").text
    assert "No stock to track yet" in client.get("/dashboard/inventory/").text
    assert "Nothing is low on stock" in client.get("/dashboard/inventory/?low=1").text


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("price", "\uff13\uff12.\uff10\uff10"),
        ("variants-0-price", "\u0663\u0662.00"),
        ("variants-0-inventory_count", "\u0664"),
        ("variants-1-inventory_count", "2147483648"),
    ],
)
def test_the_product_form_refuses_non_ascii_digits_and_stock_past_the_column(
    team: Team, field: str, value: str
) -> None:
    response = _client(team.staff).post(
        "/dashboard/products/create/", product_form_data(**{field: value})
    )

    assert response.status_code == 200
    assert not Product.objects.filter(shop=team.shop).exists()


def _options_form(**overrides: object) -> dict[str, object]:
    """A product with two option names and three of their combinations."""
    data = product_form_data(
        **{
            "options-TOTAL_FORMS": "2",
            "options-0-name": "Size",
            "options-0-values": "S, M, L",
            "options-1-name": "Colour",
            "options-1-values": "Red, Blue",
            "variants-TOTAL_FORMS": "3",
            "variants-0-option_1": "S",
            "variants-0-option_2": "Red",
            "variants-0-sku": "TEE-S-RED",
            "variants-0-inventory_count": "3",
            "variants-1-option_1": "m",
            "variants-1-option_2": "Blue",
            "variants-1-sku": "",
            "variants-1-price": "35.50",
            "variants-1-inventory_count": "0",
            "variants-2-option_1": "L",
            "variants-2-option_2": "Blue",
            "variants-2-sku": "",
            "variants-2-price": "",
            "variants-2-inventory_count": "7",
        }
    )
    data.update(overrides)
    return data


def test_a_product_with_two_option_names_and_three_variants_is_created(team: Team) -> None:
    response = _client(team.staff).post("/dashboard/products/create/", _options_form())

    assert response.status_code == 302
    product = Product.objects.get(shop=team.shop)
    assert [(v.options, v.price, v.inventory_count) for v in product.variants.all()] == [
        ({"size": "S", "colour": "Red"}, None, 3),
        ({"size": "M", "colour": "Blue"}, Decimal("35.50"), 0),
        ({"size": "L", "colour": "Blue"}, None, 7),
    ]
    page = _client(team.staff).get(response.url)
    options = page.context["option_formset"].initial
    assert options == [
        {"name": "size", "values": "S, M, L"},
        {"name": "colour", "values": "Red, Blue"},
    ]
    assert page.context["formset"].forms[1]["option_2"].value() == "Blue"
    assert '<label for="id_variants-2-option_2">colour</label>' in page.text


@pytest.mark.parametrize(
    ("overrides", "where", "errors"),
    [
        ({"variants-2-price": "12,50"}, ("variants", 2), {"price": ["Enter a number."]}),
        (
            {"variants-2-inventory_count": "2147483648"},
            ("variants", 2),
            {"inventory_count": ["Ensure this value is less than or equal to 2147483647."]},
        ),
        (
            {"variants-1-inventory_count": "\u0663"},  # an Arabic-Indic three
            ("variants", 1),
            {"inventory_count": ["Write numbers with the digits 0-9."]},
        ),
        (
            {"variants-1-price": "\u0967\u0968.00"},  # Devanagari twelve
            ("variants", 1),
            {"price": ["Write numbers with the digits 0-9."]},
        ),
        (
            {"variants-1-price": "99999999999999"},
            ("variants", 1),
            {"price": ["Ensure this value is less than or equal to 9999999999.999."]},
        ),
        (
            {"variants-0-option_2": ""},
            ("variants", 0),
            {"option_2": ["Choose a value for Colour."]},
        ),
        ({"options-1-name": "size"}, ("options", 1), {"name": ["This option name is used twice."]}),
        ({"options-1-values": " , ,"}, ("options", 1), {"values": ["Give at least one value."]}),
        ({"options-1-values": "Red, red"}, ("options", 1), {"values": ["red is listed twice."]}),
        ({"options-1-name": ""}, ("options", 1), {"name": ["This field is required."]}),
    ],
)
def test_a_bad_option_or_variant_field_gets_its_own_message(
    team: Team, overrides: dict[str, str], where: tuple[str, int], errors: dict[str, list[str]]
) -> None:
    response = _client(team.staff).post("/dashboard/products/create/", _options_form(**overrides))

    assert response.status_code == 200
    formset = response.context["formset" if where[0] == "variants" else "option_formset"]
    assert formset.forms[where[1]].errors == errors
    assert not Product.objects.filter(shop=team.shop).exists()


def test_two_variants_with_the_same_options_are_refused(team: Team) -> None:
    response = _client(team.staff).post(
        "/dashboard/products/create/",
        _options_form(**{"variants-2-option_1": "M", "variants-2-option_2": "blue"}),
    )

    assert response.context["formset"].forms[2].non_field_errors() == [
        "Two variants have the same options."
    ]
    assert not Product.objects.filter(shop=team.shop).exists()


def test_another_shops_product_cannot_be_edited_through_the_form(team: Team) -> None:
    other = ProductFactory(shop=ShopFactory(), title="Not yours")
    variant = other.variants.get()

    response = _client(team.owner).post(
        f"/dashboard/products/{other.pk}/update/",
        _options_form(
            **{
                "title": "Taken over",
                "variants-INITIAL_FORMS": "1",
                "variants-0-id": str(variant.pk),
            }
        ),
    )

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.title == "Not yours"
    assert [v.options for v in other.variants.all()] == [variant.options]


def test_a_variant_id_of_another_product_is_refused_on_edit(team: Team) -> None:
    mine = ProductFactory(shop=team.shop, title="Mine")
    theirs = ProductFactory(shop=ShopFactory()).variants.get()
    before = (theirs.sku, theirs.options, theirs.price)

    response = _client(team.owner).post(
        f"/dashboard/products/{mine.pk}/update/",
        _options_form(**{"variants-INITIAL_FORMS": "1", "variants-0-id": str(theirs.pk)}),
    )

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert (theirs.sku, theirs.options, theirs.price) == before
    mine.refresh_from_db()
    assert mine.title == "Mine"
    assert not mine.variants.filter(options__size="S").exists()


def test_deleting_the_first_option_keeps_the_second_on_every_variant(team: Team) -> None:
    client = _client(team.owner)
    client.post("/dashboard/products/create/", _options_form())
    product = Product.objects.get(shop=team.shop)
    page = client.get(f"/dashboard/products/{product.pk}/update/")
    variants = list(product.variants.all())
    data = _options_form(
        **{
            "options-INITIAL_FORMS": "2",
            "options-TOTAL_FORMS": "3",
            "options-0-DELETE": "on",
            "options-0-name": "size",
            "options-1-name": "colour",
            "options-2-name": "",
            "options-2-values": "",
            "variants-TOTAL_FORMS": "3",
            "variants-INITIAL_FORMS": "3",
            "variants-2-DELETE": "on",
        }
    )
    for index, variant in enumerate(variants):
        data[f"variants-{index}-id"] = str(variant.pk)
        data[f"variants-{index}-sku"] = variant.sku
        data.update(
            {
                f"variants-{index}-option_{slot}": value.value()
                for slot in (1, 2)
                for value in [page.context["formset"].forms[index][f"option_{slot}"]]
            }
        )

    response = client.post(f"/dashboard/products/{product.pk}/update/", data)

    assert response.status_code == 302, response.context["formset"].errors
    assert [v.options for v in product.variants.all()] == [{"colour": "Red"}, {"colour": "Blue"}]


def test_two_rows_without_options_are_refused(team: Team) -> None:
    response = _client(team.owner).post(
        "/dashboard/products/create/",
        product_form_data(
            **{"options-0-name": "", "options-0-values": "", "variants-1-option_1": ""}
        ),
    )

    assert response.status_code == 200
    assert response.context["formset"].forms[1].non_field_errors() == [
        "Without options a product has one variant."
    ]
    assert not Product.objects.filter(shop=team.shop).exists()


def test_the_product_list_writes_prices_like_the_storefront(team: Team) -> None:
    ProductFactory(shop=team.shop, title="Teapot", price=Decimal("1234.50"))
    client = _client(team.owner)

    english = client.get("/dashboard/products/").text
    spanish = client.get("/dashboard/products/", headers={"Accept-Language": "es"}).text

    assert ">$1,234.50</td>" in english and "1234.50 USD" not in english
    assert ">1234,50\xa0US$</td>" in spanish or ">1.234,50\xa0US$</td>" in spanish
