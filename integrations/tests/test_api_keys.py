"""Shop API keys: created by owners and managers, shown once, hashed, scoped, revocable, and
tried from the attacker's side (another shop, a missing scope, a revoked or expired key)."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory
from integrations.models import ShopApiKey
from integrations.tests.factories import ShopApiKeyFactory
from marketmate.models import AuditLog
from shops.models import ShopMember
from shops.services import member_remove
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db


def _member_client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def _key_client(key: ShopApiKey) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {ShopApiKeyFactory.raw(key)}")
    return client


def test_an_owner_creates_a_key_that_is_shown_once_and_stored_as_a_hash() -> None:
    shop = ShopFactory()
    client = _member_client(shop.owner)

    answer = client.post(
        f"/api/v1/shops/{shop.pk}/api-keys",
        {"name": "Warehouse ERP", "scopes": ["inventory:write", "catalog:read"]},
        format="json",
    )

    assert answer.status_code == 201
    body = answer.json()
    raw = body["key"]
    key = ShopApiKey.objects.get()
    assert raw.startswith(f"{key.prefix}.")
    assert body["scopes"] == ["catalog:read", "inventory:write"]
    assert key.hashed_key == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ShopApiKey.objects.values().get())
    listed = client.get(f"/api/v1/shops/{shop.pk}/api-keys").json()
    assert [(item["name"], item["prefix"], item["is_active"]) for item in listed] == [
        ("Warehouse ERP", key.prefix, True)
    ]
    assert "key" not in listed[0]


def test_staff_members_may_not_create_keys_and_strangers_do_not_see_the_shop() -> None:
    shop = ShopFactory()
    staff = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user
    body = {"name": "x", "scopes": ["catalog:read"]}

    staff_answer = _member_client(staff).post(f"/api/v1/shops/{shop.pk}/api-keys", body)
    stranger_answer = _member_client(UserFactory()).post(f"/api/v1/shops/{shop.pk}/api-keys", body)

    assert staff_answer.status_code == 403
    assert stranger_answer.status_code == 404
    assert stranger_answer.json()["error"]["code"] == "shop_not_found"
    assert ShopApiKey.objects.count() == 0


def test_a_key_with_unknown_scopes_is_refused() -> None:
    shop = ShopFactory()

    answer = _member_client(shop.owner).post(
        f"/api/v1/shops/{shop.pk}/api-keys",
        {"name": "x", "scopes": ["admin:everything"]},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_error"


def test_a_key_lists_and_creates_its_shops_products_audited_as_the_key() -> None:
    key = ShopApiKeyFactory()
    ProductFactory(shop=key.shop, title="Blue mug")
    client = _key_client(key)

    listed = client.get(f"/api/v1/shops/{key.shop_id}/products")
    created = client.post(
        f"/api/v1/shops/{key.shop_id}/products",
        {"title": "Green mug", "price": "12.50", "inventory_count": 4},
        format="json",
    )

    assert listed.status_code == 200
    assert [item["title"] for item in listed.json()["results"]] == ["Blue mug"]
    assert created.status_code == 201
    product = Product.objects.get(title="Green mug")
    record = AuditLog.objects.get(action="product.create", entity_id=str(product.pk))
    assert (record.actor, record.credential) == (key.shop.owner, f"api_key:{key.prefix}")
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_a_key_syncs_stock_with_the_inventory_scope() -> None:
    key = ShopApiKeyFactory(scopes=["inventory:write"])
    variant = ProductFactory(shop=key.shop).variants.get()

    answer = _key_client(key).post(
        f"/api/v1/variants/{variant.pk}/inventory-adjustments",
        {"delta": 5, "reason": "restock"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="erp-sync-1",
    )

    assert answer.status_code == 201
    assert ProductVariant.objects.get(pk=variant.pk).inventory_count == 15
    assert AuditLog.objects.get(action="stock.adjust").credential == f"api_key:{key.prefix}"


def test_a_missing_scope_is_a_403() -> None:
    key = ShopApiKeyFactory(scopes=["catalog:read"])
    variant = ProductFactory(shop=key.shop).variants.get()
    client = _key_client(key)

    write = client.post(f"/api/v1/shops/{key.shop_id}/products", {"title": "x", "price": "1"})
    stock = client.post(
        f"/api/v1/variants/{variant.pk}/inventory-adjustments", {"delta": 1, "reason": "restock"}
    )
    orders = client.get(f"/api/v1/orders?shop={key.shop_id}")

    assert [write.status_code, stock.status_code, orders.status_code] == [403, 403, 403]
    assert {answer.json()["error"]["code"] for answer in (write, stock, orders)} == {
        "api_key_scope_required"
    }
    assert Product.objects.filter(title="x").count() == 0


def test_another_shops_objects_are_a_404_even_where_the_creator_also_works() -> None:
    key = ShopApiKeyFactory()
    other_shop = ShopFactory()
    ShopMemberFactory(shop=other_shop, user=key.created_by, role=ShopMember.Role.MANAGER)
    other_product = ProductFactory(shop=other_shop)
    other_variant = other_product.variants.get()
    client = _key_client(key)

    answers = [
        client.get(f"/api/v1/shops/{other_shop.pk}/products"),
        client.patch(f"/api/v1/products/{other_product.pk}", {"title": "Hacked"}, format="json"),
        client.post(
            f"/api/v1/variants/{other_variant.pk}/inventory-adjustments",
            {"delta": -10, "reason": "damage"},
        ),
        client.get(f"/api/v1/orders?shop={other_shop.pk}"),
        client.get("/api/v1/products/999999"),
    ]

    assert [answer.status_code for answer in answers] == [404, 404, 404, 404, 404]
    other_product.refresh_from_db()
    assert other_product.title != "Hacked"
    assert ProductVariant.objects.get(pk=other_variant.pk).inventory_count == 10


def test_a_key_cannot_shop_chat_or_manage_keys_as_its_creator() -> None:
    key = ShopApiKeyFactory()
    client = _key_client(key)

    answers = [
        client.get("/api/v1/cart"),
        client.post("/api/v1/checkout", {}),
        client.get(f"/api/v1/shops/{key.shop_id}/api-keys"),
        client.post(f"/api/v1/shops/{key.shop_id}/webhooks", {}),
        client.get("/api/v1/orders"),
    ]

    assert [answer.status_code for answer in answers] == [403, 403, 403, 403, 404]
    assert answers[0].json()["error"]["code"] == "api_key_endpoint_not_allowed"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"revoked_at": timezone.now()}, "This API key was revoked."),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "This API key has expired."),
    ],
)
def test_a_revoked_or_expired_key_is_a_401(change, message) -> None:
    key = ShopApiKeyFactory(**change)

    answer = _key_client(key).get(f"/api/v1/shops/{key.shop_id}/products")

    assert answer.status_code == 401
    assert answer.json()["error"] == {
        "code": "authentication_failed",
        "message": message,
        "fields": {},
    }


def test_a_wrong_or_malformed_key_is_a_401() -> None:
    key = ShopApiKeyFactory()
    client = APIClient()

    wrong = client.get(
        f"/api/v1/shops/{key.shop_id}/products",
        HTTP_AUTHORIZATION=f"Api-Key {key.prefix}.not-the-secret",
    )
    malformed = client.get("/api/v1/products", HTTP_AUTHORIZATION="Api-Key")

    assert (wrong.status_code, malformed.status_code) == (401, 401)


def test_revoking_a_key_through_the_api_stops_it_at_once() -> None:
    key = ShopApiKeyFactory()
    owner = _member_client(key.shop.owner)
    before = _key_client(key).get(f"/api/v1/shops/{key.shop_id}/products")

    revoked = owner.delete(f"/api/v1/shops/{key.shop_id}/api-keys/{key.pk}")
    after = _key_client(key).get(f"/api/v1/shops/{key.shop_id}/products")

    assert (before.status_code, revoked.status_code, after.status_code) == (200, 204, 401)


def test_another_shops_key_cannot_be_revoked_through_my_shop() -> None:
    mine = ShopFactory()
    theirs = ShopApiKeyFactory()

    answer = _member_client(mine.owner).delete(f"/api/v1/shops/{mine.pk}/api-keys/{theirs.pk}")

    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None


def test_removing_the_member_who_created_a_key_revokes_it(
    django_capture_on_commit_callbacks,
) -> None:
    shop = ShopFactory()
    manager = ShopMemberFactory(shop=shop, role=ShopMember.Role.MANAGER)
    key = ShopApiKeyFactory(shop=shop, created_by=manager.user)
    others = ShopApiKeyFactory(shop=shop)

    with django_capture_on_commit_callbacks(execute=True):
        member_remove(member=manager, actor=shop.owner)

    key.refresh_from_db()
    others.refresh_from_db()
    assert key.revoked_reason == "the member who created it left the shop"
    assert others.revoked_at is None
    assert _key_client(key).get(f"/api/v1/shops/{shop.pk}/products").status_code == 401
    assert _key_client(others).get(f"/api/v1/shops/{shop.pk}/products").status_code == 200


def test_a_key_whose_creator_left_without_the_event_is_still_refused() -> None:
    shop = ShopFactory()
    manager = ShopMemberFactory(shop=shop, role=ShopMember.Role.MANAGER)
    key = ShopApiKeyFactory(shop=shop, created_by=manager.user)
    ShopMember.objects.filter(pk=manager.pk).delete()

    answer = _key_client(key).get(f"/api/v1/shops/{shop.pk}/products")

    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "The member who created this key left the shop."


def test_keys_have_their_own_rate_limit(settings) -> None:
    settings.RATELIMIT_ENABLE = True
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "api_key": "2/minute",
        },
    }
    key = ShopApiKeyFactory()
    client = _key_client(key)

    statuses = [client.get(f"/api/v1/shops/{key.shop_id}/products").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_the_openapi_schema_offers_the_api_key_beside_jwt() -> None:
    answer = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/json")

    schemes = answer.json()["components"]["securitySchemes"]
    assert schemes["ShopApiKey"] == {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": schemes["ShopApiKey"]["description"],
    }
    assert "jwtAuth" in schemes
