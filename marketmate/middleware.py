from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from marketmate.request_context import (
    credential_set,
    request_id_from_header,
    request_id_reset,
    request_id_set,
)

REQUEST_ID_HEADER = "X-Request-ID"


class RequestIdMiddleware:
    """Gives every request an id, from `X-Request-ID` when the caller sent an acceptable one,
    makes it visible to logging for the duration of the request, and returns it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from_header(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_set(request_id)
        credential_set("")
        try:
            response = self.get_response(request)
        finally:
            request_id_reset(token)
            credential_set("")
        response[REQUEST_ID_HEADER] = request_id
        return response
