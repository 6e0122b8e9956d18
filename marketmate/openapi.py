"""How the OpenAPI schema (drf-spectacular) describes what every operation can answer.

Operations document their successes and their own errors with `extend_schema`; this schema class
adds the errors that come from the API's shared machinery, as they apply to the operation, each
with the one error body (`{"error": {"code", "message", "fields"}}`, `marketmate.errors`):

- 400: the operation takes a body or query parameters, or changes something (bad input, a bad
  `page_size`, an invalid token or link);
- 401, 403: the operation authenticates its caller (a refused token; a permission or CSRF
  refusal);
- 404: the path or the body names an object, or the list is paginated (an unknown page or
  cursor);
- 409: the operation changes something of the caller's (a state that does not allow it);
- 415: the operation takes a body (in another media type than it reads);
- 429: the operation is throttled (`Retry-After` tells how long to wait).

Errors an operation declares without a body get the error body too.
"""

from typing import Any, Literal

from drf_spectacular import openapi
from drf_spectacular.utils import inline_serializer
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "Invalid input; the `fields` of the error name what is wrong.",
    401: "Not signed in, or the token is invalid or expired.",
    403: "Signed in, but not allowed to do this.",
    404: "Not found, or not visible to the caller.",
    409: "The object's current state does not allow this.",
    415: "The body is not in a media type the operation takes.",
    429: "Too many requests; the `Retry-After` header says how many seconds to wait.",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

ErrorSerializer = inline_serializer(
    name="Error",
    fields={
        "error": inline_serializer(
            name="ErrorDetail",
            fields={
                "code": serializers.CharField(help_text="Machine-readable, e.g. `not_found`."),
                "message": serializers.CharField(help_text="In the request's language."),
                "fields": serializers.DictField(
                    help_text='Messages by field, e.g. {"price": ["Must be greater than 0."]}.'
                ),
            },
        )
    },
)


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        error_content = {
            "application/json": {"schema": self.resolve_serializer(ErrorSerializer, "response").ref}
        }
        for code in self._error_statuses():
            response = responses.setdefault(str(code), {"description": ERROR_DESCRIPTIONS[code]})
            response.setdefault("content", error_content)
            if code == 429:
                response.setdefault("headers", {}).setdefault(
                    "Retry-After",
                    {
                        "schema": {"type": "integer"},
                        "description": "Seconds until the next request is allowed.",
                    },
                )
        for declared, response in responses.items():
            if declared.startswith("4") and "content" not in response:
                response["content"] = error_content
        return dict(sorted(responses.items()))

    def _error_statuses(self) -> list[int]:
        statuses = []
        has_body = self.method in {"POST", "PUT", "PATCH"} and bool(self.get_request_serializer())
        has_query = any(parameter["in"] == "query" for parameter in self._get_parameters())
        if has_body or has_query or self.method in UNSAFE_METHODS:
            statuses.append(400)
        authenticates = bool(self.view.get_authenticators())
        if authenticates:
            statuses += [401, 403]
        paginated = self._is_list_view() and self._get_paginator() is not None
        if "{" in self.path or paginated or has_body:
            statuses.append(404)
        if authenticates and self.method in UNSAFE_METHODS:
            statuses.append(409)
        if has_body:
            statuses.append(415)
        if self.view.get_throttles():
            statuses.append(429)
        return statuses
