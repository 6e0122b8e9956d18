"""Strict reading of JSON that clients send (API bodies, WebSocket frames).

Python's `json` accepts what PostgreSQL and the UTF-8 encoder cannot store or send: NUL
characters and unpaired surrogates (`"\\u0000"`, `"\\ud800"`), in keys as well as in values,
and nesting deep enough to exhaust the interpreter's recursion limit. Each of these used to
surface as a 500 or a dropped socket far from where it came in; here it is refused at the door.
"""

import json
import re
from typing import Any

from django.utils.translation import gettext as _

# Far deeper than any document MarketMate accepts (variant options are two levels deep), far
# shallower than the recursion limit.
MAX_DEPTH = 32

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class JsonInputError(ValueError):
    """The text is JSON MarketMate refuses; `code` is `too_deep` or `bad_characters`."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def json_input_too_deep_message(max_depth: int = MAX_DEPTH) -> str:
    return _("JSON may nest at most %(depth)d levels deep.") % {"depth": max_depth}


def json_input_check(data: Any, *, max_depth: int = MAX_DEPTH) -> Any:
    """Raise JsonInputError when parsed JSON nests past `max_depth` or holds a string (a key
    or a value) with a NUL character or an unpaired surrogate; else return `data`."""
    pending: list[tuple[Any, int]] = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if _UNSTORABLE.search(value):
                raise JsonInputError(
                    _("Text may not contain NUL characters or unpaired surrogates."),
                    code="bad_characters",
                )
            continue
        if not isinstance(value, dict | list):
            continue
        if depth > max_depth:
            raise JsonInputError(json_input_too_deep_message(max_depth), code="too_deep")
        if isinstance(value, dict):
            pending.extend((key, depth) for key in value)
            pending.extend((item, depth + 1) for item in value.values())
        else:
            pending.extend((item, depth + 1) for item in value)
    return data


def json_input_loads(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads` for client input: ValueError on malformed JSON, JsonInputError (a
    ValueError too) on JSON too deep or with strings that cannot be stored."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise JsonInputError(json_input_too_deep_message(max_depth), code="too_deep") from None
    return json_input_check(data, max_depth=max_depth)
