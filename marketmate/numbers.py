"""Numbers typed by people and programs are written with the ASCII digits 0-9 only.

Python's `int()` and `Decimal()` read any Unicode decimal digit (an Arabic-Indic three is 3, a
fullwidth five is 5), and so do Django's and DRF's number fields, on every form and serializer.
A price or quantity written that way passes every check while looking like something else in a
review queue, a log or a CSV export. The rule is the project's, not one field's, so it is
installed once at start-up (`MarketMateConfig.ready`) on the number fields of both libraries,
and no new form or serializer can forget it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

ASCII_DIGITS_MESSAGE = _("Write numbers with the digits 0-9.")


FORM_NUMBER_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
SERIALIZER_NUMBER_FIELDS = (
    serializers.IntegerField,
    serializers.DecimalField,
    serializers.FloatField,
)


def text_has_only_ascii(value: object) -> bool:
    """False for text with any character outside ASCII (non-ASCII digits among them)."""
    return not isinstance(value, str) or value.isascii()


def _form_to_python(original: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    @wraps(original)
    def to_python(self: forms.Field, value: Any) -> Any:
        if not text_has_only_ascii(value):
            raise ValidationError(ASCII_DIGITS_MESSAGE, code="invalid")
        return original(self, value)

    return to_python


def _serializer_to_internal_value(
    original: Callable[[Any, Any], Any],
) -> Callable[[Any, Any], Any]:
    @wraps(original)
    def to_internal_value(self: serializers.Field[Any, Any, Any, Any], data: Any) -> Any:
        if not text_has_only_ascii(data):
            raise serializers.ValidationError(ASCII_DIGITS_MESSAGE, code="invalid")
        return original(self, data)

    return to_internal_value


def ascii_digits_require() -> None:
    """Make every Django form and DRF serializer number field refuse non-ASCII text."""
    wrappers: list[tuple[type, str, Callable[[Any], Any]]] = [
        *((field, "to_python", _form_to_python) for field in FORM_NUMBER_FIELDS),
        *(
            (field, "to_internal_value", _serializer_to_internal_value)
            for field in SERIALIZER_NUMBER_FIELDS
        ),
    ]
    for field, name, wrap in wrappers:
        method = getattr(field, name)
        if not getattr(method, "ascii_digits_only", False):
            wrapped = wrap(method)
            wrapped.ascii_digits_only = True
            setattr(field, name, wrapped)
