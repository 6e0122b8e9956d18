from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import status

from marketmate.errors import ApplicationError, ErrorCode


class AccountsErrorCode(models.TextChoices):
    INVALID_CREDENTIALS = "invalid_credentials", _("Invalid credentials")
    ACCOUNT_DISABLED = "account_disabled", _("Account disabled")
    EMAIL_TAKEN = "email_taken", _("E-mail address taken")
    INVALID_TOKEN = "invalid_token", _("Invalid or expired token")
    RATE_LIMITED = "throttled", _("Too many attempts")
    SECOND_FACTOR_REQUIRED = "second_factor_required", _("Second factor required")


class InvalidCredentialsError(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    default_code: ClassVar[str] = AccountsErrorCode.INVALID_CREDENTIALS


class SecondFactorRequiredError(ApplicationError):
    """The password was right, but the account has a second factor and no valid code came."""

    status_code = status.HTTP_401_UNAUTHORIZED
    default_code: ClassVar[str] = AccountsErrorCode.SECOND_FACTOR_REQUIRED


class AccountDisabledError(ApplicationError):
    """The account is banned or deactivated: it may not sign in."""

    status_code = status.HTTP_403_FORBIDDEN
    default_code: ClassVar[str] = AccountsErrorCode.ACCOUNT_DISABLED


class InvalidTokenError(ApplicationError):
    """A password-reset token or e-mail verification key that is wrong, used or expired."""

    default_code: ClassVar[str] = AccountsErrorCode.INVALID_TOKEN


class RateLimitedError(ApplicationError):
    """Too many attempts; `retry_after` seconds until the next one is allowed."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code: ClassVar[str] = ErrorCode.THROTTLED

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
