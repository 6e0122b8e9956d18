from typing import Any

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from accounts.models import Address, User
from accounts.ratelimits import login_failure_record, login_lockout_check
from marketmate.currency import display_currency_choices


class SignupForm(forms.Form):
    """The fields MarketMate adds to allauth's sign-up form (allauth saves them through
    `accounts.adapter.AccountAdapter.save_user`)."""

    name = forms.CharField(
        label=_("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": _("Alex Smith")}),
    )

    field_order = ["name", "email", "password1", "password2"]

    def signup(self, request: HttpRequest, user: User) -> None:
        """allauth's hook after the user is saved; the adapter already stored the name."""


class SecondFactorAuthenticateForm(AuthenticateForm):
    """allauth's second-factor step of signing in, under the account's lock-out: a wrong code
    counts as a failed sign-in, as on the API (accounts.services.user_authenticate)."""

    def clean_code(self) -> str:
        login_lockout_check(request=context.request, email=self.user.email)
        try:
            code: str = super().clean_code()
        except ValidationError:
            login_failure_record(request=context.request, email=self.user.email)
            raise
        return code


class ProfileForm(forms.ModelForm):
    """Checks the shape of profile input; `accounts.services.user_profile_update` saves it."""

    class Meta:
        model = User
        fields = ["name", "avatar", "language", "currency"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name"}),
            "avatar": forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = [
            ("", _("The language of my browser")),
            *[(code, name) for code, name in settings.LANGUAGES],
        ]

    def changed_values(self) -> dict[str, Any]:
        """The cleaned values that differ from the saved user, for the service."""
        data = {field: self.cleaned_data[field] for field in self.changed_data}
        if data.get("avatar") is False:
            data["avatar"] = None
        return data


def _country_choices() -> list[tuple[str, str]]:
    return [("", str(_("Choose a country"))), *((code, str(name)) for code, name in countries)]


class AddressForm(forms.ModelForm):
    """Checks the shape of address input; `accounts.services.address_*` save it."""

    country = forms.ChoiceField(label=_("Country"), choices=lambda: _country_choices())

    class Meta:
        model = Address
        fields = [
            "full_name",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "country",
            "phone",
            "is_default_shipping",
            "is_default_billing",
        ]
        widgets = {
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "line1": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "line2": forms.TextInput(attrs={"autocomplete": "address-line2"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "region": forms.TextInput(attrs={"autocomplete": "address-level1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }


class DisplayCurrencyForm(forms.Form):
    """The footer's display-currency picker."""

    currency = forms.ChoiceField(label=_("Currency"), required=False)
    next = forms.CharField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Shop's currency only")), *display_currency_choices()]
