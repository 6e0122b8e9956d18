from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from marketmate.errors import ApplicationError, NotFoundError


class IntegrationsErrorCode(models.TextChoices):
    API_KEY_INVALID = "api_key_invalid", _("API key not valid")
    API_KEY_SCOPE_REQUIRED = "api_key_scope_required", _("The API key lacks a scope")
    API_KEY_ENDPOINT_NOT_ALLOWED = "api_key_endpoint_not_allowed", _("Not open to API keys")
    INVALID = "integration_invalid", _("Integration not valid")
    NOT_FOUND = "integration_not_found", _("Not found")
    UNSAFE_URL = "webhook_url_unsafe", _("Webhook address not allowed")


class IntegrationInvalidError(ApplicationError):
    default_code: ClassVar[str] = IntegrationsErrorCode.INVALID


class IntegrationNotFoundError(NotFoundError):
    default_code: ClassVar[str] = IntegrationsErrorCode.NOT_FOUND


class UnsafeUrlError(ApplicationError):
    """A webhook address that is not https or does not resolve to public addresses only."""

    default_code: ClassVar[str] = IntegrationsErrorCode.UNSAFE_URL
