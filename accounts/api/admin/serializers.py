"""Shapes of the staff API (`/api/v1/admin/...`): users and bans."""

from django.utils.translation import gettext as _
from rest_framework import serializers

from accounts.models import User


class AdminUserQuerySerializer(serializers.Serializer):
    search = serializers.CharField(
        required=False, allow_blank=True, max_length=254, help_text="Part of the e-mail or name."
    )
    role = serializers.ChoiceField(choices=User.Role.choices, required=False)
    status = serializers.ChoiceField(
        choices=[("active", "Active"), ("banned", "Banned")], required=False
    )
    ordering = serializers.ChoiceField(
        choices=["created", "-created", "email", "-email"], required=False
    )


class AdminUserSerializer(serializers.ModelSerializer[User]):
    is_banned = serializers.BooleanField(read_only=True)
    verified = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "name",
            "role",
            "verified",
            "is_active",
            "is_staff",
            "is_banned",
            "banned_at",
            "last_login",
            "created",
        ]
        read_only_fields = fields


class BanSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=1000, help_text="Kept in the audit log.")


class UnbanSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


def self_ban_refusal() -> dict[str, list[str]]:
    return {"user_id": [_("You cannot ban yourself.")]}
