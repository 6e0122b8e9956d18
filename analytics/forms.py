"""The period pickers of the staff reports page and the vendor analytics page."""

from datetime import UTC, date, timedelta
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from analytics.selectors import GROUPS, report_range_validate
from marketmate.errors import ApplicationError
from orders.models import Order
from shops.models import Shop


def today() -> date:
    return timezone.now().astimezone(UTC).date()


class SalesReportForm(forms.Form):
    """`?from=&to=&group=&currency=&shop=` of the admin reports page (the API's parameters)."""

    group = forms.ChoiceField(
        label=_("Group by"),
        choices=[
            (group, label)
            for group, label in zip(GROUPS, [_("Day"), _("Week"), _("Month")], strict=True)
        ],
        required=False,
    )
    currency = forms.RegexField(
        label=_("Currency"), regex=r"^[A-Z]{3}$", required=False, max_length=3
    )
    # A searchable picker (the admin's autocomplete over the shops' names); `?shop=<id>` links
    # from the per-shop table keep working.
    shop = forms.ModelChoiceField(
        label=_("Shop"),
        queryset=Shop.objects.order_by("name"),
        required=False,
        widget=AutocompleteSelect(Order._meta.get_field("shop"), admin.site),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # `from` is a Python keyword: the date fields are added by name here.
        dates = {
            "from": forms.DateField(
                label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
            "to": forms.DateField(
                label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
        }
        self.fields = {**dates, **self.fields}

    @staticmethod
    def defaults() -> dict[str, str]:
        """What an empty form shows and means: the last 30 days by day, in USD."""
        end = today()
        return {
            "from": (end - timedelta(days=29)).isoformat(),
            "to": end.isoformat(),
            "group": "day",
            "currency": "USD",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("to") or today()
        start = data.get("from") or end - timedelta(days=29)
        group = data.get("group") or "day"
        try:
            report_range_validate(start=start, end=end, group=group)
        except ApplicationError as error:
            for field, messages in error.fields.items():
                for message in messages:
                    self.add_error(field, message)
        return {
            **data,
            "from": start,
            "to": end,
            "group": group,
            "currency": data.get("currency") or "USD",
        }


class AnalyticsPeriodForm(forms.Form):
    """`?period=7|30|90` or `?period=custom&from=&to=` of the vendor analytics page."""

    PERIODS = [
        ("7", _("Last 7 days")),
        ("30", _("Last 30 days")),
        ("90", _("Last 90 days")),
        ("custom", _("Custom")),
    ]
    MAX_DAYS = 366

    period = forms.ChoiceField(label=_("Period"), choices=PERIODS, required=False)

    DEFAULT_PERIOD = "30"

    def __init__(self, data: QueryDict | None = None, *args: Any, **kwargs: Any) -> None:
        # Without a period the page shows the default one: the menu must say so too (an empty
        # bound value would leave the browser showing the first choice, "Last 7 days").
        if data is not None and not data.get("period"):
            data = data.copy()
            data["period"] = self.DEFAULT_PERIOD
        super().__init__(data, *args, **kwargs)
        dates = {
            "from": forms.DateField(
                label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
            "to": forms.DateField(
                label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
            ),
        }
        self.fields = {"period": self.fields["period"], **dates}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        period = data.get("period") or self.DEFAULT_PERIOD
        end = today()
        if period == "custom":
            first, last = data.get("from"), data.get("to")
            if first is None:
                self.add_error("from", _("Choose the first day."))
            if last is None:
                self.add_error("to", _("Choose the last day."))
            if first is None or last is None:
                return data
            start, end = first, last
            if start > end:
                self.add_error("to", _("The end date must not come before the start date."))
            elif (end - start).days + 1 > self.MAX_DAYS:
                self.add_error("to", _("Choose at most a year."))
            elif start < date(2000, 1, 1) or end > today() + timedelta(days=1):
                self.add_error("from", _("Choose days between 2000 and today."))
        else:
            start = end - timedelta(days=int(period) - 1)
        return {**data, "period": period, "start": start, "end": end}
