from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from orders.models import Order, Promotion, ShippingMethod
from orders.selectors import CartShopGroup, ShippingChoice, ShippingOption
from orders.services.checkout import ADDRESS_MAX_LENGTH


class CartAddForm(forms.Form):
    variant_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=100_000, initial=1, required=False
    )

    def clean_quantity(self) -> int:
        return self.cleaned_data.get("quantity") or 1


class CartQuantityForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=0, max_value=100_000)


def country_choices() -> list[tuple[str, str]]:
    return [("", str(_("Choose a country"))), *((code, str(name)) for code, name in countries)]


class AddressForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=ADDRESS_MAX_LENGTH)
    line1 = forms.CharField(label=_("Address"), max_length=ADDRESS_MAX_LENGTH)
    line2 = forms.CharField(
        label=_("Apartment, suite, etc."), max_length=ADDRESS_MAX_LENGTH, required=False
    )
    city = forms.CharField(label=_("City"), max_length=ADDRESS_MAX_LENGTH)
    region = forms.CharField(
        label=_("State, province or region"), max_length=ADDRESS_MAX_LENGTH, required=False
    )
    postal_code = forms.CharField(
        label=_("Postal code"), max_length=ADDRESS_MAX_LENGTH, required=False
    )
    # Chosen when the form is built, so the names come in the shopper's language (and order),
    # as in the address book.
    country = forms.ChoiceField(label=_("Country"), choices=lambda: country_choices())
    phone = forms.CharField(
        label=_("Phone"),
        max_length=ADDRESS_MAX_LENGTH,
        required=False,
        help_text=_("For the courier, if they need to reach you."),
    )
    save_address = forms.BooleanField(
        label=_("Save this address to my address book"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        autocomplete = {
            "full_name": "name",
            "line1": "address-line1",
            "line2": "address-line2",
            "city": "address-level2",
            "region": "address-level1",
            "postal_code": "postal-code",
            "country": "country",
            "phone": "tel",
        }
        for name, value in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = value


def shipping_field_name(shop_id: int) -> str:
    return f"shipping_{shop_id}"


def choice_value(choice: ShippingChoice) -> str:
    return str(choice.id) if choice.id is not None else "standard"


class ShippingForm(forms.Form):
    """A shipping method per shop (radio buttons, each with its price and delivery estimate),
    and the coupon."""

    coupon = forms.CharField(label=_("Coupon code"), max_length=40, required=False)

    def __init__(
        self,
        *args: Any,
        groups: list[tuple[CartShopGroup, list[ShippingOption]]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.shop_fields: list[tuple[CartShopGroup, forms.BoundField, list[ShippingOption]]] = []
        for group, options in groups:
            name = shipping_field_name(group.shop.pk)
            self.fields[name] = forms.ChoiceField(
                label=group.shop.name,
                choices=[(choice_value(option.choice), option.choice.label) for option in options],
                widget=forms.RadioSelect,
                initial=choice_value(options[0].choice) if options else None,
                required=False,  # left out: the shop's default method
            )
            self.shop_fields.append((group, self[name], options))

    def shipping_methods(self) -> dict[int, int | None]:
        methods: dict[int, int | None] = {}
        for group, _field, _options in self.shop_fields:
            value = self.cleaned_data.get(shipping_field_name(group.shop.pk))
            if value:
                methods[group.shop.pk] = int(value) if value != "standard" else None
        return methods


class OrderShipForm(forms.Form):
    carrier = forms.CharField(label=_("Carrier"), max_length=60)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=80)


class OrderCancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)


class DashboardOrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Order number"), max_length=20, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All statuses")), *Order.Status.choices], required=False
    )


class PromotionForm(forms.ModelForm):
    class Meta:
        model = Promotion
        fields = [
            "name",
            "code",
            "kind",
            "value",
            "minimum_subtotal",
            "starts_at",
            "ends_at",
            "usage_limit",
            "usage_limit_per_user",
            "is_active",
        ]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "ends_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
        }


class ShippingMethodForm(forms.ModelForm):
    class Meta:
        model = ShippingMethod
        fields = [
            "name",
            "kind",
            "price",
            "free_above",
            "countries",
            "delivery_days_min",
            "delivery_days_max",
            "is_default",
            "is_active",
            "position",
        ]
        help_texts = {
            "countries": _(
                "Hold Ctrl (Cmd on a Mac) to choose several. None chosen: ships everywhere."
            ),
            "price": _("For flat rates; by weight, the bands below set the price."),
        }


class WeightBandForm(forms.Form):
    up_to_grams = forms.IntegerField(label=_("Up to (g)"), min_value=1, required=False)
    price = forms.DecimalField(
        label=_("Price"), min_value=0, max_digits=13, decimal_places=3, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("up_to_grams") is None) != (data.get("price") is None):
            raise forms.ValidationError(_("Give both the weight and the price, or neither."))
        return data


WeightBandFormSet = forms.formset_factory(WeightBandForm, extra=0)
