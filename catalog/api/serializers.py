from decimal import Decimal
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import (
    INTEGER_COLUMN_MAX,
    Attribute,
    Category,
    Product,
    ProductImage,
    ProductVariant,
    StockMovement,
)
from catalog.selectors import image_urls
from marketmate.money import AMOUNT_MAX, AmountField, amount_field_mapping, money_text


class VariantSerializer(serializers.ModelSerializer[ProductVariant]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    unit_price = serializers.SerializerMethodField()

    class Meta:
        model = ProductVariant
        fields = [
            "id",
            "sku",
            "options",
            "price",
            "unit_price",
            "inventory_count",
            "weight_grams",
            "is_default",
            "position",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=13, decimal_places=3))
    def get_unit_price(self, variant: ProductVariant) -> str:
        return money_text(variant.unit_price)


class ThumbnailFilesSerializer(serializers.Serializer[Any]):
    webp = serializers.URLField()
    jpeg = serializers.URLField()


class ImageSerializer(serializers.ModelSerializer[ProductImage]):
    url = serializers.SerializerMethodField()
    thumbnails = serializers.SerializerMethodField()

    class Meta:
        model = ProductImage
        fields = ["id", "url", "alt_text", "width", "height", "position", "thumbnails"]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, image: ProductImage) -> str:
        return self._absolute(str(image_urls(image=image)["original"]))

    @extend_schema_field(
        serializers.DictField(
            child=ThumbnailFilesSerializer(),
            help_text='By width, e.g. {"200": {"webp": "...", "jpeg": "..."}}; empty until ready.',
        )
    )
    def get_thumbnails(self, image: ProductImage) -> dict[str, Any]:
        thumbnails = image_urls(image=image)["thumbnails"]
        assert isinstance(thumbnails, dict)
        return {
            size: {kind: self._absolute(url) for kind, url in files.items()}
            for size, files in thumbnails.items()
        }

    def _absolute(self, url: str) -> str:
        # Local storage answers "/media/...": API clients get the whole URL, as the schema says
        # (S3's URLs are absolute already and come back unchanged).
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class ProductShopSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class ProductSerializer(serializers.ModelSerializer[Product]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    shop = ProductShopSerializer(read_only=True)
    categories = serializers.SerializerMethodField()
    tags = serializers.SerializerMethodField()
    variants = serializers.SerializerMethodField()
    images = ImageSerializer(many=True, read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "shop",
            "title",
            "slug",
            "description",
            "price",
            "compare_at_price",
            "currency",
            "status",
            "track_inventory",
            "categories",
            "tags",
            "variants",
            "images",
            "created",
            "updated",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_categories(self, product: Product) -> list[int]:
        return [category.pk for category in product.categories.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, product: Product) -> list[str]:
        return [tag.name for tag in product.tags.all()]

    @cached_property
    def _variant_serializer(self) -> VariantSerializer:
        # One for every product of a list: a ModelSerializer builds its fields from the model
        # for each new instance (a third of a product list's time when made per product).
        return VariantSerializer(context=self.context)

    @extend_schema_field(VariantSerializer(many=True))
    def get_variants(self, product: Product) -> list[dict[str, Any]]:
        variants = list(product.variants.all())
        for variant in variants:
            variant.product = product  # no query per variant for the unit price
        return [self._variant_serializer.to_representation(variant) for variant in variants]


class VariantInputSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True)
    options = serializers.DictField(child=serializers.CharField(max_length=80), required=False)
    price = AmountField(
        min_value=Decimal("0.01"), max_value=AMOUNT_MAX, required=False, allow_null=True
    )
    inventory_count = serializers.IntegerField(
        min_value=0, max_value=INTEGER_COLUMN_MAX, required=False, default=0
    )
    weight_grams = serializers.IntegerField(
        min_value=0, max_value=INTEGER_COLUMN_MAX, required=False
    )
    position = serializers.IntegerField(min_value=0, max_value=INTEGER_COLUMN_MAX, required=False)


class VariantUpdateSerializer(serializers.Serializer[Any]):
    sku = serializers.CharField(max_length=64, required=False)
    options = serializers.DictField(child=serializers.CharField(max_length=80), required=False)
    price = AmountField(
        min_value=Decimal("0.01"), max_value=AMOUNT_MAX, required=False, allow_null=True
    )
    weight_grams = serializers.IntegerField(
        min_value=0, max_value=INTEGER_COLUMN_MAX, required=False
    )
    position = serializers.IntegerField(min_value=0, max_value=INTEGER_COLUMN_MAX, required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The stock is read back in the variant, so a client may send it: refused, not ignored,
        # as a change of stock needs a reason and goes through the adjustments.
        if "inventory_count" in self.initial_data:
            raise serializers.ValidationError(
                {
                    "inventory_count": [
                        _(
                            "Stock is changed by an inventory adjustment with a reason:"
                            " POST /api/v1/variants/%(id)s/inventory-adjustments."
                        )
                        % {"id": self.context.get("variant_id", "{id}")}
                    ]
                }
            )
        return attrs


class ProductCreateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    price = AmountField(min_value=Decimal("0.01"), max_value=AMOUNT_MAX)
    compare_at_price = AmountField(
        max_value=AMOUNT_MAX, required=False, allow_null=True, default=None
    )
    status = serializers.ChoiceField(choices=Product.Status.choices, default=Product.Status.DRAFT)
    track_inventory = serializers.BooleanField(required=False, default=True)
    inventory_count = serializers.IntegerField(
        min_value=0, max_value=INTEGER_COLUMN_MAX, required=False, default=0
    )
    sku = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    categories = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), many=True, required=False, default=list
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, default=list
    )
    variants = VariantInputSerializer(many=True, required=False)


class ProductUpdateSerializer(serializers.Serializer[Any]):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    price = AmountField(min_value=Decimal("0.01"), max_value=AMOUNT_MAX, required=False)
    compare_at_price = AmountField(max_value=AMOUNT_MAX, required=False, allow_null=True)
    status = serializers.ChoiceField(choices=Product.Status.choices, required=False)
    track_inventory = serializers.BooleanField(required=False)
    categories = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), many=True, required=False
    )
    tags = serializers.ListField(child=serializers.CharField(max_length=50), required=False)


class ImageUploadSerializer(serializers.Serializer[Any]):
    image = serializers.FileField(help_text="A JPEG, PNG or WebP image.")
    alt_text = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ImageUpdateSerializer(serializers.Serializer[Any]):
    alt_text = serializers.CharField(max_length=200, allow_blank=True)


class ImageOrderSerializer(serializers.Serializer[Any]):
    image_ids = serializers.ListField(child=serializers.IntegerField(), allow_empty=False)


ADJUSTABLE_REASONS = [
    choice
    for choice in StockMovement.Reason.choices
    if choice[0] not in {StockMovement.Reason.ORDER, StockMovement.Reason.ORDER_RELEASE}
]


class InventoryAdjustmentSerializer(serializers.Serializer[Any]):
    delta = serializers.IntegerField(
        min_value=-INTEGER_COLUMN_MAX,
        max_value=INTEGER_COLUMN_MAX,
        help_text="Units added (positive) or taken (negative).",
    )
    reason = serializers.ChoiceField(choices=ADJUSTABLE_REASONS)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class StockMovementSerializer(serializers.ModelSerializer[StockMovement]):
    actor = serializers.EmailField(source="actor.email", read_only=True, allow_null=True)

    class Meta:
        model = StockMovement
        fields = ["id", "delta", "reason", "note", "actor", "created"]
        read_only_fields = fields


class InventoryAdjustmentResultSerializer(serializers.Serializer[Any]):
    variant = VariantSerializer()
    movement = StockMovementSerializer()


class AttributeSerializer(serializers.ModelSerializer[Attribute]):
    class Meta:
        model = Attribute
        fields = ["id", "name", "slug"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer[Category]):
    parent_id = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "depth", "parent_id"]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent_id(self, category: Category) -> int | None:
        parents: dict[str, int] = self.context.get("ids_by_path", {})
        return parents.get(category.path[: -Category.steplen]) if category.depth > 1 else None
