"""The API's parsers: JSON that the database and the encoder can take, and form bodies read as
plain values, as JSON bodies are.

JSON bodies nested too deep, or with NUL characters or unpaired surrogates in any key or value,
are a 400 (`StrictJSONParser`). DRF reads a form body as an HTML form: a field sent empty counts
as not sent (an optional field keeps its default), and `"0"`/`"1"` pass as booleans. The API
documents one meaning for its fields whatever the encoding, so `email=` is an empty e-mail
address (refused), not "no change". A field sent several times keeps its last value; lists are
sent as JSON. Booleans are JSON's `true`/`false` or, in a form, those words, and text is a string
(`json_types_strict`).
"""

from collections.abc import Mapping
from typing import IO, Any

from django.http import QueryDict
from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError

from marketmate.json_input import JsonInputError, json_input_check, json_input_too_deep_message


class StrictJSONParser(parsers.JSONParser):
    """JSON bodies nested past `json_input.MAX_DEPTH`, or with NUL characters or unpaired
    surrogates in any key or value, are a 400 (`parse_error`) instead of a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(json_input_too_deep_message()) from None
        try:
            return json_input_check(data)
        except JsonInputError as exc:
            raise ParseError(exc.message) from None


def _plain(data: Any) -> Any:
    return data.dict() if hasattr(data, "dict") else data


class FormParser(parsers.FormParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        return _plain(super().parse(stream, media_type, parser_context))


class MultiPartParser(parsers.MultiPartParser):
    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        parsed = super().parse(stream, media_type, parser_context)
        # Files as plain values too: DRF merges them into `request.data` with dict.update, which
        # would copy a MultiValueDict's internal lists.
        return parsers.DataAndFiles(_plain(parsed.data), _plain(parsed.files))


def _text_from_json_or_form(self: serializers.CharField, data: Any) -> str:
    if not isinstance(data, str):
        self.fail("invalid")
    return _text_to_internal_value(self, data)


_text_to_internal_value = serializers.CharField.to_internal_value


def _boolean_from_json_or_form(self: serializers.BooleanField, data: Any) -> bool:
    if isinstance(data, bool):
        return data
    if isinstance(data, str) and data in FORM_BOOLEANS:
        return FORM_BOOLEANS[data]
    self.fail("invalid", input=data)
    raise AssertionError("unreachable")  # fail() raises


# A form spells booleans as words; JSON has its own. `0`, `1`, `"yes"` or `"on"` are not
# booleans in the schema, so the API refuses them instead of guessing.
FORM_BOOLEANS = {"true": True, "True": True, "false": False, "False": False}


def json_types_strict() -> None:
    """Make every API text field accept strings only (not `0` for a phone number) and every
    boolean field JSON booleans and the words `true`/`false` only, as the schema says
    (called once, from `marketmate.apps.MarketMateConfig.ready`)."""
    serializers.CharField.to_internal_value = _text_from_json_or_form  # type: ignore[method-assign,assignment]
    serializers.BooleanField.to_internal_value = _boolean_from_json_or_form  # type: ignore[method-assign,assignment]


def query_values(
    query_params: QueryDict, serializer_class: type[serializers.Serializer[Any]]
) -> dict[str, Any]:
    """The query string as plain values for `serializer_class` (its list fields as lists): an
    empty parameter (`?tag=`) is an empty value, checked as such, not a parameter left out."""
    list_fields = {
        name
        for name, field in serializer_class().fields.items()
        if isinstance(field, serializers.ListField)
    }
    return {
        key: values if key in list_fields else values[-1] for key, values in query_params.lists()
    }
