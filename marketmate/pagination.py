from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.request import Request
from rest_framework.views import APIView


class StrictPageSizeMixin:
    """`?page_size=` is a whole number from 1 to `max_page_size`, or absent: anything else
    (`null`, `abc`, `0`, `1000`) is refused with a 400 instead of silently replaced by the
    default, and the schema says so."""

    page_size_query_param: str | None = "page_size"
    max_page_size: int | None = 100

    def get_page_size(self, request: Request) -> int | None:
        name = self.page_size_query_param or "page_size"
        maximum = self.max_page_size or 100
        raw = request.query_params.get(name)
        if raw is None:
            return self.page_size  # type: ignore[attr-defined]
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= maximum):
            raise exceptions.ValidationError(
                {name: [_("Enter a whole number from 1 to %(maximum)s.") % {"maximum": maximum}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view: APIView) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)  # type: ignore[misc]
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters


class PageNumberPagination(StrictPageSizeMixin, pagination.PageNumberPagination):
    """The default for small, stable lists: `?page=` and `?page_size=` up to 100."""


class CursorPagination(StrictPageSizeMixin, pagination.CursorPagination):
    """For big lists that change while they are read (products, orders, messages)."""

    ordering = "-created"
