"""Errors of the notifications app."""

from typing import ClassVar

from marketmate.errors import ConflictError


class PushEndpointTakenError(ConflictError):
    """The push endpoint is registered to another user (who must remove it first)."""

    default_code: ClassVar[str] = "push_endpoint_taken"
