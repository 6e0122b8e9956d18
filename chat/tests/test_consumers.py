"""The `/ws/` endpoint over the real channels-redis layer."""

import json
from datetime import timedelta
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.tests.factories import UserFactory
from chat.consumers import CLOSE_TRY_AGAIN_LATER, CLOSE_UNAUTHENTICATED, user_group
from chat.events import SERVER_SCHEMAS, event_errors
from chat.models import Conversation, Message, Side
from chat.tests.conftest import connected, joined
from chat.tests.factories import ConversationFactory, MessageFactory
from marketmate.asgi import application
from marketmate.realtime.presence import user_is_online
from marketmate.routing import websocket_urlpatterns
from notifications.models import Kind, Notification
from notifications.services import notification_dispatch
from shops.models import Shop, ShopMember
from shops.services import member_remove

router = URLRouter(websocket_urlpatterns)


def test_the_test_suite_uses_the_redis_channel_layer() -> None:
    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"


@pytest.mark.django_db
def test_an_anonymous_connection_is_closed_with_the_unauthenticated_code() -> None:
    @async_to_sync
    async def scenario() -> dict[str, object]:
        communicator = WebsocketCommunicator(
            application, "/ws/", headers=[(b"origin", b"http://testserver")]
        )
        await communicator.connect()
        output = await communicator.receive_output(timeout=3)
        await communicator.wait()
        return output

    assert scenario() == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


@pytest.mark.django_db(transaction=True)
def test_a_browser_session_cookie_authenticates_and_joins_the_user_room(user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    @async_to_sync
    async def scenario() -> tuple[dict[str, object], dict[str, object]]:
        communicator = WebsocketCommunicator(
            application, "/ws/", headers=[(b"cookie", cookie), (b"origin", b"http://testserver")]
        )
        connected, _ = await communicator.connect(timeout=5)
        assert connected
        ready = await communicator.receive_json_from(timeout=3)
        await get_channel_layer().group_send(
            user_group(user.pk),
            {"type": "realtime.event", "payload": {"type": "notification:new", "id": 1}},
        )
        pushed = await communicator.receive_json_from(timeout=3)
        await communicator.disconnect()
        return ready, pushed

    ready, pushed = scenario()

    assert ready == {"type": "session:ready", "rooms": [f"user:{user.pk}"]}
    assert pushed == {"type": "notification:new", "id": 1}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_event"),
        ('{"no": "type"}', "invalid_event"),
        ('{"type": "launch:rockets"}', "unknown_event"),
        ('{"type": "ping", "pad": "' + "x" * 20000 + '"}', "invalid_message"),
    ],
)
def test_bad_frames_get_an_error_event_and_the_socket_stays_open(
    user: User, frame: str, code: str
) -> None:
    @async_to_sync
    async def scenario() -> tuple[dict[str, object], dict[str, object]]:
        communicator = WebsocketCommunicator(router, "/ws/")
        communicator.scope["user"] = user
        await communicator.connect()
        await communicator.receive_json_from()
        await communicator.send_to(text_data=frame)
        error = await communicator.receive_json_from(timeout=3)
        await communicator.send_json_to({"type": "ping"})
        pong = await communicator.receive_json_from(timeout=3)
        await communicator.disconnect()
        return error, pong

    error, pong = scenario()

    assert error["type"] == "error"
    assert error["code"] == code
    assert pong == {"type": "pong"}


# --- Authentication at the handshake ------------------------------------------------------------
def test_while_redis_is_away_the_handshake_is_refused_at_once_so_the_page_retries(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    layer = get_channel_layer()

    async def unreachable(*args: Any, **kwargs: Any) -> None:
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379.")

    monkeypatch.setattr(layer, "group_add", unreachable)

    @async_to_sync
    async def scenario() -> tuple[bool, object]:
        communicator = WebsocketCommunicator(router, "/ws/")
        communicator.scope["user"] = user
        refused = await communicator.connect(timeout=5)
        # Let the consumer finish while this loop still serves its database calls: returning
        # first left them waiting on a thread no one served, and the test hung once.
        await communicator.disconnect(timeout=5)
        return refused

    # Refused before accept: the browser sees the handshake fail and backs off.
    assert scenario() == (False, CLOSE_TRY_AGAIN_LATER)


def _handshake(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, object]:
    """The first thing the server says to a full-stack connection (middleware included)."""

    @async_to_sync
    async def scenario() -> dict[str, object]:
        communicator = WebsocketCommunicator(application, path, headers=headers or [])
        connected, _ = await communicator.connect(timeout=5)
        if not connected:
            await communicator.disconnect(timeout=5)  # as above: the consumer ends here
            return {"type": "websocket.close", "refused": True}
        output = await communicator.receive_output(timeout=5)
        await communicator.disconnect()
        return output

    return scenario()


def _access_token(user: User) -> str:
    return str(RefreshToken.for_user(user).access_token)


@pytest.mark.django_db(transaction=True)
def test_a_jwt_access_token_in_the_query_authenticates_a_mobile_client_without_origin(
    user: User,
) -> None:
    output = _handshake(f"/ws/?token={_access_token(user)}")

    assert output["type"] == "websocket.send"
    assert json.loads(str(output["text"])) == {
        "type": "session:ready",
        "rooms": [f"user:{user.pk}"],
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "token",
    [
        "not-a-jwt",
        "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoxfQ.c2lnbmF0dXJlLWZyb20tbm93aGVyZQ",
    ],
)
def test_a_bad_token_is_closed_with_the_unauthenticated_code(token: str) -> None:
    assert _handshake(f"/ws/?token={token}") == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }


@pytest.mark.django_db(transaction=True)
def test_an_expired_token_is_closed_with_the_unauthenticated_code(user: User) -> None:
    token = RefreshToken.for_user(user).access_token
    token.set_exp(lifetime=-timedelta(seconds=1))

    assert _handshake(f"/ws/?token={token}") == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }


@pytest.mark.django_db(transaction=True)
def test_a_banned_users_token_is_refused() -> None:
    banned = UserFactory(is_active=False, banned_at=timezone.now())

    assert _handshake(f"/ws/?token={_access_token(banned)}") == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }


@pytest.mark.django_db(transaction=True)
def test_a_banned_users_session_cookie_no_longer_authenticates(user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    User.objects.filter(pk=user.pk).update(is_active=False, banned_at=timezone.now())

    output = _handshake("/ws/", [(b"cookie", cookie), (b"origin", b"http://testserver")])

    assert output == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


@pytest.mark.django_db(transaction=True)
def test_a_bad_token_wins_over_a_valid_cookie(user: User) -> None:
    # A page on another site cannot borrow the cookie by adding any token: the token decides.
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    output = _handshake("/ws/?token=forged", [(b"cookie", cookie)])

    assert output == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


@pytest.mark.django_db(transaction=True)
def test_a_cookie_connection_from_another_site_is_refused(user: User) -> None:
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    output = _handshake("/ws/", [(b"cookie", cookie), (b"origin", b"https://evil.example")])

    assert output == {"type": "websocket.close", "refused": True}


# --- Rooms, from the attacker's side ------------------------------------------------------------
def _join(user: User, room: str) -> dict[str, Any]:
    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(user)
        await communicator.send_json_to({"type": "room:join", "room": room})
        answer: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return answer

    return scenario()


FORBIDDEN = {"type": "error", "code": "forbidden", "message": "You cannot join this room."}


@pytest.mark.django_db(transaction=True)
def test_a_user_joins_their_own_room_but_not_another_users(buyer: User, stranger: User) -> None:
    assert _join(buyer, f"user:{buyer.pk}") == {"type": "room:joined", "room": f"user:{buyer.pk}"}
    assert _join(stranger, f"user:{buyer.pk}") == {**FORBIDDEN, "room": f"user:{buyer.pk}"}


@pytest.mark.django_db(transaction=True)
def test_every_member_of_a_shop_joins_its_room(shop: Shop, owner: User, staff_member: User) -> None:
    room = f"shop:{shop.pk}"

    assert _join(owner, room) == {"type": "room:joined", "room": room}
    assert _join(staff_member, room) == {"type": "room:joined", "room": room}


@pytest.mark.django_db(transaction=True)
def test_a_non_member_cannot_join_a_shop_room_and_cannot_tell_if_it_exists(
    shop: Shop, buyer: User
) -> None:
    existing = _join(buyer, f"shop:{shop.pk}")
    missing = _join(buyer, f"shop:{shop.pk + 1000}")

    assert existing == {**FORBIDDEN, "room": f"shop:{shop.pk}"}
    assert missing == {**FORBIDDEN, "room": f"shop:{shop.pk + 1000}"}


@pytest.mark.django_db(transaction=True)
def test_a_socket_that_left_a_room_hears_nothing_more_from_it(shop: Shop, owner: User) -> None:
    @async_to_sync
    async def scenario() -> tuple[dict[str, Any], bool]:
        communicator = await joined(owner, f"shop:{shop.pk}")
        await communicator.send_json_to({"type": "room:leave", "room": f"shop:{shop.pk}"})
        left = await communicator.receive_json_from(timeout=5)
        await get_channel_layer().group_send(
            f"shop.{shop.pk}", {"type": "realtime.event", "payload": {"type": "pong"}}
        )
        silent = await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return left, silent

    left, silent = scenario()

    assert left == {"type": "room:left", "room": f"shop:{shop.pk}"}
    assert silent is True


@pytest.mark.django_db(transaction=True)
def test_a_member_removed_from_the_shop_leaves_its_room_at_once(
    shop: Shop, owner: User, staff_member: User
) -> None:
    member = ShopMember.objects.get(shop=shop, user=staff_member)

    @async_to_sync
    async def scenario() -> tuple[dict[str, Any], bool, dict[str, Any]]:
        removed = await joined(staff_member, f"shop:{shop.pk}")
        kept = await joined(owner, f"shop:{shop.pk}")
        await database_sync_to_async(member_remove)(member=member, actor=owner)
        left = await removed.receive_json_from(timeout=5)
        await get_channel_layer().group_send(
            f"shop.{shop.pk}", {"type": "realtime.event", "payload": {"type": "pong"}}
        )
        silent = await removed.receive_nothing(timeout=0.5)
        heard = await kept.receive_json_from(timeout=5)
        await removed.disconnect()
        await kept.disconnect()
        return left, silent, heard

    left, silent, heard = scenario()

    assert left == {"type": "room:left", "room": f"shop:{shop.pk}"}
    assert silent is True
    assert heard == {"type": "pong"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("room", ["user:{me}", "shop:1"])
def test_leaving_the_own_user_room_or_a_room_not_joined_is_an_error(user: User, room: str) -> None:
    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(user)
        await communicator.send_json_to({"type": "room:leave", "room": room.format(me=user.pk)})
        answer: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return answer

    assert scenario()["code"] == "not_joined"


# --- Chat events ----------------------------------------------------------------------------------
async def _receive_all(communicator: WebsocketCommunicator, count: int) -> list[dict[str, Any]]:
    events = [await communicator.receive_json_from(timeout=5) for _ in range(count)]
    for event in events:
        assert event_errors(SERVER_SCHEMAS[event["type"]], event) == {}, event
    return sorted(events, key=lambda event: str(event["type"]))


@pytest.mark.django_db(transaction=True)
def test_a_sent_message_is_stored_acknowledged_and_reaches_the_buyer_and_the_shop_room(
    conversation: Conversation, buyer: User, staff_member: User
) -> None:
    @async_to_sync
    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        vendor_socket = await joined(staff_member, f"shop:{conversation.shop_id}")
        buyer_socket = await connected(buyer)
        await buyer_socket.send_json_to(
            {
                "type": "chat:send",
                "conversation_id": conversation.pk,
                "body": "  Is the <b>green</b> tea in stock?  ",
                "client_id": "c-1",
            }
        )
        at_buyer = await _receive_all(buyer_socket, 2)
        at_vendor = await _receive_all(vendor_socket, 1)
        await buyer_socket.disconnect()
        await vendor_socket.disconnect()
        return at_buyer, at_vendor

    at_buyer, at_vendor = scenario()

    message = Message.objects.get()
    assert (message.body, message.side, message.sender_id) == (
        "Is the <b>green</b> tea in stock?",
        Side.BUYER,
        buyer.pk,
    )
    event = {
        "type": "chat:message",
        "conversation_id": conversation.pk,
        "shop_id": conversation.shop_id,
        "buyer_id": buyer.pk,
        "message": {
            "id": message.pk,
            "conversation_id": conversation.pk,
            "sender_id": buyer.pk,
            "sender_name": "Bea Buyer",
            "side": "buyer",
            "body": "Is the <b>green</b> tea in stock?",
            "created": message.created.isoformat(),
            "read_at": None,
        },
    }
    assert at_buyer == [
        event,
        {
            "type": "chat:sent",
            "message_id": message.pk,
            "conversation_id": conversation.pk,
            "client_id": "c-1",
        },
    ]
    assert at_vendor == [event]
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created


@pytest.mark.django_db(transaction=True)
def test_a_shop_member_replies_as_the_shop(
    conversation: Conversation, buyer: User, staff_member: User
) -> None:
    @async_to_sync
    async def scenario() -> list[dict[str, Any]]:
        buyer_socket = await connected(buyer)
        vendor_socket = await connected(staff_member)
        await vendor_socket.send_json_to(
            {"type": "chat:send", "conversation_id": conversation.pk, "body": "Yes, plenty."}
        )
        at_buyer = await _receive_all(buyer_socket, 1)
        await vendor_socket.receive_json_from(timeout=5)
        await buyer_socket.disconnect()
        await vendor_socket.disconnect()
        return at_buyer

    (event,) = scenario()

    assert event["message"]["side"] == "shop"
    assert event["message"]["sender_name"] == "Tea House"
    assert event["message"]["sender_id"] == staff_member.pk


@pytest.mark.django_db(transaction=True)
def test_a_stranger_cannot_send_into_a_conversation(
    conversation: Conversation, stranger: User
) -> None:
    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(stranger)
        await communicator.send_json_to(
            {"type": "chat:send", "conversation_id": conversation.pk, "body": "Hi"}
        )
        answer: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return answer

    assert scenario() == {
        "type": "error",
        "code": "forbidden",
        "message": "Conversation not found.",
    }
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_no_message_can_be_sent_into_a_closed_conversation(buyer: User, shop: Shop) -> None:
    closed = ConversationFactory(buyer=buyer, shop=shop, is_closed=True)

    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(buyer)
        await communicator.send_json_to(
            {"type": "chat:send", "conversation_id": closed.pk, "body": "Hello?"}
        )
        answer: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return answer

    assert scenario()["code"] == "conversation_closed"
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_reading_a_conversation_tells_the_other_side_live(
    conversation: Conversation, buyer: User, owner: User
) -> None:
    MessageFactory.create_batch(2, conversation=conversation)

    @async_to_sync
    async def scenario() -> list[dict[str, Any]]:
        buyer_socket = await connected(buyer)
        vendor_socket = await joined(owner, f"shop:{conversation.shop_id}")
        await vendor_socket.send_json_to({"type": "chat:read", "conversation_id": conversation.pk})
        at_buyer = await _receive_all(buyer_socket, 1)
        await vendor_socket.receive_json_from(timeout=5)
        await buyer_socket.disconnect()
        await vendor_socket.disconnect()
        return at_buyer

    (event,) = scenario()

    read_at = Message.objects.values_list("read_at", flat=True).distinct().get()
    assert event == {
        "type": "chat:read",
        "conversation_id": conversation.pk,
        "side": "shop",
        "reader_id": owner.pk,
        "read_at": read_at.isoformat(),
        "count": 2,
    }


@pytest.mark.django_db(transaction=True)
def test_a_notification_is_pushed_live_to_its_user(buyer: User) -> None:
    @async_to_sync
    async def scenario() -> list[dict[str, Any]]:
        communicator = await connected(buyer)
        await database_sync_to_async(notification_dispatch)(
            user=buyer, kind=Kind.ORDER_SHIPPED, title="Order MM-1 has shipped", link="/orders/"
        )
        events = await _receive_all(communicator, 1)
        await communicator.disconnect()
        return events

    (event,) = scenario()

    notification = Notification.objects.get()
    assert event == {
        "type": "notification:new",
        "notification": {
            "id": notification.pk,
            "kind": "order_shipped",
            "title": "Order MM-1 has shipped",
            "body": "",
            "link": "/orders/",
            "created": notification.created.isoformat(),
            "read_at": None,
        },
        "unread_count": 1,
    }


# --- Bad payloads and rate limits -----------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("event", "fields"),
    [
        ({"type": "chat:send", "conversation_id": 1}, {"body": ["This field is required."]}),
        (
            {"type": "chat:send", "conversation_id": 1, "body": ""},
            {"body": ["This field may not be blank.", "Not in the expected format."]},
        ),
        (
            {"type": "chat:send", "conversation_id": 1, "body": "   "},
            {"body": ["Not in the expected format."]},
        ),
        ({"type": "chat:send", "conversation_id": 1, "body": "x" * 11}, {"body": ["Too long."]}),
        (
            {"type": "chat:send", "conversation_id": "1", "body": "Hi"},
            {"conversation_id": ["Wrong type."]},
        ),
        (
            {"type": "chat:send", "conversation_id": 1, "body": "Hi", "admin": True},
            {"non_field_errors": ["Unexpected fields."]},
        ),
        ({"type": "chat:read", "conversation_id": 0}, {"conversation_id": ["Out of range."]}),
        ({"type": "room:join", "room": "admin:1"}, {"room": ["Not in the expected format."]}),
        ({"type": "room:join", "room": "user:abc"}, {"room": ["Not in the expected format."]}),
        ({"type": "room:join"}, {"room": ["This field is required."]}),
        ({"type": "room:leave", "room": 7}, {"room": ["Wrong type."]}),
    ],
)
def test_an_event_that_breaks_its_schema_gets_the_fields_wrong_and_the_socket_stays_open(
    settings, user: User, event: dict[str, Any], fields: dict[str, list[str]]
) -> None:
    settings.CHAT_MESSAGE_MAX_LENGTH = 10

    @async_to_sync
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        communicator = await connected(user)
        await communicator.send_json_to(event)
        error = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "ping"})
        pong = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return error, pong

    error, pong = scenario()

    assert error["type"] == "error"
    assert error["code"] == "invalid_event"
    assert error["fields"] == fields
    assert pong == {"type": "pong"}
    assert Message.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_binary_frame_gets_an_error_event(user: User) -> None:
    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(user)
        await communicator.send_to(bytes_data=b"\x00\x01")
        error: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return error

    assert scenario()["code"] == "invalid_message"


@pytest.mark.django_db(transaction=True)
def test_messages_past_the_per_user_rate_are_refused_with_the_wait(
    settings, conversation: Conversation, buyer: User
) -> None:
    settings.CHAT_MESSAGE_RATE_LIMIT = "2/m"

    @async_to_sync
    async def scenario() -> dict[str, Any]:
        communicator = await connected(buyer)
        for number in range(2):
            await communicator.send_json_to(
                {"type": "chat:send", "conversation_id": conversation.pk, "body": f"#{number}"}
            )
            await _receive_all(communicator, 2)
        await communicator.send_json_to(
            {"type": "chat:send", "conversation_id": conversation.pk, "body": "#3"}
        )
        error: dict[str, Any] = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return error

    error = scenario()

    assert error["type"] == "error"
    assert error["code"] == "rate_limited"
    assert 1 <= error["retry_after"] <= 61
    assert list(Message.objects.values_list("body", flat=True)) == ["#0", "#1"]


@pytest.mark.django_db(transaction=True)
def test_the_rate_is_per_user_and_shared_by_all_their_sockets(
    settings, conversation: Conversation, buyer: User, owner: User
) -> None:
    settings.CHAT_MESSAGE_RATE_LIMIT = "1/m"

    @async_to_sync
    async def scenario() -> tuple[str, str, str]:
        first, second, vendor = (
            await connected(buyer),
            await connected(buyer),
            await connected(owner),
        )
        send = {"type": "chat:send", "conversation_id": conversation.pk, "body": "Hi"}
        await first.send_json_to(send)
        sent = sorted([(await first.receive_json_from(timeout=5))["type"] for _ in range(2)])[-1]
        await second.receive_json_from(timeout=5)  # the first message, live
        await second.send_json_to(send)
        refused = (await second.receive_json_from(timeout=5))["code"]
        await vendor.send_json_to({**send, "body": "Hello!"})
        answered = (await vendor.receive_json_from(timeout=5))["type"]
        for communicator in (first, second, vendor):
            await communicator.disconnect()
        return sent, refused, answered

    assert scenario() == ("chat:sent", "rate_limited", "chat:sent")


@pytest.mark.django_db(transaction=True)
def test_too_many_frames_of_any_kind_are_refused(settings, user: User) -> None:
    settings.REALTIME_FRAME_RATE_LIMIT = "3/m"

    @async_to_sync
    async def scenario() -> list[str]:
        communicator = await connected(user)
        answers = []
        for _ in range(4):
            await communicator.send_json_to({"type": "ping"})
            answers.append((await communicator.receive_json_from(timeout=5))["type"])
        error = answers[-1]
        await communicator.disconnect()
        return [*answers[:-1], error]

    assert scenario() == ["pong", "pong", "pong", "error"]


# --- Presence -------------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_user_is_online_while_a_socket_is_open_and_offline_after(user: User) -> None:
    @async_to_sync
    async def scenario() -> tuple[bool, bool, bool]:
        first, second = await connected(user), await connected(user)
        both = await database_sync_to_async(user_is_online)(user_id=user.pk)
        await first.disconnect()
        one = await database_sync_to_async(user_is_online)(user_id=user.pk)
        await second.disconnect()
        none = await database_sync_to_async(user_is_online)(user_id=user.pk)
        return both, one, none

    assert scenario() == (True, True, False)
