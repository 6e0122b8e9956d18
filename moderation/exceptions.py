from typing import ClassVar

from django.db import models

from marketmate.errors import ApplicationError, ConflictError, NotFoundError


class ModerationErrorCode(models.TextChoices):
    VALIDATION_ERROR = "validation_error"
    TARGET_NOT_FOUND = "report_target_not_found"
    ALREADY_REPORTED = "already_reported"
    REPORT_HANDLED = "report_handled"


class ReportInvalidError(ApplicationError):
    default_code: ClassVar[str] = ModerationErrorCode.VALIDATION_ERROR


class ReportTargetNotFoundError(NotFoundError):
    """The reported thing does not exist or the reporter may not see it (the same to them)."""

    default_code: ClassVar[str] = ModerationErrorCode.TARGET_NOT_FOUND


class AlreadyReportedError(ConflictError):
    default_code: ClassVar[str] = ModerationErrorCode.ALREADY_REPORTED


class ReportHandledError(ConflictError):
    default_code: ClassVar[str] = ModerationErrorCode.REPORT_HANDLED
