"""Forms of the review pages: a buyer's review and a shop's reply (shape only; the rules are
in catalog.services.reviews)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import Review

RATING_CHOICES = [
    (5, _("5 stars: excellent")),
    (4, _("4 stars: good")),
    (3, _("3 stars: fair")),
    (2, _("2 stars: poor")),
    (1, _("1 star: bad")),
]


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "star-input__radio"}),
    )
    title = forms.CharField(
        label=_("Title"), max_length=Review.TITLE_MAX_LENGTH, required=False, strip=True
    )
    body = forms.CharField(
        label=_("Your review"),
        max_length=Review.BODY_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What did you like or not? Plain text."),
    )


class ReviewReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Reply"),
        max_length=Review.REPLY_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown under the review on the product page. You can reply once."),
    )
