from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class CardForm(forms.Form):
    """The test-mode card form of the dummy gateway: only the number matters."""

    card_number = forms.CharField(
        label=_("Card number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "cc-number",
                "placeholder": "4242 4242 4242 4242",
            }
        ),
    )
    expiry = forms.CharField(
        label=_("Expiry (MM/YY)"),
        max_length=7,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "cc-exp", "placeholder": "12/34"}),
    )
    cvc = forms.CharField(
        label=_("CVC"),
        max_length=4,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "cc-csc", "placeholder": "123"}
        ),
    )


class RefundForm(forms.Form):
    """A refund of an order: an amount, or quantities of its lines; empty refunds what is left."""

    amount = forms.DecimalField(
        label=_("Amount"),
        # The order's currency decides how many decimals (the refund service says so).
        max_digits=16,
        min_value=Decimal("0.001"),
        required=False,
        help_text=_("Leave empty to refund everything left, or choose lines below."),
    )
    restock = forms.BooleanField(
        label=_("Put the goods back in stock"),
        required=False,
        help_text=_("Returns the items chosen below, or everything left when refunding it all."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=255, required=False)

    def __init__(self, *args: Any, lines: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_lines = lines
        for line in lines:
            self.fields[f"line_{line.pk}"] = forms.IntegerField(
                label=line.product_title,
                min_value=0,
                max_value=line.quantity,
                required=False,
                initial=0,
                widget=forms.NumberInput(attrs={"class": "refund__quantity"}),
            )

    def refund_lines(self) -> list[dict[str, int]]:
        return [
            {"line_id": line.pk, "quantity": self.cleaned_data[f"line_{line.pk}"]}
            for line in self.order_lines
            if self.cleaned_data.get(f"line_{line.pk}")
        ]

    def line_fields(self) -> list[tuple[Any, Any]]:
        return [(line, self[f"line_{line.pk}"]) for line in self.order_lines]
