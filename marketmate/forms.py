"""Form helpers every app's HTML views share: a service's or model's error shown on a form."""

from typing import Any

from django.core.exceptions import ValidationError
from django.forms import BaseForm

from marketmate.errors import ApplicationError


def form_errors_apply(form: BaseForm, exc: ApplicationError) -> None:
    """Show a service's error on the form: on its fields when it names them, else on top."""
    placed = False
    for field, field_messages in exc.fields.items():
        if field in form.fields:
            for message in field_messages:
                form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


def form_validation_errors_apply(form: BaseForm, error: ValidationError) -> None:
    """Show a model's `ValidationError` on the form: each field's errors on that field when the
    form has it, the others (and an error without fields) on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    errors: dict[str, Any] = error.error_dict
    for field, field_errors in errors.items():
        form.add_error(field if field in form.fields else None, field_errors)
