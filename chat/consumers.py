"""The one WebSocket endpoint, `/ws/`. Every authenticated connection joins its user's room.

The consumer is an interface like a view: it authenticates (at the handshake), validates each
event against its schema (chat.events), calls a service or selector, and sends the answer.
The protocol is documented in docs/realtime.md.
"""

import logging
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils.translation import gettext as _

from accounts.selectors import user_get_signed_in
from accounts.token_denylist import token_is_denied
from chat import selectors, services
from chat.events import client_schemas, event_errors
from chat.exceptions import ChatRateLimitedError, ConversationClosedError
from marketmate.errors import ApplicationError
from marketmate.flags import Switch, switch_is_on
from marketmate.json_input import JsonInputError, json_input_loads
from marketmate.ratelimits import rate_limit_hit
from marketmate.realtime import presence
from marketmate.realtime.rooms import room_group, user_room

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401
# The channel layer (Redis) could not be reached: the client should try again later.
CLOSE_TRY_AGAIN_LATER = 1013
# Kept for callers of the original constant; the limit itself is settings.REALTIME_MAX_FRAME_BYTES.
MAX_MESSAGE_BYTES = 16 * 1024
# Renew the presence record at most this often (seconds); the TTL is much longer.
PRESENCE_RENEW_EVERY = 15


def user_group(user_id: int) -> str:
    """The channel-layer group of the `user:{id}` room (group names may not contain ':')."""
    return room_group(user_room(user_id))


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        self.user_id = user.pk
        # The sign-in version of the handshake: a later ban, deactivation or password reset
        # bumps it, and the socket's next event is refused (see `user_current`).
        self.auth_version = getattr(user, "auth_version", 0)
        self.rooms: set[str] = {user_room(user.pk)}
        self.presence_renewed = 0.0
        try:
            await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        except Exception:
            # Redis is away (restarting, failing over). Refuse the handshake at once: the page
            # retries with backoff, where a handshake left hanging would hold up the browser's
            # next attempts to this server until the failed consumer finished unwinding.
            logger.warning("Refused a WebSocket: the channel layer is unreachable", exc_info=True)
            self.rooms = set()
            await self.close(code=CLOSE_TRY_AGAIN_LATER)
            return
        await self.accept()
        await self.presence_renew()
        await self.send_json({"type": "session:ready", "rooms": [user_room(user.pk)]})

    async def disconnect(self, code: int) -> None:
        for room in getattr(self, "rooms", set()):
            try:
                await self.channel_layer.group_discard(room_group(room), self.channel_name)
            except Exception:
                # The membership expires with the group (channel layer group_expiry).
                logger.warning("Could not leave %s on disconnect", room, exc_info=True)
        if hasattr(self, "user_id"):
            await self.presence_call(presence.presence_leave)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        limit = settings.REALTIME_MAX_FRAME_BYTES
        if text_data is None or len(text_data.encode()) > limit:
            await self.send_error(
                "invalid_message",
                _("Send JSON text frames of at most %(limit)d bytes.") % {"limit": limit},
            )
            return
        try:
            content = json_input_loads(text_data)
        except JsonInputError as exc:
            # Too deep to parse, or text PostgreSQL and the encoder cannot take: an error
            # event like any other bad frame, never an exception that drops the socket.
            code = "invalid_json" if exc.code == "too_deep" else "invalid_event"
            await self.send_error(code, exc.message)
            return
        except ValueError:
            await self.send_error("invalid_json", _("The message is not valid JSON."))
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.send_error("invalid_event", _("An event is a JSON object with a 'type'."))
            return
        await self.receive_json(content)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        # Every event is authorised against the user as they are now, not at the handshake:
        # the close event of a ban may still be on its way, or the account may have been
        # switched off without one.
        user = await database_sync_to_async(self.user_current)()
        if user is None:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = user
        retry_after = await database_sync_to_async(rate_limit_hit)(
            key=f"ws:frames:{self.user_id}", rate=settings.REALTIME_FRAME_RATE_LIMIT
        )
        if retry_after is not None:
            await self.send_error(
                "rate_limited",
                _("Too many events. Try again in %(seconds)d seconds.") % {"seconds": retry_after},
                retry_after=retry_after,
            )
            return
        await self.presence_renew()
        event_type = content["type"]
        schema = client_schemas(message_max_length=settings.CHAT_MESSAGE_MAX_LENGTH).get(event_type)
        if schema is None:
            await self.send_error(
                "unknown_event", _("Unknown event type %(type)r.") % {"type": event_type[:64]}
            )
            return
        errors = event_errors(schema, content)
        if errors:
            await self.send_error(
                "invalid_event",
                _("The %(type)s event has invalid fields.") % {"type": event_type},
                fields=errors,
            )
            return
        if event_type.startswith("chat:") and not await database_sync_to_async(switch_is_on)(
            Switch.CHAT
        ):
            await self.send_error("chat_disabled", _("Chat is not available."))
            return
        handler = {
            "ping": self.on_ping,
            "room:join": self.on_room_join,
            "room:leave": self.on_room_leave,
            "chat:send": self.on_chat_send,
            "chat:read": self.on_chat_read,
        }[event_type]
        await handler(content)

    # --- client events ----------------------------------------------------------------------
    async def on_ping(self, content: dict[str, Any]) -> None:
        await self.send_json({"type": "pong"})

    async def on_room_join(self, content: dict[str, Any]) -> None:
        room = content["room"]
        if room not in self.rooms:
            allowed = await database_sync_to_async(selectors.room_may_join)(
                user=self.user, room=room
            )
            if not allowed:
                # The same answer whether the room exists or not.
                await self.send_error("forbidden", _("You cannot join this room."), room=room)
                return
            await self.channel_layer.group_add(room_group(room), self.channel_name)
            self.rooms.add(room)
        await self.send_json({"type": "room:joined", "room": room})

    async def on_room_leave(self, content: dict[str, Any]) -> None:
        room = content["room"]
        if room not in self.rooms or room == user_room(self.user_id):
            await self.send_error(
                "not_joined", _("You are not in a room you can leave by that name.")
            )
            return
        await self.channel_layer.group_discard(room_group(room), self.channel_name)
        self.rooms.discard(room)
        await self.send_json({"type": "room:left", "room": room})

    async def on_chat_send(self, content: dict[str, Any]) -> None:
        try:
            message = await database_sync_to_async(self._chat_send)(
                content["conversation_id"], content["body"]
            )
        except ChatRateLimitedError as exc:
            await self.send_error("rate_limited", exc.message, retry_after=exc.retry_after)
            return
        except ConversationClosedError as exc:
            await self.send_error("conversation_closed", exc.message)
            return
        except ApplicationError as exc:
            await self.send_application_error(exc)
            return
        ack: dict[str, Any] = {
            "type": "chat:sent",
            "message_id": message.pk,
            "conversation_id": message.conversation_id,
        }
        if "client_id" in content:
            ack["client_id"] = content["client_id"]
        await self.send_json(ack)

    def _chat_send(self, conversation_id: int, body: str) -> Any:
        conversation = selectors.conversation_get_for_user(
            user=self.user, conversation_id=conversation_id
        )
        return services.message_send(conversation=conversation, sender=self.user, body=body)

    async def on_chat_read(self, content: dict[str, Any]) -> None:
        try:
            await database_sync_to_async(self._chat_read)(content["conversation_id"])
        except ApplicationError as exc:
            await self.send_application_error(exc)

    def _chat_read(self, conversation_id: int) -> int:
        conversation = selectors.conversation_get_for_user(
            user=self.user, conversation_id=conversation_id
        )
        return services.conversation_mark_read(conversation=conversation, reader=self.user)

    # --- helpers ----------------------------------------------------------------------------
    def user_current(self) -> Any:
        """The socket's user, fresh from the database, while still active, not banned, on the
        sign-in version of the handshake and (mobile clients) with a token not signed out;
        else None."""
        claims = self.scope.get("token_claims")
        if claims and token_is_denied(payload=claims):
            return None  # the access token it connected with was signed out
        return user_get_signed_in(user_id=self.user_id, auth_version=self.auth_version)

    async def send_application_error(self, exc: ApplicationError) -> None:
        if exc.status_code == 404:
            # Not part of the conversation, or no such conversation: the same to the client.
            await self.send_error("forbidden", str(exc.message))
        else:
            await self.send_error("invalid_event", str(exc.message), fields=exc.fields)

    async def send_error(self, code: str, message: str, **extra: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": str(message), **extra})

    async def presence_renew(self) -> None:
        now = time.monotonic()
        if now - self.presence_renewed < PRESENCE_RENEW_EVERY:
            return
        self.presence_renewed = now
        await self.presence_call(presence.presence_touch)

    async def presence_call(self, function: Any) -> None:
        try:
            await database_sync_to_async(function)(
                user_id=self.user_id, connection=self.channel_name
            )
        except Exception:
            # Presence only decides whether to e-mail; a socket must not fail for it.
            logger.exception("Presence update failed for user %s", self.user_id)

    async def realtime_revoke(self, event: dict[str, Any]) -> None:
        """Leave a room this user may no longer hear (sent by
        `marketmate.realtime.rooms.room_revoke`)."""
        room = event["room"]
        if room in self.rooms and room != user_room(self.user_id):
            await self.channel_layer.group_discard(room_group(room), self.channel_name)
            self.rooms.discard(room)
            await self.send_json({"type": "room:left", "room": room})

    async def realtime_close(self, event: dict[str, Any]) -> None:
        """The user's sign-ins ended (ban, deactivation, password reset): close at once (sent
        by `marketmate.realtime.rooms.user_sockets_close` to the user's room, so every process
        hears it)."""
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def realtime_recheck(self, event: dict[str, Any]) -> None:
        """Leave every joined room the user may no longer hear (a member left a shop: its room
        and its orders' rooms), checked against the database now."""
        for room in sorted(self.rooms):
            if room == user_room(self.user_id):
                continue
            allowed = await database_sync_to_async(selectors.room_may_join)(
                user=self.user, room=room
            )
            if not allowed:
                await self.channel_layer.group_discard(room_group(room), self.channel_name)
                self.rooms.discard(room)
                await self.send_json({"type": "room:left", "room": room})

    async def realtime_event(self, event: dict[str, Any]) -> None:
        """Forward an event a service sent to one of this connection's groups."""
        await self.send_json(event["payload"])
