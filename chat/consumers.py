"""The one WebSocket endpoint, `/ws/`. Every authenticated connection joins its user's room."""

import json
import logging
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
MAX_MESSAGE_BYTES = 16 * 1024


def user_group(user_id: int) -> str:
    """The channel-layer group of the `user:{id}` room (group names may not contain ':')."""
    return f"user.{user_id}"


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.groups_joined = [user_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()
        await self.send_json({"type": "session:ready", "rooms": [f"user:{user.pk}"]})

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data.encode()) > MAX_MESSAGE_BYTES:
            await self.send_error("invalid_message", "Send JSON text frames of at most 16 KiB.")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.send_error("invalid_json", "The message is not valid JSON.")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("invalid_event", "An event is a JSON object with a 'type'.")
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content["type"] == "ping":
            await self.send_json({"type": "pong"})
            return
        await self.send_error("unknown_event", f"Unknown event type {content['type']!r}.")

    async def send_error(self, code: str, message: str) -> None:
        await self.send_json({"type": "error", "code": code, "message": message})

    async def realtime_event(self, event: dict[str, Any]) -> None:
        """Forward an event a service sent to one of this connection's groups."""
        await self.send_json(event["payload"])
