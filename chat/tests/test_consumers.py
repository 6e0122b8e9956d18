"""The `/ws/` endpoint over the real channels-redis layer."""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from accounts.models import User
from chat.consumers import CLOSE_UNAUTHENTICATED, user_group
from marketmate.asgi import application
from marketmate.routing import websocket_urlpatterns

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
