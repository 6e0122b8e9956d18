"""Races on real PostgreSQL connections: one thread (and connection) per shopper."""

import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from catalog.models import ProductVariant, StockMovement
from catalog.tests.factories import VariantFactory
from orders.models import Order, Promotion
from orders.services.cart import cart_get_or_create, cart_item_add
from orders.tests.factories import PromotionFactory

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESS = {
    "full_name": "Racer",
    "line1": "1 Fast Lane",
    "city": "Speedville",
    "postal_code": "00001",
    "country": "US",
}


def race(count: int, attempt: Callable[[int], tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Run `attempt(i)` in `count` threads released at the same moment; their results."""
    barrier = threading.Barrier(count)
    results: list[tuple[int, dict]] = [(0, {})] * count

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = attempt(i)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def shoppers_with(variant: ProductVariant, count: int) -> list[APIClient]:
    clients = []
    for _ in range(count):
        shopper = UserFactory(verified=True)
        cart = cart_get_or_create(user=shopper, session={})  # type: ignore[arg-type]
        cart_item_add(cart=cart, variant_id=variant.pk, quantity=1)
        client = APIClient()
        client.force_authenticate(shopper)
        clients.append(client)
    return clients


def checkout(client: APIClient, body: dict) -> tuple[int, dict]:
    response = client.post("/api/v1/checkout", body, format="json")
    return response.status_code, response.json()


def test_shoppers_racing_for_the_last_units_never_oversell() -> None:
    # Given 3 units left and 10 shoppers with one each in their cart
    variant = VariantFactory(inventory_count=10)
    clients = shoppers_with(variant, 10)
    ProductVariant.objects.filter(pk=variant.pk).update(inventory_count=3)

    # When they all check out at the same moment
    results = race(10, lambda i: checkout(clients[i], {"shipping_address": ADDRESS}))

    # Then exactly 3 orders are placed and the rest are told "out of stock"
    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 3, 409: 7}
    assert {body["error"]["code"] for status, body in results if status == 409} == {"out_of_stock"}
    variant.refresh_from_db()
    assert variant.inventory_count == 0
    assert Order.objects.count() == 3
    assert StockMovement.objects.filter(variant=variant, reason="order").count() == 3


def test_shoppers_racing_for_a_coupons_last_uses_get_exactly_the_limit() -> None:
    variant = VariantFactory(inventory_count=50, price=Decimal("20.00"))
    PromotionFactory(code="FIRST2", usage_limit=2, value=Decimal("50"))
    clients = shoppers_with(variant, 6)

    results = race(
        6, lambda i: checkout(clients[i], {"shipping_address": ADDRESS, "coupon": "FIRST2"})
    )

    statuses = Counter(status for status, _ in results)
    assert statuses == {201: 2, 400: 4}
    assert {body["error"]["code"] for status, body in results if status == 400} == {
        "invalid_coupon"
    }
    assert Promotion.objects.get(code="FIRST2").times_used == 2
    assert sorted(Order.objects.values_list("discount", flat=True)) == [
        Decimal("10.00"),
        Decimal("10.00"),
    ]


def test_the_same_idempotency_key_sent_twice_at_once_places_one_checkout() -> None:
    variant = VariantFactory(inventory_count=10)
    client = shoppers_with(variant, 1)[0]

    results = race(
        2,
        lambda i: (lambda response: (response.status_code, response.json()))(
            client.post(
                "/api/v1/checkout",
                {"shipping_address": ADDRESS},
                format="json",
                HTTP_IDEMPOTENCY_KEY="double-click",
            )
        ),
    )

    assert [status for status, _ in results] == [201, 201]
    assert results[0][1]["checkout_reference"] == results[1][1]["checkout_reference"]
    assert Order.objects.count() == 1
    variant.refresh_from_db()
    assert variant.inventory_count == 9
