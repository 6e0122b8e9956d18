"""The payments API from the caller's side: shapes, idempotency, and what others may not see."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from orders.models import Order
from payments.models import Payment
from shops.models import ShopMember
from shops.tests.factories import ShopMemberFactory

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user=user)
    return client


def test_the_buyer_creates_and_pays_a_payment_with_the_test_card(buyer, order) -> None:
    client = _client(buyer)

    created = client.post(
        "/api/v1/payments", {"checkout_reference": str(order.checkout_reference)}, format="json"
    )
    payment = created.json()["payments"][0]
    declined = client.post(
        f"/api/v1/payments/{payment['id']}/confirm",
        {"card_number": "4000 0000 0000 0002"},
        format="json",
    )
    paid = client.post(
        f"/api/v1/payments/{payment['id']}/confirm",
        {"card_number": "4242 4242 4242 4242"},
        format="json",
    )

    assert created.status_code == 201
    assert payment["status"] == "pending"
    assert payment["amount"] == "80.00"
    assert payment["currency"] == "USD"
    assert payment["test_mode"] is True
    assert payment["client_secret"] == ""
    assert payment["orders"] == [
        {
            "id": order.pk,
            "number": order.number,
            "shop": "Harbour Books",
            "total": "80.00",
            "status": "pending",
        }
    ]
    assert declined.status_code == 402
    assert declined.json()["error"] == {
        "code": "card_declined",
        "message": "Your card was declined.",
        "fields": {"card_number": ["Try another card."]},
    }
    assert paid.status_code == 200
    assert paid.json()["status"] == "succeeded"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PAID


def test_the_idempotency_key_header_gives_back_the_first_answer(buyer, order) -> None:
    client = _client(buyer)
    body = {"order_ids": [order.pk]}

    first = client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post("/api/v1/payments", body, format="json", HTTP_IDEMPOTENCY_KEY="abc")

    assert first.json()["payments"][0]["id"] == again.json()["payments"][0]["id"]
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "checkout_reference"),
        ({"checkout_reference": "not-a-uuid"}, "checkout_reference"),
        ({"order_ids": []}, "order_ids"),
        ({"order_ids": ["x"]}, "order_ids"),
    ],
)
def test_bad_payment_requests_get_field_errors(buyer, body, field) -> None:
    answer = _client(buyer).post("/api/v1/payments", body, format="json")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "validation_error"
    assert field in answer.json()["error"]["fields"]


def test_a_bad_card_number_gets_a_field_error(buyer, order) -> None:
    client = _client(buyer)
    payment = client.post("/api/v1/payments", {"order_ids": [order.pk]}, format="json").json()

    answer = client.post(
        f"/api/v1/payments/{payment['payments'][0]['id']}/confirm",
        {"card_number": "1234"},
        format="json",
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["fields"] == {"card_number": ["Enter a valid card number."]}


def test_another_users_payment_is_a_404(buyer, order) -> None:
    payment = _client(buyer).post("/api/v1/payments", {"order_ids": [order.pk]}, format="json")
    payment_id = payment.json()["payments"][0]["id"]
    stranger = _client(UserFactory())

    seen = stranger.get(f"/api/v1/payments/{payment_id}")
    paid = stranger.post(
        f"/api/v1/payments/{payment_id}/confirm", {"card_number": "4242424242424242"}, format="json"
    )
    created = stranger.post("/api/v1/payments", {"order_ids": [order.pk]}, format="json")

    assert [seen.status_code, paid.status_code, created.status_code] == [404, 404, 409]
    assert _client().get(f"/api/v1/payments/{payment_id}").status_code == 401
    assert _client(buyer).get(f"/api/v1/payments/{payment_id}").json()["status"] == "pending"
    assert Order.objects.get(pk=order.pk).status == Order.Status.PENDING


def test_the_shop_sees_its_balance_ledger_and_payouts(buyer, order, shop) -> None:
    client = _client(buyer)
    payment = client.post("/api/v1/payments", {"order_ids": [order.pk]}, format="json").json()
    client.post(
        f"/api/v1/payments/{payment['payments'][0]['id']}/confirm",
        {"card_number": "4242424242424242"},
        format="json",
    )
    owner = _client(shop.owner)

    balance = owner.get(f"/api/v1/shops/{shop.pk}/balance")
    ledger = owner.get(f"/api/v1/shops/{shop.pk}/ledger?page_size=1")
    next_page = owner.get(ledger.json()["next"])
    payouts = owner.get(f"/api/v1/shops/{shop.pk}/payouts")

    assert balance.json() == {
        "shop": shop.pk,
        "balances": [
            {"currency": "USD", "pending": "71.70", "available": "0.00", "total": "71.70"}
        ],
        "payouts_on_hold": False,
    }
    assert [entry["kind"] for entry in ledger.json()["results"]] == ["commission"]
    assert [entry["kind"] for entry in next_page.json()["results"]] == ["sale"]
    assert next_page.json()["results"][0]["order_number"] == order.number
    assert payouts.json()["results"] == []


def test_only_owners_and_managers_see_a_shops_money(shop) -> None:
    manager = ShopMemberFactory(shop=shop, role=ShopMember.Role.MANAGER).user
    clerk = ShopMemberFactory(shop=shop, role=ShopMember.Role.STAFF).user
    url = f"/api/v1/shops/{shop.pk}"

    assert _client(manager).get(f"{url}/balance").status_code == 200
    assert _client(clerk).get(f"{url}/balance").status_code == 403
    assert _client(UserFactory()).get(f"{url}/balance").status_code == 404
    assert _client(UserFactory()).get(f"{url}/ledger").status_code == 404
    assert _client(UserFactory()).get(f"{url}/payouts").status_code == 404
    assert _client().get(f"{url}/balance").status_code == 401


def test_the_schema_documents_the_payments_endpoints(client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()

    paths = schema["paths"]
    for path in (
        "/api/v1/payments",
        "/api/v1/payments/{id}",
        "/api/v1/payments/{id}/confirm",
        "/api/v1/webhooks/stripe",
        "/api/v1/orders/{id}/refunds",
        "/api/v1/orders/{id}/invoice",
        "/api/v1/shops/{id}/balance",
        "/api/v1/shops/{id}/ledger",
        "/api/v1/shops/{id}/payouts",
    ):
        assert path in paths
    assert (
        "application/pdf"
        in paths["/api/v1/orders/{id}/invoice"]["get"]["responses"]["200"]["content"]
    )
