"""The chat API for mobile clients, tested from the attacker's side too."""

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from catalog.tests.factories import ProductFactory
from chat.models import Conversation, Message
from chat.tests.factories import ConversationFactory, MessageFactory
from orders.models import Order
from shops.models import Shop
from shops.tests.factories import ShopFactory

pytestmark = pytest.mark.django_db


def client_for(user: User) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def test_anonymous_callers_get_401() -> None:
    response = APIClient().get("/api/v1/chat/conversations")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_buyer_starts_a_conversation_about_a_product_and_finds_it_again(
    buyer: User, shop: Shop
) -> None:
    product = ProductFactory(shop=shop)
    client = client_for(buyer)

    first = client.post(
        "/api/v1/chat/conversations", {"shop_id": shop.pk, "product_id": product.pk}
    )
    again = client.post(
        "/api/v1/chat/conversations", {"shop_id": shop.pk, "product_id": product.pk}
    )

    assert (first.status_code, again.status_code) == (201, 200)
    conversation = Conversation.objects.get()
    assert first.json() == {
        "id": conversation.pk,
        "shop": {"id": shop.pk, "name": "Tea House", "slug": shop.slug},
        "buyer_id": buyer.pk,
        "buyer_name": "Bea Buyer",
        "product_id": product.pk,
        "order_id": None,
        "side": "buyer",
        "unread_count": 0,
        "is_closed": False,
        "last_message_at": None,
        "created": first.json()["created"],
    }
    assert again.json()["id"] == conversation.pk


def test_a_conversation_about_an_order_needs_the_buyers_own_order(
    buyer: User, stranger: User, shop: Shop, order: Order
) -> None:
    mine = client_for(buyer).post(
        "/api/v1/chat/conversations", {"shop_id": shop.pk, "order_id": order.pk}
    )
    theirs = client_for(stranger).post(
        "/api/v1/chat/conversations", {"shop_id": shop.pk, "order_id": order.pk}
    )

    assert mine.status_code == 201
    assert mine.json()["order_id"] == order.pk
    assert theirs.status_code == 404


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({}, 400, "validation_error"),
        ({"shop_id": "x"}, 400, "validation_error"),
        ({"shop_id": 999999}, 404, "not_found"),
    ],
)
def test_starting_a_conversation_with_bad_input_is_refused(
    buyer: User, payload: dict[str, Any], status: int, code: str
) -> None:
    response = client_for(buyer).post("/api/v1/chat/conversations", payload)

    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_a_product_of_another_shop_or_a_suspended_shop_is_not_found(
    buyer: User, shop: Shop
) -> None:
    other_product = ProductFactory()
    suspended = ShopFactory(status=Shop.Status.SUSPENDED)
    client = client_for(buyer)

    assert (
        client.post(
            "/api/v1/chat/conversations", {"shop_id": shop.pk, "product_id": other_product.pk}
        ).status_code
        == 404
    )
    assert client.post("/api/v1/chat/conversations", {"shop_id": suspended.pk}).status_code == 404


def test_a_member_cannot_open_a_conversation_with_their_own_shop(owner: User, shop: Shop) -> None:
    response = client_for(owner).post("/api/v1/chat/conversations", {"shop_id": shop.pk})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "own_shop"


def test_the_list_has_each_side_with_its_unread_count_and_nothing_of_others(
    conversation: Conversation, buyer: User, owner: User, stranger: User
) -> None:
    MessageFactory.create_batch(2, conversation=conversation)
    ConversationFactory()  # someone else's

    as_buyer = client_for(buyer).get("/api/v1/chat/conversations").json()
    as_vendor = client_for(owner).get("/api/v1/chat/conversations").json()
    as_stranger = client_for(stranger).get("/api/v1/chat/conversations").json()

    assert [(c["id"], c["side"], c["unread_count"]) for c in as_buyer["results"]] == [
        (conversation.pk, "buyer", 0)
    ]
    assert [(c["id"], c["side"], c["unread_count"]) for c in as_vendor["results"]] == [
        (conversation.pk, "shop", 2)
    ]
    assert as_stranger["results"] == []


def test_the_list_has_a_query_budget(
    django_assert_max_num_queries, buyer: User, shop: Shop
) -> None:
    for _ in range(5):
        MessageFactory(conversation=ConversationFactory(buyer=buyer))

    # + 1 for the `chat` switch (cached after the first request; the cache starts empty here)
    with django_assert_max_num_queries(5):
        response = client_for(buyer).get("/api/v1/chat/conversations")

    assert response.json()["count"] == 5


def test_another_users_conversation_is_404_everywhere(
    conversation: Conversation, stranger: User
) -> None:
    client = client_for(stranger)
    base = f"/api/v1/chat/conversations/{conversation.pk}"

    assert client.get(base).status_code == 404
    assert client.get(f"{base}/messages").status_code == 404
    assert client.post(f"{base}/messages", {"body": "Hi"}).status_code == 404
    assert client.post(f"{base}/read").status_code == 404
    assert client.post(f"{base}/report", {"reason": "spam"}).status_code == 404
    assert Message.objects.count() == 0


def test_a_thread_is_read_newest_first_with_a_cursor(
    conversation: Conversation, buyer: User
) -> None:
    messages = MessageFactory.create_batch(35, conversation=conversation)
    client = client_for(buyer)

    first = client.get(f"/api/v1/chat/conversations/{conversation.pk}/messages").json()
    second = client.get(first["next"]).json()

    assert [m["id"] for m in first["results"]] == [m.pk for m in reversed(messages)][:30]
    assert [m["id"] for m in second["results"]] == [m.pk for m in reversed(messages)][30:]
    assert second["next"] is None
    assert first["results"][0] == {
        "id": messages[-1].pk,
        "conversation_id": conversation.pk,
        "sender_id": buyer.pk,
        "sender_name": "Bea Buyer",
        "side": "buyer",
        "body": messages[-1].body,
        "created": first["results"][0]["created"],
        "read_at": None,
    }


@pytest.mark.django_db(transaction=True)
def test_sending_through_the_api_stores_the_message_as_the_callers_side(
    conversation: Conversation, staff_member: User
) -> None:
    response = client_for(staff_member).post(
        f"/api/v1/chat/conversations/{conversation.pk}/messages", {"body": "  Yes, plenty. "}
    )

    assert response.status_code == 201
    message = Message.objects.get()
    assert (message.body, message.side, message.sender) == ("Yes, plenty.", "shop", staff_member)
    assert response.json()["sender_name"] == "Tea House"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "This field may not be blank."),
        ("x" * 11, "Ensure this field has no more than 10 characters."),
    ],
)
def test_an_empty_or_too_long_message_is_a_field_error(
    settings, conversation: Conversation, buyer: User, body: str, message: str
) -> None:
    settings.CHAT_MESSAGE_MAX_LENGTH = 10

    response = client_for(buyer).post(
        f"/api/v1/chat/conversations/{conversation.pk}/messages", {"body": body}
    )

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"body": [message]}


def test_too_many_messages_answer_429_with_retry_after(
    settings, conversation: Conversation, buyer: User
) -> None:
    settings.CHAT_MESSAGE_RATE_LIMIT = "1/m"
    client = client_for(buyer)
    url = f"/api/v1/chat/conversations/{conversation.pk}/messages"

    assert client.post(url, {"body": "One"}).status_code == 201
    refused = client.post(url, {"body": "Two"})

    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(refused["Retry-After"]) <= 61
    assert Message.objects.count() == 1


def test_a_closed_conversation_answers_409(buyer: User, shop: Shop) -> None:
    closed = ConversationFactory(buyer=buyer, shop=shop, is_closed=True)

    response = client_for(buyer).post(
        f"/api/v1/chat/conversations/{closed.pk}/messages", {"body": "Hello?"}
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conversation_closed"


def test_marking_read_marks_only_the_other_sides_messages(
    conversation: Conversation, buyer: User, owner: User
) -> None:
    MessageFactory.create_batch(2, conversation=conversation)
    MessageFactory(conversation=conversation, side="shop", sender=owner)

    response = client_for(owner).post(f"/api/v1/chat/conversations/{conversation.pk}/read")

    assert response.json() == {"count": 2}
    assert list(Message.objects.filter(read_at__isnull=True).values_list("side", flat=True)) == [
        "shop"
    ]


def test_a_report_reaches_staff_and_is_audited(conversation: Conversation, buyer: User) -> None:
    from marketmate.models import AuditLog

    response = client_for(buyer).post(
        f"/api/v1/chat/conversations/{conversation.pk}/report",
        {"reason": "Asked me to pay outside"},
    )

    assert response.status_code == 200
    conversation.refresh_from_db()
    assert (conversation.reported_by, conversation.report_reason) == (
        buyer,
        "Asked me to pay outside",
    )
    assert AuditLog.objects.get(action="chat.conversation_report").actor == buyer


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_a_product_the_buyer_may_not_see_is_not_found_even_in_its_own_shop(
    buyer: User, shop: Shop, status: str
) -> None:
    # Given a product of the shop that the product API hides from the buyer
    hidden = ProductFactory(shop=shop, status=status, title="Secret launch")
    client = client_for(buyer)
    assert client.get(f"/api/v1/products/{hidden.pk}").status_code == 404

    # When the buyer names it to start a conversation
    response = client.post(
        "/api/v1/chat/conversations", {"shop_id": shop.pk, "product_id": hidden.pk}
    )

    # Then it is not found either, and no conversation names it
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Conversation.objects.count() == 0
