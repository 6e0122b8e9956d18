"""Rooms of the `/ws/` endpoint and sending events to them from synchronous code.

A room is what clients name (`user:42`, `shop:7`, `order:9`); its channel-layer group is the
same with a dot (`user.42`), because group names may not contain ':'.
"""

import logging
from collections.abc import Iterable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)

ROOM_KINDS = ("user", "shop", "order")


def room_group(room: str) -> str:
    """`"order:9"` -> `"order.9"`."""
    return room.replace(":", ".", 1)


def user_room(user_id: int) -> str:
    return f"user:{user_id}"


def shop_room(shop_id: int) -> str:
    return f"shop:{shop_id}"


def order_room(order_id: int) -> str:
    return f"order:{order_id}"


def _group_send(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "realtime.event", "payload": payload}
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:
            # A live update is a courtesy: the data is committed and the pages show it on load.
            logger.exception("Could not send %s to %s", payload.get("type"), group)


def realtime_send(*, rooms: Iterable[str], payload: dict[str, Any]) -> None:
    """Send `payload` to every socket in `rooms` once the current transaction commits."""
    groups = [room_group(room) for room in dict.fromkeys(rooms)]
    transaction.on_commit(lambda: _group_send(groups, payload))


def _user_sockets_send(*, user_id: int, message: dict[str, Any]) -> None:
    """Send a control `message` to every open socket of `user_id`, in every process (each
    socket is in its user's group on the shared channel layer), once the transaction commits."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(room_group(user_room(user_id)), message)
        except Exception:
            # The sockets still check the user on their next event (RealtimeConsumer).
            logger.exception("Could not send %s to user %s", message["type"], user_id)

    transaction.on_commit(send)


def room_revoke(*, user_id: int, room: str) -> None:
    """Make every open socket of `user_id` leave `room` (after commit), e.g. a removed member."""
    _user_sockets_send(user_id=user_id, message={"type": "realtime.revoke", "room": room})


def user_rooms_recheck(*, user_id: int) -> None:
    """Make every open socket of `user_id` leave the rooms the user may no longer hear (after
    commit): a removed member loses the shop's room and the rooms of its orders."""
    _user_sockets_send(user_id=user_id, message={"type": "realtime.recheck"})


def user_sockets_close(*, user_id: int) -> None:
    """Close every open socket of `user_id` (after commit): banned, deactivated, signed out
    everywhere."""
    _user_sockets_send(user_id=user_id, message={"type": "realtime.close"})
