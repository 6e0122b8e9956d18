"""channels-redis joins separate server processes: a message sent through one reaches a
socket held by another. Two real ASGI servers (uvicorn) run as subprocesses on loopback."""

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from accounts.services import user_ban
from chat.consumers import CLOSE_UNAUTHENTICATED
from chat.models import Conversation, Message
from chat.tests.servers import asgi_servers

pytestmark = pytest.mark.django_db(transaction=True)

EVENT_SECONDS = 10


@pytest.fixture
def two_servers(tmp_path: Path) -> Iterator[list[int]]:
    with asgi_servers(count=2, logs_dir=tmp_path) as ports:
        yield ports


async def _next_of_type(connection: Any, event_type: str) -> dict[str, Any]:
    while True:
        event: dict[str, Any] = json.loads(await connection.recv())
        if event["type"] == event_type:
            return event


def test_a_message_sent_through_one_process_reaches_a_socket_on_another(
    two_servers: list[int], conversation: Conversation, buyer: User, owner: User
) -> None:
    port_a, port_b = two_servers
    buyer_token = str(RefreshToken.for_user(buyer).access_token)
    vendor_token = str(RefreshToken.for_user(owner).access_token)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        async with (
            websockets.connect(f"ws://127.0.0.1:{port_a}/ws/?token={buyer_token}") as at_a,
            websockets.connect(f"ws://127.0.0.1:{port_b}/ws/?token={vendor_token}") as at_b,
        ):
            await _next_of_type(at_a, "session:ready")
            await _next_of_type(at_b, "session:ready")
            room = f"shop:{conversation.shop_id}"
            await at_b.send(json.dumps({"type": "room:join", "room": room}))
            await _next_of_type(at_b, "room:joined")
            await at_a.send(
                json.dumps(
                    {
                        "type": "chat:send",
                        "conversation_id": conversation.pk,
                        "body": "Sent through process A",
                    }
                )
            )
            acknowledged = await _next_of_type(at_a, "chat:sent")
            delivered = await _next_of_type(at_b, "chat:message")
            return acknowledged, delivered

    acknowledged, delivered = asyncio.run(asyncio.wait_for(scenario(), EVENT_SECONDS * 3))

    message = Message.objects.get()
    assert acknowledged["message_id"] == message.pk
    assert delivered["conversation_id"] == conversation.pk
    assert delivered["message"]["id"] == message.pk
    assert delivered["message"]["body"] == "Sent through process A"
    assert delivered["message"]["sender_name"] == "Bea Buyer"


def test_a_ban_in_one_process_closes_the_users_sockets_held_by_other_processes(
    two_servers: list[int], conversation: Conversation, buyer: User
) -> None:
    # Given the buyer holds a socket on each server, opened before the ban
    token = str(RefreshToken.for_user(buyer).access_token)

    async def scenario() -> list[int | None]:
        async with (
            websockets.connect(f"ws://127.0.0.1:{two_servers[0]}/ws/?token={token}") as at_a,
            websockets.connect(f"ws://127.0.0.1:{two_servers[1]}/ws/?token={token}") as at_b,
        ):
            await _next_of_type(at_a, "session:ready")
            await _next_of_type(at_b, "session:ready")
            # When staff ban the buyer in a third process (this one)
            await asyncio.to_thread(user_ban, user=buyer, actor=None, reason="Spam")
            codes = []
            for connection in (at_a, at_b):
                await asyncio.wait_for(connection.wait_closed(), EVENT_SECONDS)
                codes.append(connection.close_code)
            return codes

    # Then both sockets are closed with the unauthenticated code
    assert asyncio.run(asyncio.wait_for(scenario(), EVENT_SECONDS * 3)) == [
        CLOSE_UNAUTHENTICATED,
        CLOSE_UNAUTHENTICATED,
    ]
