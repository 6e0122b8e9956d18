from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
        strip=True,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = settings.CHAT_MESSAGE_MAX_LENGTH
        body = self.fields["body"]
        assert isinstance(body, forms.CharField)
        body.max_length = limit
        body.widget.attrs["maxlength"] = str(limit)
        body.validators.append(forms.CharField(max_length=limit).validators[-1])


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
