from babel.numbers import get_currency_name, list_currencies
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from shops.models import Shop
from shops.roles import ASSIGNABLE_ROLE_CHOICES


def currency_choices() -> list[tuple[str, str]]:
    locale = (get_language() or "en").replace("-", "_")
    choices = []
    for code in sorted(list_currencies()):
        try:
            name = get_currency_name(code, locale=locale)
        except ValueError:
            name = code
        choices.append((code, f"{code} — {name}"))
    return choices


class ShopApplyForm(forms.Form):
    name = forms.CharField(label=_("Shop name"), max_length=120)
    description = forms.CharField(
        label=_("What do you sell?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Shoppers see this on your shop's page."),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices, initial="USD")
    country = forms.ChoiceField(label=_("Country"), choices=lambda: list(countries), initial="US")


class ShopSettingsForm(forms.ModelForm):
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)
    # Checked by the service with the catalog's image rules (Pillow, size, pixels), not here.
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Square, at least 200 by 200 pixels. JPEG, PNG or WebP."),
    )
    banner = forms.FileField(
        label=_("Banner"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Wide, e.g. 1600 by 400 pixels. Shown at the top of your shop's page."),
    )

    class Meta:
        model = Shop
        fields = [
            "name",
            "description",
            "logo",
            "banner",
            "currency",
            "country",
            "prices_include_tax",
            "shipping_policy",
            "returns_policy",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "shipping_policy": forms.Textarea(attrs={"rows": 4}),
            "returns_policy": forms.Textarea(attrs={"rows": 4}),
        }


ASSIGNABLE_ROLES = ASSIGNABLE_ROLE_CHOICES


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=ASSIGNABLE_ROLES, initial="staff")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=ASSIGNABLE_ROLES)
