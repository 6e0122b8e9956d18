from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import INTEGER_COLUMN_MAX, Category, Product, StockMovement


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
    price = forms.DecimalField(
        label=_("Price"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    compare_at_price = forms.DecimalField(
        label=_("Compare-at price"),
        max_digits=12,
        decimal_places=2,
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


class VariantForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    sku = forms.CharField(
        label=_("SKU"),
        max_length=64,
        required=False,
        help_text=_("Leave empty to generate one."),
    )
    options = forms.CharField(
        label=_("Options"),
        required=False,
        max_length=400,
        widget=forms.TextInput(attrs={"placeholder": "size=M; colour=Red"}),
    )
    price = forms.DecimalField(
        label=_("Own price"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=False,
        help_text=_("Empty: the product's price."),
    )
    inventory_count = forms.IntegerField(
        label=_("Stock"), min_value=0, max_value=INTEGER_COLUMN_MAX, required=False
    )


VariantFormSet = forms.formset_factory(VariantForm, extra=1, can_delete=True, max_num=100)


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
