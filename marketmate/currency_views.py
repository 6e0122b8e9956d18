"""The footer's display-currency picker: its choices and current value for templates (the
form posts to `accounts.views.DisplayCurrencyUpdateView`)."""

from functools import cached_property

from django.http import HttpRequest

from marketmate.currency import display_currency_choices, display_currency_for


class CurrencyPicker:
    """`{{ currency_picker.current }}` and `.choices` for the footer form, worked out only
    when a page shows the picker."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    @cached_property
    def current(self) -> str:
        return display_currency_for(self.request) or ""

    @cached_property
    def choices(self) -> list[tuple[str, str]]:
        return display_currency_choices()


def currency_picker(request: HttpRequest) -> dict[str, CurrencyPicker]:
    """Template context processor: `currency_picker`."""
    return {"currency_picker": CurrencyPicker(request)}
