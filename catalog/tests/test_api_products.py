from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from catalog.exceptions import ProductInvalidError
from catalog.models import Product, ProductVariant, StockMovement
from catalog.services.products import VariantSpec, product_create
from catalog.services.stock import stock_reserve
from catalog.tests.factories import CategoryFactory, ProductFactory, TagFactory, VariantFactory
from marketmate.models import AuditLog
from shops.models import Shop
from shops.tests.factories import ShopFactory
from shops.tests.team import ACTORS, Team

pytestmark = pytest.mark.django_db


def test_creating_a_product_without_variants_gives_it_a_default_variant(team: Team) -> None:
    response = team.client("staff").post(
        f"/api/v1/shops/{team.shop.pk}/products",
        {
            "title": "Linen Tote Bag",
            "description": "<p>Strong <b>linen</b>.</p><script>alert(1)</script>",
            "price": "24.50",
            "inventory_count": 7,
            "status": "active",
            "tags": ["  Summer   SALE ", "summer sale", "Eco"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["title"], body["slug"], body["price"], body["currency"], body["status"]) == (
        "Linen Tote Bag",
        "linen-tote-bag",
        "24.50",
        "USD",
        "active",
    )
    assert body["description"] == "<p>Strong <b>linen</b>.</p>"
    assert sorted(body["tags"]) == ["eco", "summer sale"]
    [variant] = body["variants"]
    assert variant["is_default"] is True
    assert variant["inventory_count"] == 7
    assert variant["sku"].startswith("LINEN-TOTE-BAG-")
    assert variant["unit_price"] == "24.50"
    movement = StockMovement.objects.get(variant_id=variant["id"])
    assert (movement.delta, movement.reason, movement.actor) == (7, "restock", team.staff)
    assert AuditLog.objects.filter(action="product.create", entity_id=str(body["id"])).count() == 1


def test_creating_a_product_with_variants_and_a_given_sku(team: Team) -> None:
    response = team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/products",
        {
            "title": "Wool Socks",
            "price": "12.00",
            "variants": [
                {"sku": "SOCK-S", "options": {"Size": "S"}, "inventory_count": 3},
                {"sku": "SOCK-L", "options": {"size": "L"}, "price": "14.00"},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    variants = response.json()["variants"]
    assert [(v["sku"], v["options"], v["unit_price"], v["is_default"]) for v in variants] == [
        ("SOCK-S", {"size": "S"}, "12.00", True),
        ("SOCK-L", {"size": "L"}, "14.00", False),
    ]
    assert response.json()["status"] == "draft"


def test_a_bad_second_variant_creates_nothing_and_says_which_variant(team: Team) -> None:
    # Given two variants with the same options
    variants: list[VariantSpec] = [{"options": {"size": "S"}}, {"options": {"Size": "S"}}]

    # When the product is created, then the error names the second one and nothing is saved
    with pytest.raises(ProductInvalidError) as raised:
        product_create(
            shop=team.shop, actor=team.owner, title="Socks", price=Decimal("5"), variants=variants
        )
    assert raised.value.variant_index == 1
    assert raised.value.fields == {"options": ["Another variant has these options."]}
    assert not Product.objects.filter(shop=team.shop).exists()
    response = team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/products",
        {"title": "Socks", "price": "5.00", "variants": variants},
        format="json",
    )
    assert response.status_code == 400
    assert not Product.objects.filter(shop=team.shop).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "", "price": "1.00"}, "title"),
        ({"title": "X", "price": "0"}, "price"),
        ({"title": "X", "price": "-3"}, "price"),
        ({"title": "X", "price": "10.00", "compare_at_price": "5.00"}, "compare_at_price"),
        ({"title": "X", "price": "1.00", "inventory_count": -1}, "inventory_count"),
        ({"title": "X", "price": "1.00", "status": "sold"}, "status"),
        ({"title": "X", "price": "1.00", "categories": [999999]}, "categories"),
    ],
)
def test_bad_product_input_gets_a_400_naming_the_field(
    team: Team, payload: dict, field: str
) -> None:
    response = team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/products", payload, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not Product.objects.exists()


def test_a_sku_already_used_in_the_shop_is_refused(team: Team) -> None:
    VariantFactory(product=ProductFactory(shop=team.shop, default_variant=False), sku="DUP-1")

    response = team.client("owner").post(
        f"/api/v1/shops/{team.shop.pk}/products",
        {"title": "Other", "price": "5.00", "sku": "dup-1"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "sku": ["Already used by another variant of this shop."]
    }


CREATE_EXPECTED = {
    "owner": 201,
    "manager": 201,
    "staff": 201,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_create_product_permission_matrix(team: Team, actor: str) -> None:
    response = team.client(actor).post(
        f"/api/v1/shops/{team.shop.pk}/products", {"title": "Mug", "price": "9.00"}, format="json"
    )

    assert response.status_code == CREATE_EXPECTED[actor]
    assert Product.objects.filter(title="Mug").exists() is (CREATE_EXPECTED[actor] == 201)


@pytest.mark.parametrize("actor", ACTORS)
def test_shop_product_list_for_members_only(team: Team, actor: str) -> None:
    ProductFactory(shop=team.shop, status=Product.Status.DRAFT)

    response = team.client(actor).get(f"/api/v1/shops/{team.shop.pk}/products")

    expected = {**CREATE_EXPECTED, "owner": 200, "manager": 200, "staff": 200}[actor]
    assert response.status_code == expected
    if expected == 200:
        assert response.json()["count"] == 1


DRAFT_READ_EXPECTED = {
    "owner": 200,
    "manager": 200,
    "staff": 200,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 404,
}
WRITE_EXPECTED = {
    "owner": 200,
    "manager": 200,
    "staff": 200,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_a_draft_is_visible_only_to_its_shop(team: Team, actor: str) -> None:
    draft = ProductFactory(shop=team.shop, status=Product.Status.DRAFT)

    response = team.client(actor).get(f"/api/v1/products/{draft.pk}")

    assert response.status_code == DRAFT_READ_EXPECTED[actor]


@pytest.mark.parametrize("actor", ACTORS)
def test_an_active_product_is_visible_to_everyone(team: Team, actor: str) -> None:
    product = ProductFactory(shop=team.shop)

    assert team.client(actor).get(f"/api/v1/products/{product.pk}").status_code == 200


@pytest.mark.parametrize("actor", ACTORS)
def test_patch_product_permission_matrix(team: Team, actor: str) -> None:
    product = ProductFactory(shop=team.shop, title="Old")

    response = team.client(actor).patch(
        f"/api/v1/products/{product.pk}", {"title": "New"}, format="json"
    )

    assert response.status_code == WRITE_EXPECTED[actor]
    product.refresh_from_db()
    assert product.title == ("New" if WRITE_EXPECTED[actor] == 200 else "Old")


@pytest.mark.parametrize("actor", ACTORS)
def test_delete_product_permission_matrix(team: Team, actor: str) -> None:
    product = ProductFactory(shop=team.shop)

    response = team.client(actor).delete(f"/api/v1/products/{product.pk}")

    expected = {**WRITE_EXPECTED, "owner": 204, "manager": 204, "staff": 204}[actor]
    assert response.status_code == expected
    assert Product.objects.filter(pk=product.pk).exists() is (expected != 204)


def test_patch_updates_fields_and_audits_the_change(team: Team) -> None:
    category = CategoryFactory()
    product = ProductFactory(shop=team.shop, price=Decimal("10.00"))

    response = team.client("manager").patch(
        f"/api/v1/products/{product.pk}",
        {"price": "12.00", "categories": [category.pk], "tags": ["Gift"], "status": "draft"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["price"], body["categories"], body["tags"], body["status"]) == (
        "12.00",
        [category.pk],
        ["gift"],
        "draft",
    )
    log = AuditLog.objects.get(action="product.update", entity_id=str(product.pk))
    assert log.changes["price"] == ["10.00", "12.00"]
    assert log.changes["status"] == ["active", "draft"]
    assert log.actor == team.manager


def test_patch_cannot_touch_shop_or_currency(team: Team) -> None:
    product = ProductFactory(shop=team.shop)

    response = team.client("owner").patch(
        f"/api/v1/products/{product.pk}", {"currency": "EUR", "shop": 999}, format="json"
    )

    assert response.status_code == 200
    product.refresh_from_db()
    assert (product.currency, product.shop_id) == ("USD", team.shop.pk)


def test_deleting_an_ordered_product_archives_it(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    stock_reserve(variant=product.variants.get(), quantity=1, reference="MM-1")

    response = team.client("owner").delete(f"/api/v1/products/{product.pk}")

    assert response.status_code == 200
    assert response.json()["status"] == "archived"
    assert Product.objects.get(pk=product.pk).status == Product.Status.ARCHIVED
    assert AuditLog.objects.filter(action="product.archive", entity_id=str(product.pk)).exists()


def test_a_registered_order_check_also_makes_delete_archive(team: Team) -> None:
    from catalog import selectors

    product = ProductFactory(shop=team.shop)
    check = selectors.product_ordered_check_register(lambda item: item.pk == product.pk)
    try:
        response = team.client("owner").delete(f"/api/v1/products/{product.pk}")
    finally:
        selectors._product_ordered_checks.unregister(check)

    assert response.status_code == 200
    assert response.json()["status"] == "archived"


# --- The public list ------------------------------------------------------------------------


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["title"] for item in response.json()["results"]]


def test_the_public_list_shows_only_active_products_of_active_shops() -> None:
    ProductFactory(title="Visible")
    ProductFactory(title="Draft", status=Product.Status.DRAFT)
    ProductFactory(title="Archived", status=Product.Status.ARCHIVED)
    ProductFactory(title="Pending shop", shop=ShopFactory(status=Shop.Status.PENDING))
    ProductFactory(title="Suspended shop", shop=ShopFactory(status=Shop.Status.SUSPENDED))

    assert _titles(APIClient().get("/api/v1/products")) == ["Visible"]


def test_suspending_a_shop_hides_its_products_from_list_and_detail() -> None:
    from shops.services import shop_suspend

    product = ProductFactory(title="Soon gone")
    shop_suspend(shop=product.shop, actor=None, reason="Fraud")

    assert _titles(APIClient().get("/api/v1/products")) == []
    assert APIClient().get(f"/api/v1/products/{product.pk}").status_code == 404


def test_filter_by_category_includes_its_descendants() -> None:
    clothing = CategoryFactory(name="Clothing")
    shirts = CategoryFactory(name="Shirts", child_of=clothing)
    linen = CategoryFactory(name="Linen", child_of=shirts)
    other = CategoryFactory(name="Kitchen")
    ProductFactory(title="Root item").categories.add(clothing)
    ProductFactory(title="Deep item").categories.add(linen)
    ProductFactory(title="Pan").categories.add(other)

    assert sorted(_titles(APIClient().get(f"/api/v1/products?category={clothing.pk}"))) == [
        "Deep item",
        "Root item",
    ]
    assert _titles(APIClient().get(f"/api/v1/products?category={shirts.pk}")) == ["Deep item"]


def test_filters_by_shop_tag_price_and_stock() -> None:
    shop = ShopFactory()
    cheap = ProductFactory(title="Cheap", shop=shop, price=Decimal("5.00"))
    ProductFactory(title="Dear", price=Decimal("50.00"))
    ProductFactory(title="Sold out", price=Decimal("20.00"), default_variant__inventory_count=0)
    ProductFactory(
        title="Untracked",
        price=Decimal("20.00"),
        track_inventory=False,
        default_variant__inventory_count=0,
    )
    cheap.tags.add(TagFactory(name="gift", slug="gift"))
    client = APIClient()

    assert _titles(client.get(f"/api/v1/products?shop={shop.pk}")) == ["Cheap"]
    assert _titles(client.get("/api/v1/products?tag=gift")) == ["Cheap"]
    assert sorted(_titles(client.get("/api/v1/products?min_price=10&max_price=20.01"))) == [
        "Sold out",
        "Untracked",
    ]
    assert sorted(_titles(client.get("/api/v1/products?in_stock=true"))) == [
        "Cheap",
        "Dear",
        "Untracked",
    ]
    assert _titles(client.get("/api/v1/products?in_stock=false")) == ["Sold out"]


def test_the_price_range_includes_min_price_and_excludes_max_price() -> None:
    # Given products priced exactly at the bounds of the facets' 25-50 band
    ProductFactory(title="At 25", price=Decimal("25.00"))
    ProductFactory(title="At 49.99", price=Decimal("49.99"))
    ProductFactory(title="At 50", price=Decimal("50.00"))
    client = APIClient()

    # When the API lists the band's min and max, then it lists what the band counts
    assert sorted(_titles(client.get("/api/v1/products?min_price=25&max_price=50"))) == [
        "At 25",
        "At 49.99",
    ]
    assert _titles(client.get("/api/v1/products?max_price=25")) == []
    assert _titles(client.get("/api/v1/products?min_price=50")) == ["At 50"]
    band = next(
        band
        for band in client.get("/api/v1/products/facets").json()["price_bands"]
        if band["key"] == "25-50"
    )
    assert band["count"] == 2


def test_the_price_range_takes_a_three_decimal_currencys_fils() -> None:
    # Given dinar products a fils apart
    shop = ShopFactory(currency="BHD")
    ProductFactory(shop=shop, title="At 1.125", price=Decimal("1.125"))
    ProductFactory(shop=shop, title="At 1.126", price=Decimal("1.126"))
    client = APIClient()

    # When the range's bounds are written in fils, then they split the two
    assert _titles(client.get("/api/v1/products?min_price=1.126")) == ["At 1.126"]
    assert _titles(client.get("/api/v1/products?max_price=1.126")) == ["At 1.125"]
    assert client.get("/api/v1/products?max_price=1.1265").status_code == 400


@pytest.mark.parametrize(
    "query", ["sort=popular", "category=abc", "min_price=x", "min_price=9&max_price=1", "shop=0"]
)
def test_bad_list_parameters_get_a_400(query: str) -> None:
    response = APIClient().get(f"/api/v1/products?{query}")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "validation_error"


def test_sorts_and_cursor_pagination() -> None:
    for title, price in [("Banana", "3.00"), ("Apple", "9.00"), ("Cherry", "1.00")]:
        ProductFactory(title=title, price=Decimal(price))
    client = APIClient()

    assert _titles(client.get("/api/v1/products")) == ["Cherry", "Apple", "Banana"]
    assert _titles(client.get("/api/v1/products?sort=price_asc")) == ["Cherry", "Banana", "Apple"]
    assert _titles(client.get("/api/v1/products?sort=price_desc")) == ["Apple", "Banana", "Cherry"]
    assert _titles(client.get("/api/v1/products?sort=title")) == ["Apple", "Banana", "Cherry"]
    first = client.get("/api/v1/products?sort=title&page_size=2").json()
    assert [item["title"] for item in first["results"]] == ["Apple", "Banana"]
    second = client.get(first["next"]).json()
    assert [item["title"] for item in second["results"]] == ["Cherry"]
    assert second["next"] is None


def _public_products(count: int) -> None:
    shop = ShopFactory()
    category = CategoryFactory()
    tag = TagFactory()
    for _index in range(count):
        product = ProductFactory(shop=shop)
        VariantFactory(product=product, options={"size": "L"})
        product.categories.add(category)
        product.tags.add(tag)


@pytest.mark.parametrize("count", [5, 50])
def test_the_product_list_query_count_does_not_grow_with_page_size(
    count: int, django_assert_max_num_queries
) -> None:
    _public_products(count)
    client = APIClient()

    with django_assert_max_num_queries(7):
        response = client.get(f"/api/v1/products?page_size={count}")

    assert len(response.json()["results"]) == count
    assert len(response.json()["results"][0]["variants"]) == 2


def test_category_list_is_the_flat_tree_with_parents() -> None:
    root = CategoryFactory(name="Home")
    child = CategoryFactory(name="Kitchen", child_of=root)

    body = APIClient().get("/api/v1/categories").json()

    assert [(c["name"], c["depth"], c["parent_id"]) for c in body] == [
        ("Home", 1, None),
        ("Kitchen", 2, root.pk),
    ]
    assert body[1]["id"] == child.pk


def test_a_variant_unit_price_uses_its_own_price_when_set(team: Team) -> None:
    product = ProductFactory(shop=team.shop, price=Decimal("10.00"))
    VariantFactory(product=product, price=Decimal("11.50"), options={"size": "XL"})

    variants = APIClient().get(f"/api/v1/products/{product.pk}").json()["variants"]

    assert [variant["unit_price"] for variant in variants] == ["10.00", "11.50"]
    assert ProductVariant.objects.filter(product=product).count() == 2


def test_attributes_list_the_default_option_kinds() -> None:
    body = APIClient().get("/api/v1/attributes").json()

    assert [(a["name"], a["slug"]) for a in body] == [
        ("Colour", "colour"),
        ("Material", "material"),
        ("Size", "size"),
    ]
