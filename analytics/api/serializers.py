"""Shapes of the staff sales report API (`GET /api/v1/admin/reports`)."""

from datetime import UTC, timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from analytics.selectors import GROUPS, report_range_validate
from marketmate.errors import ApplicationError


def money_field(help_text: str = "") -> serializers.DecimalField:
    """An amount, rendered as a decimal string."""
    return serializers.DecimalField(
        max_digits=16, decimal_places=2, coerce_to_string=True, help_text=help_text or None
    )


class ReportQuerySerializer(serializers.Serializer):
    # `from` is a Python keyword: the date fields get their names in `get_fields`.
    start = serializers.DateField(required=False, help_text="First day (UTC), default 29 days ago.")
    end = serializers.DateField(required=False, help_text="Last day (UTC), default today.")
    group = serializers.ChoiceField(choices=GROUPS, required=False, default="day")
    shop = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Only this shop's sales."
    )
    currency = serializers.RegexField(
        r"^[A-Z]{3}$", required=False, default="USD", help_text="ISO 4217 code."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["from"] = fields.pop("start")
        fields["to"] = fields.pop("end")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        end = attrs.get("to") or timezone.now().astimezone(UTC).date()
        start = attrs.get("from") or end - timedelta(days=29)
        try:
            report_range_validate(start=start, end=end, group=attrs["group"])
        except ApplicationError as error:
            raise serializers.ValidationError(error.fields) from error
        return {**attrs, "start": start, "end": end}


class FiguresSerializer(serializers.Serializer):
    gmv = money_field("Totals of the orders paid.")
    orders = serializers.IntegerField(help_text="Orders paid.")
    average_order_value = money_field()
    commission = money_field("Net commission of the platform.")
    refunds = money_field("Refunds confirmed.")


class ReportPeriodSerializer(FiguresSerializer):
    start = serializers.DateField()
    end = serializers.DateField()
    new_users = serializers.IntegerField()
    new_shops = serializers.IntegerField()


class ShopFiguresSerializer(FiguresSerializer):
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()


class ProductFiguresSerializer(serializers.Serializer):
    product_id = serializers.IntegerField(allow_null=True, help_text="Null: a deleted product.")
    title = serializers.CharField()
    shop_id = serializers.IntegerField()
    shop_name = serializers.CharField()
    units = serializers.IntegerField()
    revenue = money_field()


class SalesReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    group = serializers.ChoiceField(choices=GROUPS)
    currency = serializers.CharField()
    shop_id = serializers.IntegerField(allow_null=True)
    totals = ReportPeriodSerializer()
    periods = ReportPeriodSerializer(many=True)
    shops = ShopFiguresSerializer(many=True)
    top_products = ProductFiguresSerializer(many=True)
