import pytest

from catalog.models import ProductVariant, StockMovement
from catalog.services.stock import stock_reserve
from catalog.tests.factories import ProductFactory, VariantFactory
from marketmate.models import AuditLog
from shops.tests.team import ACTORS, Team

pytestmark = pytest.mark.django_db

WRITE_EXPECTED = {
    "owner": 201,
    "manager": 201,
    "staff": 201,
    "other_vendor": 404,
    "buyer": 404,
    "anonymous": 401,
}


@pytest.mark.parametrize("actor", ACTORS)
def test_add_variant_permission_matrix(team: Team, actor: str) -> None:
    product = ProductFactory(shop=team.shop)

    response = team.client(actor).post(
        f"/api/v1/products/{product.pk}/variants",
        {"sku": "NEW-1", "options": {"colour": "Red"}, "inventory_count": 4},
        format="json",
    )

    assert response.status_code == WRITE_EXPECTED[actor]
    assert ProductVariant.objects.filter(sku="NEW-1").exists() is (WRITE_EXPECTED[actor] == 201)


def test_a_new_variant_gets_its_opening_stock_recorded(team: Team) -> None:
    product = ProductFactory(shop=team.shop)

    body = (
        team.client("staff")
        .post(
            f"/api/v1/products/{product.pk}/variants",
            {"options": {" Colour ": " Deep  Red "}, "inventory_count": 4, "price": "11.00"},
            format="json",
        )
        .json()
    )

    assert (body["options"], body["inventory_count"], body["unit_price"], body["is_default"]) == (
        {"colour": "Deep Red"},
        4,
        "11.00",
        False,
    )
    assert StockMovement.objects.get(variant_id=body["id"]).delta == 4


def test_two_variants_with_the_same_options_are_refused(team: Team) -> None:
    product = ProductFactory(shop=team.shop, default_variant=False)
    VariantFactory(product=product, options={"size": "m"}, is_default=True)

    response = team.client("owner").post(
        f"/api/v1/products/{product.pk}/variants", {"options": {"Size": "m"}}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"options": ["Another variant has these options."]}


@pytest.mark.parametrize("actor", ACTORS)
def test_update_and_delete_variant_permission_matrix(team: Team, actor: str) -> None:
    product = ProductFactory(shop=team.shop)
    extra = VariantFactory(product=product, sku="EXTRA", options={"size": "XL"})
    url = f"/api/v1/products/{product.pk}/variants/{extra.pk}"

    patched = team.client(actor).patch(url, {"price": "15.00"}, format="json")
    deleted = team.client(actor).delete(url)

    allowed = WRITE_EXPECTED[actor] == 201
    assert patched.status_code == (200 if allowed else WRITE_EXPECTED[actor])
    assert deleted.status_code == (204 if allowed else WRITE_EXPECTED[actor])
    assert ProductVariant.objects.filter(pk=extra.pk).exists() is not allowed


def test_a_variant_is_reached_only_through_its_own_product(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    other_product = ProductFactory(shop=team.shop)
    variant = other_product.variants.get()

    response = team.client("owner").patch(
        f"/api/v1/products/{product.pk}/variants/{variant.pk}", {"price": "1.00"}, format="json"
    )

    assert response.status_code == 404


def test_the_last_variant_cannot_be_deleted_and_the_default_moves_on(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    default = product.variants.get()
    second = VariantFactory(product=product, options={"size": "L"}, position=1)
    client = team.client("owner")

    assert client.delete(f"/api/v1/products/{product.pk}/variants/{default.pk}").status_code == 204
    second.refresh_from_db()
    assert second.is_default is True
    last = client.delete(f"/api/v1/products/{product.pk}/variants/{second.pk}")
    assert last.status_code == 409
    assert last.json()["error"]["code"] == "variant_conflict"


def test_an_ordered_variant_cannot_be_deleted(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    ordered = VariantFactory(product=product, options={"size": "L"})
    stock_reserve(variant=ordered, quantity=1)

    response = team.client("owner").delete(f"/api/v1/products/{product.pk}/variants/{ordered.pk}")

    assert response.status_code == 409


def test_patching_a_variants_stock_is_refused_with_the_way_to_change_it(team: Team) -> None:
    product = ProductFactory(shop=team.shop)
    variant = product.variants.get()
    sku = variant.sku
    url = f"/api/v1/products/{product.pk}/variants/{variant.pk}"

    response = team.client("owner").patch(
        url, {"inventory_count": 999, "sku": "RENAMED", "price": "3.50"}, format="json"
    )

    # Not a 200 that leaves the stock as it was: the client would believe it had changed it.
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["inventory_count"] == [
        "Stock is changed by an inventory adjustment with a reason:"
        f" POST /api/v1/variants/{variant.pk}/inventory-adjustments."
    ]
    variant.refresh_from_db()
    assert (variant.inventory_count, variant.sku) == (10, sku)  # nothing of it was applied
    renamed = team.client("owner").patch(url, {"sku": "RENAMED"}, format="json")
    assert (renamed.status_code, renamed.json()["sku"]) == (200, "RENAMED")


def test_variants_of_a_draft_are_hidden_from_outsiders(team: Team) -> None:
    product = ProductFactory(shop=team.shop, status="draft")

    assert team.client("buyer").get(f"/api/v1/products/{product.pk}/variants").status_code == 404
    assert team.client("staff").get(f"/api/v1/products/{product.pk}/variants").status_code == 200


ADJUST_EXPECTED = {**WRITE_EXPECTED}


@pytest.mark.parametrize("actor", ACTORS)
def test_inventory_adjustment_permission_matrix(team: Team, actor: str) -> None:
    variant = ProductFactory(shop=team.shop).variants.get()

    response = team.client(actor).post(
        f"/api/v1/variants/{variant.pk}/inventory-adjustments",
        {"delta": 5, "reason": "restock", "note": "Delivery 42"},
        format="json",
    )

    assert response.status_code == ADJUST_EXPECTED[actor]
    variant.refresh_from_db()
    assert variant.inventory_count == (15 if ADJUST_EXPECTED[actor] == 201 else 10)


def test_an_inventory_adjustment_records_who_and_why(team: Team) -> None:
    variant = ProductFactory(shop=team.shop).variants.get()

    body = (
        team.client("staff")
        .post(
            f"/api/v1/variants/{variant.pk}/inventory-adjustments",
            {"delta": -3, "reason": "damage", "note": "Dropped a box"},
            format="json",
        )
        .json()
    )

    assert body["variant"]["inventory_count"] == 7
    assert (body["movement"]["delta"], body["movement"]["reason"], body["movement"]["actor"]) == (
        -3,
        "damage",
        team.staff.email,
    )
    log = AuditLog.objects.get(action="stock.adjust", entity_id=str(variant.pk))
    assert (log.actor, log.changes, log.reason) == (
        team.staff,
        {"inventory_count": [10, 7]},
        "Dropped a box",
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"delta": -11, "reason": "correction"}, "delta"),
        ({"delta": 0, "reason": "correction"}, "delta"),
        ({"delta": 1, "reason": "order"}, "reason"),
        ({"delta": "many", "reason": "restock"}, "delta"),
    ],
)
def test_bad_inventory_adjustments_get_a_400(team: Team, payload: dict, field: str) -> None:
    variant = ProductFactory(shop=team.shop).variants.get()

    response = team.client("owner").post(
        f"/api/v1/variants/{variant.pk}/inventory-adjustments", payload, format="json"
    )

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    variant.refresh_from_db()
    assert variant.inventory_count == 10


def test_a_repeated_adjustment_with_the_same_idempotency_key_changes_stock_once(
    team: Team,
) -> None:
    variant = ProductFactory(shop=team.shop).variants.get()
    client = team.client("owner")
    url = f"/api/v1/variants/{variant.pk}/inventory-adjustments"
    payload = {"delta": 5, "reason": "restock"}

    first = client.post(url, payload, format="json", headers={"Idempotency-Key": "delivery-7"})
    again = client.post(url, payload, format="json", headers={"Idempotency-Key": "delivery-7"})
    other = client.post(
        url,
        {"delta": 2, "reason": "restock"},
        format="json",
        headers={"Idempotency-Key": "delivery-7"},
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.json() == again.json()
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    variant.refresh_from_db()
    assert variant.inventory_count == 15
    assert StockMovement.objects.filter(variant=variant).count() == 1
