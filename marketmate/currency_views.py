"""The display-currency picker: a plain POST form in the footer (works without JavaScript)."""

from functools import cached_property
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from marketmate.currency import DISPLAY_CURRENCY_COOKIE, display_currency_for
from marketmate.flags import Flag, flag_is_on

COOKIE_MAX_AGE = 60 * 60 * 24 * 365


class DisplayCurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False)
    next = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Shop's currency only")), *display_currency_choices()]


def display_currency_choices() -> list[tuple[str, str]]:
    from accounts.models import Currency

    return [(code, f"{code} · {label}") for code, label in Currency.choices]


class DisplayCurrencyUpdateView(View):
    """Remember the shopper's display currency in a cookie and, when signed in, as their
    preferred currency; then go back where they were."""

    def post(self, request: HttpRequest) -> HttpResponse:
        if not flag_is_on(request, Flag.DISPLAY_CURRENCY):
            raise Http404(_("This page is not available."))
        form = DisplayCurrencyForm(request.POST)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        response = HttpResponseRedirect(target)
        if not form.is_valid():
            return response
        code = form.cleaned_data["currency"]
        response.set_cookie(
            DISPLAY_CURRENCY_COOKIE,
            code,
            max_age=COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
        user = request.user
        if code and user.is_authenticated and getattr(user, "currency", code) != code:
            from accounts.services import user_profile_update

            user_profile_update(user=user, data={"currency": code})
        return response


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
