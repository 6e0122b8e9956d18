from typing import Any

from rest_framework import serializers

from moderation.models import TARGET_MODELS, Report
from moderation.selectors import MAX_ID


class ReportCreateSerializer(serializers.Serializer[Any]):
    target_type = serializers.ChoiceField(choices=sorted(TARGET_MODELS))
    target_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    details = serializers.CharField(
        max_length=Report.DETAILS_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ReportSerializer(serializers.ModelSerializer[Report]):
    target_type = serializers.CharField(source="target_kind")

    class Meta:
        model = Report
        fields = ["id", "target_type", "target_id", "reason", "details", "status", "created"]
        read_only_fields = fields
