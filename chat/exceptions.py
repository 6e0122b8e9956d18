from typing import ClassVar

from django.db import models
from rest_framework import status

from marketmate.errors import ApplicationError, ConflictError, NotFoundError


class ChatErrorCode(models.TextChoices):
    CONVERSATION_NOT_FOUND = "conversation_not_found"
    CONVERSATION_CLOSED = "conversation_closed"
    OWN_SHOP = "own_shop"
    RATE_LIMITED = "rate_limited"
    VALIDATION_ERROR = "validation_error"


class ConversationNotFoundError(NotFoundError):
    """The conversation does not exist or the user is not part of it (the same to them)."""

    default_code: ClassVar[str] = ChatErrorCode.CONVERSATION_NOT_FOUND


class ConversationClosedError(ConflictError):
    default_code: ClassVar[str] = ChatErrorCode.CONVERSATION_CLOSED


class ChatRateLimitedError(ApplicationError):
    """Too many messages in a short time; `retry_after` is in seconds."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code: ClassVar[str] = ChatErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
