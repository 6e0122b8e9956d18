"""One error shape for the whole API:

    {"error": {"code": "validation_error", "message": "...", "fields": {"price": ["..."]}}}

Domain code raises `ApplicationError` subclasses (each app's `exceptions.py`); DRF's own
exceptions and Django's 400/403/404/500 on API paths are rendered in the same shape.
"""

import logging
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


class ErrorCode(models.TextChoices):
    VALIDATION_ERROR = "validation_error"
    PARSE_ERROR = "parse_error"
    NOT_AUTHENTICATED = "not_authenticated"
    AUTHENTICATION_FAILED = "authentication_failed"
    PERMISSION_DENIED = "permission_denied"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    NOT_ACCEPTABLE = "not_acceptable"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    CONFLICT = "conflict"
    THROTTLED = "throttled"
    SERVER_ERROR = "server_error"
    BAD_REQUEST = "bad_request"


class ApplicationError(Exception):
    """A failure the caller can act on. Subclasses set `status_code` and `default_code`."""

    status_code: ClassVar[int] = status.HTTP_400_BAD_REQUEST
    default_code: ClassVar[str] = ErrorCode.BAD_REQUEST

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.fields = fields or {}


class ConflictError(ApplicationError):
    """The request is valid but the object's current state does not allow it (HTTP 409)."""

    status_code = status.HTTP_409_CONFLICT
    default_code: ClassVar[str] = ErrorCode.CONFLICT


class NotFoundError(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code: ClassVar[str] = ErrorCode.NOT_FOUND


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": str(code), "message": str(message), "fields": fields or {}}}


def _flatten_fields(detail: Any) -> dict[str, Any]:
    """DRF's field errors as `{"field": ["message", ...]}`, nested serializers kept nested."""
    if isinstance(detail, dict):
        return {key: _flatten_messages(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten_messages(detail)}


def _flatten_messages(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _flatten_messages(item) for key, item in value.items()}
    if isinstance(value, list):
        if all(isinstance(item, (str, exceptions.ErrorDetail)) for item in value):
            return [str(item) for item in value]
        return [_flatten_messages(item) for item in value]
    return [str(value)]


_DRF_CODES: dict[type[exceptions.APIException], str] = {
    exceptions.ParseError: ErrorCode.PARSE_ERROR,
    exceptions.NotAuthenticated: ErrorCode.NOT_AUTHENTICATED,
    exceptions.AuthenticationFailed: ErrorCode.AUTHENTICATION_FAILED,
    exceptions.PermissionDenied: ErrorCode.PERMISSION_DENIED,
    exceptions.NotFound: ErrorCode.NOT_FOUND,
    exceptions.MethodNotAllowed: ErrorCode.METHOD_NOT_ALLOWED,
    exceptions.NotAcceptable: ErrorCode.NOT_ACCEPTABLE,
    exceptions.UnsupportedMediaType: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    exceptions.Throttled: ErrorCode.THROTTLED,
}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every error in the one shape, with DRF's headers
    (`WWW-Authenticate`, `Retry-After`) kept."""
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        # Unexpected: DRF re-raises, Django logs it and handler500 answers in the same shape.
        return None

    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body(
            ErrorCode.VALIDATION_ERROR,
            _("The request has invalid fields."),
            _flatten_fields(exc.detail),
        )
        return response

    assert isinstance(exc, exceptions.APIException)
    code = next(
        (code for kind, code in _DRF_CODES.items() if isinstance(exc, kind)),
        str(exc.default_code),
    )
    detail = exc.detail
    message = detail if isinstance(detail, str) else str(exc.default_detail)
    response.data = error_body(code, message)
    return response


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _error_response(
    request: HttpRequest, *, status_code: int, code: str, message: str, template: str
) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(error_body(code, message), status=status_code)
    if not hasattr(request, "user"):
        # Refused before the middleware finished (a Host header not in ALLOWED_HOSTS): the
        # request has no user or session and an untrusted host, so the page is rendered
        # without it, as the 500 page is.
        return HttpResponse(
            loader.get_template(template).render({"message": message}), status=status_code
        )
    return render(request, template, {"message": message}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(
        request,
        status_code=400,
        code=ErrorCode.BAD_REQUEST,
        message=_("The request could not be understood."),
        template="400.html",
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(
        request,
        status_code=403,
        code=ErrorCode.PERMISSION_DENIED,
        message=_("You do not have permission to do this."),
        template="403.html",
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error_response(
        request,
        status_code=404,
        code=ErrorCode.NOT_FOUND,
        message=_("Not found."),
        template="404.html",
    )


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return JsonResponse(
            error_body(ErrorCode.SERVER_ERROR, _("Something went wrong on our side.")), status=500
        )
    # Rendered without a request: the page must show even when context processors are what broke.
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error_response(
        request,
        status_code=403,
        code=ErrorCode.PERMISSION_DENIED,
        message=_("Your session form has expired. Reload the page and try again."),
        template="403.html",
    )
