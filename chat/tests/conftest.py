"""Fixtures of the chat tests: a buyer, a shop with an owner and a staff member, a stranger,
their conversation, and WebSocket clients over the real channels-redis layer."""

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from accounts.models import User
from accounts.tests.factories import UserFactory
from chat.models import Conversation
from chat.tests.factories import ConversationFactory, order_placed
from marketmate.routing import websocket_urlpatterns
from orders.models import Order
from shops.models import Shop, ShopMember
from shops.tests.factories import ShopFactory, ShopMemberFactory

router = URLRouter(websocket_urlpatterns)


@pytest.fixture
def buyer(db: None) -> User:
    return UserFactory(name="Bea Buyer")


@pytest.fixture
def shop(db: None) -> Shop:
    return ShopFactory(name="Tea House", owner=UserFactory(name="Otto Owner"))


@pytest.fixture
def owner(shop: Shop) -> User:
    return shop.owner


@pytest.fixture
def staff_member(shop: Shop) -> User:
    member: ShopMember = ShopMemberFactory(shop=shop, user=UserFactory(name="Sam Staff"))
    return member.user


@pytest.fixture
def stranger(db: None) -> User:
    return UserFactory(name="Eve Stranger")


@pytest.fixture
def conversation(buyer: User, shop: Shop) -> Conversation:
    return ConversationFactory(buyer=buyer, shop=shop)


Connect = Callable[[User], Awaitable[WebsocketCommunicator]]


async def connected(user: User) -> WebsocketCommunicator:
    """A socket authenticated as `user` (the handshake's auth is tested on its own), past
    its `session:ready` event."""
    communicator = WebsocketCommunicator(router, "/ws/")
    communicator.scope["user"] = user
    is_connected, _ = await communicator.connect(timeout=5)
    assert is_connected
    ready: dict[str, Any] = await communicator.receive_json_from(timeout=5)
    assert ready["type"] == "session:ready"
    return communicator


async def joined(user: User, room: str) -> WebsocketCommunicator:
    communicator = await connected(user)
    await communicator.send_json_to({"type": "room:join", "room": room})
    answer = await communicator.receive_json_from(timeout=5)
    assert answer == {"type": "room:joined", "room": room}, answer
    return communicator


@pytest.fixture
def order(buyer: User, shop: Shop) -> Order:
    return order_placed(buyer=buyer, shop=shop)
