from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import AddressFactory, UserFactory
from catalog.tests.factories import ProductFactory, VariantFactory
from orders.models import Order
from orders.services.lifecycle import order_mark_paid, order_ship
from orders.tests.factories import ShippingMethodFactory
from shops.models import ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

pytestmark = pytest.mark.django_db
D = Decimal


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def buyer_client(buyer) -> APIClient:
    return client_for(buyer)


@pytest.fixture
def order(buyer, place) -> Order:
    return place(buyer, (VariantFactory(inventory_count=5, price=D("15.00")), 2)).orders[0]


# --- Cart -----------------------------------------------------------------------------------------
def test_an_anonymous_shopper_fills_and_reads_a_cart(api_client) -> None:
    variant = VariantFactory(price=D("4.25"), inventory_count=3, sku="MUG-1")

    added = api_client.post("/api/v1/cart", {"variant_id": variant.pk, "quantity": 5})
    cart = api_client.get("/api/v1/cart").json()

    assert added.status_code == 201
    assert added.json()["messages"] == [f"Only 3 of {variant} available; your cart holds 3."]
    assert cart["item_count"] == 3
    assert cart["totals"] == [{"currency": "USD", "amount": "12.75"}]
    item = cart["shops"][0]["items"][0]
    assert {k: item[k] for k in ("variant_id", "sku", "quantity", "unit_price", "line_total")} == {
        "variant_id": variant.pk,
        "sku": "MUG-1",
        "quantity": 3,
        "unit_price": "4.25",
        "line_total": "12.75",
    }


def test_patch_changes_the_quantity_and_zero_removes(buyer_client) -> None:
    variant = VariantFactory(inventory_count=9)
    buyer_client.post("/api/v1/cart", {"variant_id": variant.pk, "quantity": 1})

    changed = buyer_client.patch("/api/v1/cart", {"variant_id": variant.pk, "quantity": 4})
    item_id = changed.json()["shops"][0]["items"][0]["id"]
    removed = buyer_client.patch("/api/v1/cart", {"item_id": item_id, "quantity": 0})

    assert changed.json()["item_count"] == 4
    assert removed.status_code == 200
    assert removed.json()["item_count"] == 0


def test_delete_removes_an_item_and_another_carts_item_is_404(buyer_client) -> None:
    variant = VariantFactory()
    item_id = buyer_client.post("/api/v1/cart", {"variant_id": variant.pk}).json()["shops"][0][
        "items"
    ][0]["id"]
    attacker = client_for(UserFactory())
    attacker.post("/api/v1/cart", {"variant_id": VariantFactory().pk})

    stolen = attacker.delete(f"/api/v1/cart/items/{item_id}")
    mine = buyer_client.delete(f"/api/v1/cart/items/{item_id}")

    assert stolen.status_code == 404
    assert stolen.json()["error"]["code"] == "not_found"
    assert mine.status_code == 200
    assert mine.json()["item_count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"quantity": 1}, "variant_id"),
        ({"variant_id": "x"}, "variant_id"),
        ({"variant_id": 1, "quantity": 0}, "quantity"),
    ],
)
def test_bad_cart_input_is_a_400_with_field_messages(api_client, body, field) -> None:
    response = api_client.post("/api/v1/cart", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == [field]


def test_patch_needs_exactly_one_of_item_or_variant(buyer_client) -> None:
    response = buyer_client.patch("/api/v1/cart", {"quantity": 2}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"item_id": ["Give either item_id or variant_id."]}


def test_adding_an_unavailable_item_is_409(api_client) -> None:
    draft = ProductFactory(status="draft").variants.get()

    response = api_client.post("/api/v1/cart", {"variant_id": draft.pk})

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_purchasable"


def test_patching_an_empty_cart_is_404(api_client) -> None:
    response = api_client.patch("/api/v1/cart", {"variant_id": 1, "quantity": 1}, format="json")

    assert response.status_code == 404


# --- Checkout -------------------------------------------------------------------------------------
def test_checkout_returns_orders_and_what_payment_needs(buyer_client, address) -> None:
    usd = VariantFactory(product__shop__currency="USD", price=D("10.00"))
    eur = VariantFactory(product__shop__currency="EUR", price=D("8.00"))
    express = ShippingMethodFactory(shop=eur.shop, price=D("2.50"))
    buyer_client.post("/api/v1/cart", {"variant_id": usd.pk, "quantity": 2})
    buyer_client.post("/api/v1/cart", {"variant_id": eur.pk, "quantity": 1})

    response = buyer_client.post(
        "/api/v1/checkout",
        {"shipping_address": address, "shipping_methods": {str(eur.shop_id): express.pk}},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert sorted((o["currency"], o["total"], o["status"]) for o in body["orders"]) == [
        ("EUR", "10.50", "pending"),
        ("USD", "20.00", "pending"),
    ]
    assert body["payment"]["status"] == "awaiting_payment"
    assert body["payment"]["amounts"] == [
        {"currency": "EUR", "amount": "10.50"},
        {"currency": "USD", "amount": "20.00"},
    ]
    assert len(body["orders"][0]["lines"]) == 1
    assert body["orders"][0]["history"][0]["to_status"] == "pending"


def test_checkout_replays_with_the_same_idempotency_key(buyer_client, address) -> None:
    buyer_client.post("/api/v1/cart", {"variant_id": VariantFactory().pk})
    body = {"shipping_address": address}

    first = buyer_client.post("/api/v1/checkout", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = buyer_client.post("/api/v1/checkout", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    other = buyer_client.post(
        "/api/v1/checkout",
        {"shipping_address": {**address, "city": "Elsewhere"}},
        format="json",
        HTTP_IDEMPOTENCY_KEY="abc",
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert Order.objects.count() == 1


def test_checkout_needs_a_verified_shopper(address) -> None:
    client = client_for(UserFactory(verified=False))
    client.post("/api/v1/cart", {"variant_id": VariantFactory().pk})

    response = client.post("/api/v1/checkout", {"shipping_address": address}, format="json")

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "not_verified",
        "message": "Confirm your e-mail address before you place an order.",
        "fields": {},
    }


def test_checkout_needs_a_signed_in_shopper(api_client, address) -> None:
    response = api_client.post("/api/v1/checkout", {"shipping_address": address}, format="json")

    assert response.status_code in (401, 403)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, ["shipping_address"]),
        ({"shipping_address": {"full_name": "A"}}, ["shipping_address"]),
        ({"address_id": 1, "shipping_address": {}}, ["shipping_address"]),
        ({"address_id": 1, "shipping_methods": {"shop": 1}}, ["shipping_methods"]),
    ],
)
def test_bad_checkout_input_is_a_400(buyer_client, body, fields) -> None:
    response = buyer_client.post("/api/v1/checkout", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == fields


def test_checkout_with_an_empty_cart_is_400(buyer_client, address) -> None:
    response = buyer_client.post("/api/v1/checkout", {"shipping_address": address}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "cart_empty"


# --- Orders: who sees what ------------------------------------------------------------------------
def test_a_buyer_lists_and_reads_their_own_orders(buyer_client, order) -> None:
    listed = buyer_client.get("/api/v1/orders").json()
    detail = buyer_client.get(f"/api/v1/orders/{order.pk}")

    assert [row["number"] for row in listed["results"]] == [order.number]
    assert detail.status_code == 200
    assert detail.json()["total"] == "30.00"


def test_another_buyers_order_is_404(order) -> None:
    attacker = client_for(UserFactory())

    assert attacker.get(f"/api/v1/orders/{order.pk}").status_code == 404
    assert attacker.post(f"/api/v1/orders/{order.pk}/cancel").status_code == 404
    assert attacker.post(f"/api/v1/orders/{order.pk}/ship", {}).status_code == 404
    assert attacker.get("/api/v1/orders").json()["results"] == []


def test_a_vendor_of_another_shop_sees_nothing(order) -> None:
    rival = client_for(ShopFactory().owner)

    assert rival.get(f"/api/v1/orders/{order.pk}").status_code == 404
    assert rival.get(f"/api/v1/orders?shop={order.shop_id}").status_code == 404
    assert rival.post(f"/api/v1/orders/{order.pk}/complete").status_code == 404


def test_a_vendor_lists_their_shops_orders_by_status(order, buyer, place) -> None:
    vendor = client_for(order.shop.owner)
    paid = order_mark_paid(
        order=place(buyer, (VariantFactory(product__shop=order.shop), 1)).orders[0]
    )

    every = vendor.get(f"/api/v1/orders?shop={order.shop_id}").json()["results"]
    only_paid = vendor.get(f"/api/v1/orders?shop={order.shop_id}&status=paid").json()["results"]
    bad = vendor.get(f"/api/v1/orders?shop={order.shop_id}&status=lost")

    assert {row["number"] for row in every} == {order.number, paid.number}
    assert [row["number"] for row in only_paid] == [paid.number]
    assert bad.status_code == 400
    assert vendor.get("/api/v1/orders?shop=abc").status_code == 404


def test_shop_members_ship_and_complete(order) -> None:
    staff = ShopMemberFactory(shop=order.shop, role=ShopMember.Role.STAFF).user
    client = client_for(staff)
    order_mark_paid(order=order)

    shipped = client.post(
        f"/api/v1/orders/{order.pk}/ship", {"carrier": "DHL", "tracking_number": "JJD1"}
    )
    completed = client.post(f"/api/v1/orders/{order.pk}/complete")

    assert shipped.status_code == 200
    assert (shipped.json()["status"], shipped.json()["tracking_number"]) == ("shipped", "JJD1")
    assert completed.json()["status"] == "complete"


def test_shipping_an_unpaid_order_is_409(order) -> None:
    response = client_for(order.shop.owner).post(
        f"/api/v1/orders/{order.pk}/ship", {"carrier": "DHL", "tracking_number": "1"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"


def test_shipping_needs_carrier_and_tracking(order) -> None:
    order_mark_paid(order=order)

    response = client_for(order.shop.owner).post(f"/api/v1/orders/{order.pk}/ship", {})

    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"carrier", "tracking_number"}


def test_the_buyer_cannot_ship_or_complete_their_own_order(buyer_client, order) -> None:
    order_mark_paid(order=order)

    shipped = buyer_client.post(
        f"/api/v1/orders/{order.pk}/ship", {"carrier": "DHL", "tracking_number": "1"}
    )
    completed = buyer_client.post(f"/api/v1/orders/{order.pk}/complete")

    assert (shipped.status_code, completed.status_code) == (403, 403)


def test_the_buyer_cancels_a_pending_order_but_not_a_shipped_one(buyer_client, order, buyer, place):
    cancelled = buyer_client.post(f"/api/v1/orders/{order.pk}/cancel", {"reason": "Oops"})
    shipped = order_ship(
        order=order_mark_paid(order=place(buyer, (VariantFactory(), 1)).orders[0]),
        actor=None,
        carrier="DHL",
        tracking_number="1",
    )
    too_late = buyer_client.post(f"/api/v1/orders/{shipped.pk}/cancel")

    assert cancelled.json()["status"] == "cancelled"
    assert too_late.status_code == 409


def test_shop_owner_and_manager_cancel_but_shop_staff_may_not(order, buyer, place) -> None:
    staff = client_for(ShopMemberFactory(shop=order.shop, role=ShopMember.Role.STAFF).user)
    manager = client_for(ShopMemberFactory(shop=order.shop, role=ShopMember.Role.MANAGER).user)

    refused = staff.post(f"/api/v1/orders/{order.pk}/cancel")
    allowed = manager.post(f"/api/v1/orders/{order.pk}/cancel")

    assert refused.status_code == 403
    assert allowed.json()["status"] == "cancelled"


def test_order_lists_keep_a_query_budget(buyer, buyer_client, place, django_assert_max_num_queries):
    shop = ShopFactory()
    for _ in range(6):
        place(buyer, (VariantFactory(product__shop=shop), 1))
    vendor = client_for(shop.owner)

    with django_assert_max_num_queries(4):
        mine = buyer_client.get("/api/v1/orders")
    with django_assert_max_num_queries(6):
        theirs = vendor.get(f"/api/v1/orders?shop={shop.pk}")

    assert len(mine.json()["results"]) == 6
    assert len(theirs.json()["results"]) == 6


def test_the_order_list_is_cursor_paginated(buyer, buyer_client, place) -> None:
    for _ in range(3):
        place(buyer, (VariantFactory(), 1))

    first = buyer_client.get("/api/v1/orders?page_size=2").json()
    second = buyer_client.get(first["next"]).json()

    assert len(first["results"]) == 2
    assert len(second["results"]) == 1
    assert "cursor=" in first["next"]


def test_the_cart_keeps_a_query_budget(buyer_client, django_assert_max_num_queries) -> None:
    for _ in range(5):
        buyer_client.post("/api/v1/cart", {"variant_id": VariantFactory().pk})

    with django_assert_max_num_queries(4):
        response = buyer_client.get("/api/v1/cart")

    assert response.json()["item_count"] == 5


def test_the_schema_documents_the_orders_api(api_client) -> None:
    schema = api_client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    for path in (
        "/api/v1/cart",
        "/api/v1/cart/items/{item_id}",
        "/api/v1/checkout",
        "/api/v1/orders",
        "/api/v1/orders/{order_id}",
        "/api/v1/orders/{order_id}/cancel",
        "/api/v1/orders/{order_id}/ship",
        "/api/v1/orders/{order_id}/complete",
    ):
        assert path in schema["paths"]


def test_checkout_with_a_saved_address(buyer, buyer_client) -> None:
    saved = AddressFactory(user=buyer, country="FR", city="Lyon")
    buyer_client.post("/api/v1/cart", {"variant_id": VariantFactory().pk})

    response = buyer_client.post("/api/v1/checkout", {"address_id": saved.pk}, format="json")

    assert response.status_code == 201
    assert response.json()["orders"][0]["shipping_address"]["city"] == "Lyon"
