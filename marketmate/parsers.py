"""The API's JSON parser: DRF's, refusing what the database or the encoder cannot take."""

from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from marketmate.json_input import JsonInputError, json_input_check, json_input_too_deep_message


class StrictJSONParser(JSONParser):
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
