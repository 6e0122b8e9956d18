"""Template context for every page: the site's name and address, and the footer's
display-currency picker (the form posts to `accounts.views.DisplayCurrencyUpdateView`)."""

from functools import cached_property
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from marketmate.currency import display_currency_choices, display_currency_for


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "SITE_NAME": "MarketMate",
        "SITE_URL": settings.SITE_URL,
        "DEBUG": settings.DEBUG,
    }


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
