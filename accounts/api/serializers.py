from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils.translation import gettext as _
from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Address, User
from marketmate.currency import Currency


class UserSerializer(serializers.ModelSerializer[User]):
    verified = serializers.BooleanField(
        read_only=True, help_text="The user has confirmed their e-mail address."
    )
    pending_email = serializers.SerializerMethodField(
        help_text="A new e-mail address waiting for verification, if any."
    )
    language = serializers.ChoiceField(
        choices=[], allow_blank=True, read_only=True, help_text="Empty: the browser's language."
    )

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "pending_email",
            "name",
            "role",
            "verified",
            "avatar",
            "language",
            "currency",
            "created",
        ]
        read_only_fields = fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES  # type: ignore[attr-defined]

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_pending_email(self, user: User) -> str | None:
        pending = EmailAddress.objects.get_new(user)
        if pending is None or pending.email.lower() == user.email.lower():
            return None
        return pending.email


class UserUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    avatar = serializers.ImageField(required=False, allow_null=True)
    language = serializers.ChoiceField(choices=[], required=False, allow_blank=True)
    currency = serializers.ChoiceField(choices=Currency.choices, required=False)
    email = serializers.EmailField(
        required=False,
        help_text="A new e-mail address: it receives a verification link and replaces the "
        "current one only once verified (see `pending_email`).",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES  # type: ignore[attr-defined]


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    name = serializers.CharField(max_length=150)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    code = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=64,
        help_text=(
            "For accounts with a second factor: the current code of the authenticator app, "
            "or an unused recovery code. Without it such an account answers 401 "
            "`second_factor_required`."
        ),
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="JWT access token: `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="JWT refresh token for `auth/refresh`.")


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField()


class ForgotPasswordSerializer(serializers.Serializer):
    email = serializers.EmailField()


class AuthMessageSerializer(serializers.Serializer):
    message = serializers.CharField()


class ResetPasswordSerializer(serializers.Serializer):
    uid = serializers.CharField(
        required=False,
        help_text="The user part of the reset link (`.../key/<uid>-<token>/`); may be left out "
        "when `token` is the whole `<uid>-<token>`.",
    )
    token = serializers.CharField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})

    def validate(self, attrs: dict[str, str]) -> dict[str, str]:
        if not attrs.get("uid"):
            uid, separator, token = attrs["token"].partition("-")
            if not separator:
                raise serializers.ValidationError(
                    {"token": [_("The password reset link is invalid or has expired.")]}
                )
            attrs = {**attrs, "uid": uid, "token": token}
        return attrs


class VerifyEmailSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The key of the verification link.")


class UserAddressSerializer(serializers.ModelSerializer[Address]):
    country = CountryField(help_text="ISO 3166-1 alpha-2 code, e.g. `DE`.")

    class Meta:
        model = Address
        fields = [
            "id",
            "full_name",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "country",
            "phone",
            "is_default_shipping",
            "is_default_billing",
            "created",
            "updated",
        ]
        read_only_fields = ["id", "created", "updated"]
