from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from shops.models import Shop, ShopInvitation, ShopMember
from shops.roles import ASSIGNABLE_ROLE_CHOICES


class ShopPublicSerializer(serializers.ModelSerializer[Shop]):
    country = CountryField(country_dict=False)

    class Meta:
        model = Shop
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "logo",
            "banner",
            "currency",
            "country",
            "status",
            "shipping_policy",
            "returns_policy",
            "created",
        ]
        read_only_fields = fields


class ShopSerializer(ShopPublicSerializer):
    """What members see: the public fields plus the settings."""

    class Meta(ShopPublicSerializer.Meta):
        fields = [
            *ShopPublicSerializer.Meta.fields,
            "language",
            "prices_include_tax",
            "updated",
        ]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer[ShopMember]):
    """One of the user's shops, with their role in it."""

    shop = ShopSerializer(read_only=True)

    class Meta:
        model = ShopMember
        fields = ["role", "shop"]
        read_only_fields = fields


class ShopApplySerializer(serializers.Serializer[Shop]):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    currency = serializers.CharField(max_length=3, default="USD")
    country = CountryField(default="US")
    shipping_policy = serializers.CharField(required=False, allow_blank=True, default="")
    returns_policy = serializers.CharField(required=False, allow_blank=True, default="")


class ShopUpdateSerializer(serializers.Serializer[Shop]):
    name = serializers.CharField(max_length=120, required=False)
    logo = serializers.FileField(
        required=False, allow_null=True, help_text="Multipart: a JPEG, PNG or WebP; null removes."
    )
    banner = serializers.FileField(
        required=False, allow_null=True, help_text="Multipart: a JPEG, PNG or WebP; null removes."
    )
    description = serializers.CharField(required=False, allow_blank=True)
    currency = serializers.CharField(max_length=3, required=False)
    country = CountryField(required=False)
    language = serializers.CharField(max_length=8, required=False)
    prices_include_tax = serializers.BooleanField(required=False)
    shipping_policy = serializers.CharField(required=False, allow_blank=True)
    returns_policy = serializers.CharField(required=False, allow_blank=True)


class ShopMemberSerializer(serializers.ModelSerializer[ShopMember]):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)

    class Meta:
        model = ShopMember
        fields = ["id", "email", "name", "role", "created"]
        read_only_fields = fields


class ShopInvitationSerializer(serializers.ModelSerializer[ShopInvitation]):
    class Meta:
        model = ShopInvitation
        fields = ["id", "email", "role", "created"]
        read_only_fields = fields


class MemberInviteSerializer(serializers.Serializer[ShopMember]):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=ASSIGNABLE_ROLE_CHOICES)


class MemberRoleSerializer(serializers.Serializer[ShopMember]):
    role = serializers.ChoiceField(choices=ASSIGNABLE_ROLE_CHOICES)
