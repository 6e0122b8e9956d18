from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import INTEGER_COLUMN_MAX, Category, Product, StockMovement
from marketmate.money import AmountFormField


class CategoryChoiceField(forms.ModelMultipleChoiceField):
    """Categories in tree order, indented by depth."""

    def label_from_instance(self, obj: object) -> str:
        assert isinstance(obj, Category)
        return f"{'— ' * (obj.depth - 1)}{obj.name}"


class ProductForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Paragraphs, bold, italic, lists and links are kept."),
    )
    price = AmountFormField(label=_("Price"), min_value=Decimal("0.01"))
    compare_at_price = AmountFormField(
        label=_("Compare-at price"),
        required=False,
        help_text=_("The old price, shown struck through. Leave empty when not on sale."),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Product.Status.choices)
    track_inventory = forms.BooleanField(label=_("Track stock"), required=False, initial=True)
    categories = CategoryChoiceField(
        label=_("Categories"),
        queryset=Category.objects.order_by("path"),
        required=False,
        # Tick boxes, which a search box above them filters (static/js/dashboard.js).
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate tags with commas, e.g. handmade, ceramic."),
    )

    def clean_tags(self) -> list[str]:
        return [tag for tag in (t.strip() for t in self.cleaned_data["tags"].split(",")) if tag]


# A product's option names (Size, Colour) each with its values; every variant picks one value
# per name. The service stores a variant's options as {name: value}.
OPTION_SLOTS = 3
# Number fields take the digits 0-9 only, like every form's (marketmate/numbers.py).


class OptionNameForm(forms.Form):
    name = forms.CharField(
        label=_("Option name"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Size")}),
    )
    values = forms.CharField(
        label=_("Values"),
        max_length=400,
        help_text=_("Separate values with commas, e.g. S, M, L."),
    )

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_values(self) -> list[str]:
        values: list[str] = []
        for raw in self.cleaned_data["values"].split(","):
            value = " ".join(raw.split())
            if not value:
                continue
            if len(value) > 80:
                raise forms.ValidationError(_("Each value can have up to 80 characters."))
            if value.lower() in {known.lower() for known in values}:
                raise forms.ValidationError(
                    _("%(value)s is listed twice.") % {"value": value}, code="duplicate"
                )
            values.append(value)
        if not values:
            raise forms.ValidationError(_("Give at least one value."), code="required")
        return values


class BaseOptionNameFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        seen: set[str] = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            name = form.cleaned_data.get("name")
            if not name:
                continue
            if name.lower() in seen:
                form.add_error("name", _("This option name is used twice."))
            seen.add(name.lower())

    def options(self) -> list[tuple[str, list[str]] | None]:
        """Per option row (a variant's slot), its name and values; None for a deleted or empty
        row, so deleting the first option does not shift the others."""
        options: list[tuple[str, list[str]] | None] = []
        for form in self.forms[:OPTION_SLOTS]:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("name") and not data.get("DELETE"):
                options.append((data["name"], data["values"]))
            else:
                options.append(None)
        return options

    def names(self) -> list[str]:
        """The option names typed so far (valid or not) per slot, "" for none: the labels."""
        names = []
        for form in self.forms[:OPTION_SLOTS]:
            if form.is_bound:
                name = " ".join(str(form.data.get(form.add_prefix("name"), "")).split())
                delete = form.data.get(form.add_prefix("DELETE"))
            else:
                name, delete = form.initial.get("name", ""), None
            names.append("" if delete else name)
        return names + [""] * (OPTION_SLOTS - len(names))


OptionNameFormSet = forms.formset_factory(
    OptionNameForm,
    formset=BaseOptionNameFormSet,
    extra=1,
    can_delete=True,
    max_num=OPTION_SLOTS,
    validate_max=True,
)


class VariantForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    option_1 = forms.CharField(label=_("Option 1"), max_length=80, required=False)
    option_2 = forms.CharField(label=_("Option 2"), max_length=80, required=False)
    option_3 = forms.CharField(label=_("Option 3"), max_length=80, required=False)
    sku = forms.CharField(
        label=_("SKU"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to generate one."),
    )
    price = AmountFormField(
        label=_("Own price"),
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Empty: the product's price."),
    )
    inventory_count = forms.IntegerField(
        label=_("Stock"), min_value=0, max_value=INTEGER_COLUMN_MAX, required=False
    )

    option_fields = [f"option_{slot}" for slot in range(1, OPTION_SLOTS + 1)]

    option_names: list[str] = [""] * OPTION_SLOTS

    def option_slots(self) -> list[dict[str, Any]]:
        """The option value fields; those without an option name (or error) are hidden."""
        return [
            {"field": self[name], "shown": bool(self.option_names[slot]) or bool(self[name].errors)}
            for slot, name in enumerate(self.option_fields)
        ]


VariantFormSet = forms.formset_factory(VariantForm, extra=1, can_delete=True, max_num=100)


def variant_rows_label(variant_forms: list[VariantForm], names: list[str]) -> None:
    """Label each row's option fields with the option names (unnamed slots are hidden)."""
    for form in variant_forms:
        form.option_names = names
        for slot, field_name in enumerate(VariantForm.option_fields):
            if names[slot]:
                form.fields[field_name].label = names[slot]
                form[field_name].label = names[slot]  # the bound field may be cached already


def variant_options_clean(
    variant_form: forms.Form, options: list[tuple[str, list[str]] | None]
) -> dict[str, str] | None:
    """The row's {name: value}, each value one of its option's values; errors go on the
    row's fields and None is returned. A slot without an option is ignored."""
    chosen: dict[str, str] = {}
    data = variant_form.cleaned_data
    for slot, field_name in enumerate(VariantForm.option_fields):
        option = options[slot] if slot < len(options) else None
        if option is None:
            continue
        name, values = option
        typed = " ".join((data.get(field_name) or "").split())
        match = next((value for value in values if value.lower() == typed.lower()), None)
        if not typed:
            variant_form.add_error(field_name, _("Choose a value for %(name)s.") % {"name": name})
        elif match is None:
            variant_form.add_error(
                field_name,
                _("%(value)s is not one of: %(values)s.")
                % {"value": typed, "values": ", ".join(values)},
            )
        else:
            chosen[name] = match
    return None if variant_form.errors else chosen


def variant_rows_options(
    variant_forms: list[forms.Form], options: list[tuple[str, list[str]] | None]
) -> list[dict[str, str]] | None:
    """Every row's options (see variant_options_clean), no two rows alike; None on errors."""
    chosen: list[dict[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for variant_form in variant_forms:
        row = variant_options_clean(variant_form, options)
        if row is None:
            continue
        key = tuple(value.lower() for value in row.values())
        if key in seen:
            variant_form.add_error(
                None,
                _("Two variants have the same options.")
                if row
                else _("Without options a product has one variant."),
            )
            continue
        seen.add(key)
        chosen.append(row)
    return chosen if len(chosen) == len(variant_forms) else None


class ImageUploadForm(forms.Form):
    image = forms.FileField(label=_("Image"), help_text=_("JPEG, PNG or WebP."))
    alt_text = forms.CharField(
        label=_("Alt text"),
        max_length=200,
        required=False,
        help_text=_("Describe the photo for people who cannot see it."),
    )


class FirstPhotoForm(ImageUploadForm):
    """The product's first photo, chosen on the form that creates it (optional)."""

    image = forms.FileField(
        label=_("Photo"), required=False, help_text=_("JPEG, PNG or WebP. Add more after saving.")
    )


ADJUSTABLE_REASONS = [
    choice
    for choice in StockMovement.Reason.choices
    if choice[0] not in {StockMovement.Reason.ORDER, StockMovement.Reason.ORDER_RELEASE}
]


class StockAdjustForm(forms.Form):
    delta = forms.IntegerField(
        label=_("Change"),
        min_value=-INTEGER_COLUMN_MAX,
        max_value=INTEGER_COLUMN_MAX,
        help_text=_("Positive to add, negative to take away."),
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=ADJUSTABLE_REASONS)
    note = forms.CharField(label=_("Note"), max_length=255, required=False)


class ProductImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
