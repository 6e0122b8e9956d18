"""The JSON schemas of every WebSocket event, client to server and server to client.

Client events are validated here before the consumer acts on them; server events are
validated in the tests, so the documentation (docs/realtime.md) and the wire agree.
"""

from typing import Any

from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator

ROOM_PATTERN = r"^(user|shop|order):[1-9][0-9]{0,17}$"
ID = {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}
TIMESTAMP = {"type": "string", "format": "date-time"}


def _event(name: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": name,
        "type": "object",
        "properties": {"type": {"const": name}, **properties},
        "required": ["type", *required],
        "additionalProperties": False,
    }


def _body_schema(max_length: int) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}


def client_schemas(*, message_max_length: int) -> dict[str, dict[str, Any]]:
    """What a client may send. `message_max_length` is settings.CHAT_MESSAGE_MAX_LENGTH."""
    return {
        "ping": _event("ping", {}, []),
        "room:join": _event(
            "room:join", {"room": {"type": "string", "pattern": ROOM_PATTERN}}, ["room"]
        ),
        "room:leave": _event(
            "room:leave", {"room": {"type": "string", "pattern": ROOM_PATTERN}}, ["room"]
        ),
        "chat:send": _event(
            "chat:send",
            {
                "conversation_id": ID,
                "body": _body_schema(message_max_length),
                "client_id": {"type": "string", "maxLength": 64},
            },
            ["conversation_id", "body"],
        ),
        "chat:read": _event("chat:read", {"conversation_id": ID}, ["conversation_id"]),
    }


MESSAGE = {
    "type": "object",
    "properties": {
        "id": ID,
        "conversation_id": ID,
        "sender_id": {"type": ["integer", "null"]},
        "sender_name": {"type": "string"},
        "side": {"enum": ["buyer", "shop"]},
        "body": {"type": "string"},
        "created": TIMESTAMP,
        "read_at": {"type": ["string", "null"]},
    },
    "required": ["id", "conversation_id", "sender_id", "sender_name", "side", "body", "created"],
    "additionalProperties": False,
}

NOTIFICATION = {
    "type": "object",
    "properties": {
        "id": ID,
        "kind": {"type": "string"},
        "title": {"type": "string"},
        "body": {"type": "string"},
        "link": {"type": "string"},
        "created": TIMESTAMP,
        "read_at": {"type": ["string", "null"]},
    },
    "required": ["id", "kind", "title", "body", "link", "created", "read_at"],
    "additionalProperties": False,
}

SERVER_SCHEMAS: dict[str, dict[str, Any]] = {
    "session:ready": _event(
        "session:ready",
        {"rooms": {"type": "array", "items": {"type": "string", "pattern": ROOM_PATTERN}}},
        ["rooms"],
    ),
    "pong": _event("pong", {}, []),
    "error": _event(
        "error",
        {
            "code": {
                "enum": [
                    "invalid_message",
                    "invalid_json",
                    "invalid_event",
                    "unknown_event",
                    "forbidden",
                    "not_joined",
                    "rate_limited",
                    "conversation_closed",
                    "chat_disabled",
                ]
            },
            "message": {"type": "string"},
            "fields": {"type": "object"},
            "retry_after": {"type": "integer", "minimum": 1},
            "room": {"type": "string"},
        },
        ["code", "message"],
    ),
    "room:joined": _event(
        "room:joined", {"room": {"type": "string", "pattern": ROOM_PATTERN}}, ["room"]
    ),
    "room:left": _event(
        "room:left", {"room": {"type": "string", "pattern": ROOM_PATTERN}}, ["room"]
    ),
    "chat:sent": _event(
        "chat:sent",
        {"client_id": {"type": "string"}, "message_id": ID, "conversation_id": ID},
        ["message_id", "conversation_id"],
    ),
    "chat:message": _event(
        "chat:message",
        {"conversation_id": ID, "shop_id": ID, "buyer_id": ID, "message": MESSAGE},
        ["conversation_id", "shop_id", "buyer_id", "message"],
    ),
    "chat:read": _event(
        "chat:read",
        {
            "conversation_id": ID,
            "side": {"enum": ["buyer", "shop"]},
            "reader_id": ID,
            "read_at": TIMESTAMP,
            "count": {"type": "integer", "minimum": 0},
        },
        ["conversation_id", "side", "reader_id", "read_at", "count"],
    ),
    "order:status:update": _event(
        "order:status:update",
        {
            "order_id": ID,
            "number": {"type": "string"},
            "status": {"type": "string"},
            "status_display": {"type": "string"},
            "event": {"type": "string"},
            "updated": TIMESTAMP,
        },
        ["order_id", "number", "status", "status_display", "event", "updated"],
    ),
    "notification:new": _event(
        "notification:new",
        {"notification": NOTIFICATION, "unread_count": {"type": "integer", "minimum": 0}},
        ["notification", "unread_count"],
    ),
}


def event_errors(schema: dict[str, Any], event: dict[str, Any]) -> dict[str, list[str]]:
    """The schema violations of `event` as `{field: [message, ...]}` (empty when valid)."""
    errors: dict[str, list[str]] = {}
    for error in Draft202012Validator(schema).iter_errors(event):
        path = ".".join(str(part) for part in error.absolute_path)
        if not path and error.validator == "required":
            path = str(error.message.split("'")[1]) if "'" in error.message else "type"
        elif not path and error.validator == "additionalProperties":
            path = "non_field_errors"
        errors.setdefault(path or "non_field_errors", []).append(_message(error.validator))
    return errors


def _message(validator: object) -> str:
    return {
        "required": _("This field is required."),
        "additionalProperties": _("Unexpected fields."),
        "maxLength": _("Too long."),
        "minLength": _("This field may not be blank."),
        "pattern": _("Not in the expected format."),
        "type": _("Wrong type."),
        "minimum": _("Out of range."),
        "maximum": _("Out of range."),
        "const": _("Wrong event type."),
        "enum": _("Not an allowed value."),
    }.get(str(validator), _("Invalid value."))
