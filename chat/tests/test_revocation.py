"""Sockets opened before a ban, a deactivation or a member's removal, over the real
channels-redis layer: the change reaches them at once, and every event they send is checked
against the user's state now, not at the handshake."""

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator

from accounts import services as account_services
from accounts.models import User
from chat.consumers import CLOSE_UNAUTHENTICATED
from chat.models import Conversation, Message
from chat.tests.conftest import connected, joined
from marketmate.asgi import application
from orders.models import Order
from shops.models import Shop, ShopMember
from shops.services import member_remove

pytestmark = pytest.mark.django_db(transaction=True)


async def _closed_with(communicator: WebsocketCommunicator) -> dict[str, Any]:
    """The next output of the socket, skipping events that were already on their way."""
    while True:
        output: dict[str, Any] = await communicator.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output


@pytest.mark.parametrize("end", ["ban", "deactivate", "sign_ins_end"])
def test_ending_a_users_sign_ins_closes_every_socket_they_hold_at_once(
    buyer: User, stranger: User, end: str
) -> None:
    @async_to_sync
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        first = await connected(buyer)
        second = await connected(buyer)
        bystander = await connected(stranger)
        if end == "ban":
            await database_sync_to_async(account_services.user_ban)(
                user=buyer, actor=None, reason="Spam"
            )
        elif end == "deactivate":
            await database_sync_to_async(account_services.user_deactivate)(user=buyer, actor=None)
        else:
            await database_sync_to_async(account_services.user_sign_ins_end)(user=buyer)
        closed_first = await _closed_with(first)
        closed_second = await _closed_with(second)
        await bystander.send_json_to({"type": "ping"})
        pong = await bystander.receive_json_from(timeout=5)
        await bystander.disconnect()
        return closed_first, closed_second, pong

    closed_first, closed_second, pong = scenario()

    assert closed_first == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    assert closed_second == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    assert pong == {"type": "pong"}


def test_a_user_deactivated_behind_the_services_back_cannot_send_over_an_old_socket(
    conversation: Conversation, buyer: User
) -> None:
    # Given a socket opened while the buyer was active
    @async_to_sync
    async def scenario() -> dict[str, Any]:
        socket = await connected(buyer)
        # When the account is switched off without any event (a raw update, a database edit)
        await database_sync_to_async(User.objects.filter(pk=buyer.pk).update)(is_active=False)
        await socket.send_json_to(
            {"type": "chat:send", "conversation_id": conversation.pk, "body": "Still here"}
        )
        return await _closed_with(socket)

    # Then the next event is refused and the socket closed
    assert scenario() == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
    assert Message.objects.count() == 0


def test_a_member_removed_from_a_shop_leaves_the_rooms_of_its_orders_too(
    shop: Shop, owner: User, staff_member: User, order: Order
) -> None:
    member = ShopMember.objects.get(shop=shop, user=staff_member)

    @async_to_sync
    async def scenario() -> tuple[list[dict[str, Any]], bool]:
        socket = await joined(staff_member, f"order:{order.pk}")
        await socket.send_json_to({"type": "room:join", "room": f"shop:{shop.pk}"})
        await socket.receive_json_from(timeout=5)
        await database_sync_to_async(member_remove)(member=member, actor=owner)
        left = [await socket.receive_json_from(timeout=5) for _ in range(2)]
        await get_channel_layer().group_send(
            f"order.{order.pk}", {"type": "realtime.event", "payload": {"type": "pong"}}
        )
        silent = await socket.receive_nothing(timeout=0.5)
        await socket.disconnect()
        return left, silent

    left, silent = scenario()

    assert sorted(event["room"] for event in left) == sorted(
        [f"shop:{shop.pk}", f"order:{order.pk}"]
    )
    assert {event["type"] for event in left} == {"room:left"}
    assert silent is True


def test_a_removed_member_cannot_answer_for_the_shop_over_an_old_socket(
    conversation: Conversation, owner: User, staff_member: User
) -> None:
    member = ShopMember.objects.get(shop=conversation.shop, user=staff_member)

    @async_to_sync
    async def scenario() -> dict[str, Any]:
        socket = await connected(staff_member)
        await database_sync_to_async(member_remove)(member=member, actor=owner)
        await socket.send_json_to(
            {"type": "chat:send", "conversation_id": conversation.pk, "body": "As the shop"}
        )
        answer: dict[str, Any] = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return answer

    assert scenario()["code"] == "forbidden"
    assert Message.objects.count() == 0


# --- Frames that used to drop the socket ---------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ('{"type": "chat:send", "conversation_id": 1, "body": "a\\u0000b"}', "invalid_event"),
        ('{"type": "chat:send", "conversation_id": 1, "body": "a\\ud800b"}', "invalid_event"),
        ('{"type": "ping", "a\\u0000": 1}', "invalid_event"),
        ('{"type": "ping", "pad": ' + "[" * 3000 + "]" * 3000 + "}", "invalid_json"),
        ('{"type": "ping", "pad": ' + '{"a":' * 2000 + "1" + "}" * 2000 + "}", "invalid_json"),
    ],
)
def test_frames_with_nul_lone_surrogates_or_deep_nesting_get_an_error_event(
    conversation: Conversation, buyer: User, frame: str, code: str
) -> None:
    frame = frame.replace('"conversation_id": 1', f'"conversation_id": {conversation.pk}')

    @async_to_sync
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        socket = await connected(buyer)
        await socket.send_to(text_data=frame)
        error: dict[str, Any] = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong: dict[str, Any] = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return error, pong

    error, pong = scenario()

    assert (error["type"], error["code"]) == ("error", code)
    assert pong == {"type": "pong"}
    assert Message.objects.count() == 0
    json.dumps(error)  # the error itself is valid JSON without surrogates


def test_a_mobile_socket_stops_at_its_next_event_once_its_token_is_signed_out(
    buyer: User,
) -> None:
    tokens = account_services.user_tokens_issue(user=buyer)

    @async_to_sync
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        socket = WebsocketCommunicator(application, f"/ws/?token={tokens['access']}")
        connected_ok, _ = await socket.connect(timeout=5)
        assert connected_ok
        await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong: dict[str, Any] = await socket.receive_json_from(timeout=5)
        await database_sync_to_async(account_services.user_sign_out_tokens)(
            refresh=tokens["refresh"]
        )
        await socket.send_json_to({"type": "ping"})
        return pong, await _closed_with(socket)

    pong, closed = scenario()

    assert pong == {"type": "pong"}
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}
