from typing import Any

from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketmate.money import AmountField, amount_field_mapping
from orders.models import Order, OrderLine, OrderStatusChange
from orders.services.checkout import ADDRESS_MAX_LENGTH


def money_field() -> serializers.DecimalField:
    """An amount of money, rendered as a string with its decimals, at least two ("12.50",
    "1.125")."""
    return AmountField()


# --- Cart -----------------------------------------------------------------------------------------
class CartAddSerializer(serializers.Serializer[Any]):
    variant_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, default=1)


class CartUpdateSerializer(serializers.Serializer[Any]):
    item_id = serializers.IntegerField(min_value=1, required=False)
    variant_id = serializers.IntegerField(min_value=1, required=False)
    quantity = serializers.IntegerField(min_value=0, max_value=100_000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("item_id" in attrs) == ("variant_id" in attrs):
            raise serializers.ValidationError(
                {"item_id": [_("Give either item_id or variant_id.")]}
            )
        return attrs


class CartShopSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    slug = serializers.CharField()


class CartLineSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    variant_id = serializers.IntegerField(source="variant.pk")
    product_id = serializers.IntegerField(source="variant.product_id")
    title = serializers.CharField()
    sku = serializers.CharField(source="variant.sku")
    options = serializers.DictField(source="variant.options", child=serializers.CharField())
    quantity = serializers.IntegerField()
    unit_price = money_field()
    price_when_added = money_field()
    price_changed = serializers.BooleanField()
    line_total = money_field()
    is_purchasable = serializers.BooleanField()
    available = serializers.IntegerField(allow_null=True, help_text="None: stock not counted.")
    has_enough_stock = serializers.BooleanField()


class CartGroupSerializer(serializers.Serializer[Any]):
    shop = CartShopSerializer()
    currency = serializers.CharField()
    subtotal = money_field()
    items = CartLineSerializer(source="lines", many=True)


class CurrencyAmountSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    amount = money_field()


class CartSerializer(serializers.Serializer[Any]):
    item_count = serializers.IntegerField()
    shops = CartGroupSerializer(source="groups", many=True)
    totals = serializers.SerializerMethodField()
    has_price_changes = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()

    @extend_schema_field(CurrencyAmountSerializer(many=True))
    def get_totals(self, summary: Any) -> list[dict[str, str]]:
        return [
            {"currency": currency, "amount": str(amount)}
            for currency, amount in sorted(summary.totals_by_currency.items())
        ]

    def get_has_price_changes(self, summary: Any) -> bool:
        return bool(summary.price_changes)

    def get_messages(self, summary: Any) -> list[str]:
        return list(self.context.get("messages", []))


# --- Checkout -------------------------------------------------------------------------------------
class AddressSerializer(serializers.Serializer[Any]):
    full_name = serializers.CharField(max_length=ADDRESS_MAX_LENGTH)
    line1 = serializers.CharField(max_length=ADDRESS_MAX_LENGTH)
    line2 = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True)
    city = serializers.CharField(max_length=ADDRESS_MAX_LENGTH)
    region = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True)
    postal_code = serializers.CharField(
        max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True
    )
    country = serializers.ChoiceField(choices=list(countries), help_text="ISO 3166-1 alpha-2.")
    phone = serializers.CharField(max_length=ADDRESS_MAX_LENGTH, required=False, allow_blank=True)


class CheckoutSerializer(serializers.Serializer[Any]):
    shipping_address = AddressSerializer(required=False)
    address_id = serializers.IntegerField(min_value=1, required=False)
    shipping_methods = serializers.DictField(
        child=serializers.IntegerField(min_value=1, allow_null=True),
        required=False,
        help_text="Shop id to shipping method id; a shop left out ships with its default.",
    )
    coupon = serializers.CharField(max_length=40, required=False, allow_blank=True)

    def validate_shipping_methods(self, value: dict[str, int | None]) -> dict[int, int | None]:
        try:
            return {int(shop_id): method_id for shop_id, method_id in value.items()}
        except ValueError:
            raise serializers.ValidationError(_("Keys must be shop ids.")) from None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("shipping_address" in attrs) == ("address_id" in attrs):
            raise serializers.ValidationError(
                {"shipping_address": [_("Give either shipping_address or address_id.")]}
            )
        return attrs


# --- Orders ---------------------------------------------------------------------------------------
class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    class Meta:
        model = OrderLine
        fields = [
            "id",
            "variant_id",
            "product_title",
            "sku",
            "options",
            "unit_price",
            "quantity",
            "subtotal",
            "discount",
            "tax",
            "total",
        ]
        read_only_fields = fields


class OrderStatusChangeSerializer(serializers.ModelSerializer[OrderStatusChange]):
    class Meta:
        model = OrderStatusChange
        fields = ["from_status", "to_status", "note", "created"]
        read_only_fields = fields


class OrderShopSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()


class OrderListSerializer(serializers.ModelSerializer[Order]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    shop = OrderShopSerializer()

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "status",
            "shop",
            "currency",
            "subtotal",
            "discount",
            "shipping",
            "tax",
            "total",
            "created",
        ]
        read_only_fields = fields


class OrderSerializer(OrderListSerializer):
    lines = OrderLineSerializer(many=True)
    history = OrderStatusChangeSerializer(source="status_changes", many=True)
    shipping_address = serializers.SerializerMethodField()
    tax_rate = serializers.DecimalField(max_digits=6, decimal_places=4, read_only=True)

    class Meta(OrderListSerializer.Meta):
        fields = [
            *OrderListSerializer.Meta.fields,
            "checkout_reference",
            "refunded_amount",
            "prices_include_tax",
            "tax_rate",
            "shipping_address",
            "shipping_method_name",
            "coupon_code",
            "carrier",
            "tracking_number",
            "payment_reference",
            "paid_at",
            "shipped_at",
            "completed_at",
            "cancelled_at",
            "refunded_at",
            "lines",
            "history",
        ]
        read_only_fields = fields

    @extend_schema_field(AddressSerializer)
    def get_shipping_address(self, order: Order) -> dict[str, str]:
        return dict(order.shipping_address)


class PaymentSummarySerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=["awaiting_payment", "nothing_due"])
    amounts = CurrencyAmountSerializer(many=True)
    order_ids = serializers.ListField(child=serializers.IntegerField())


class CheckoutResultSerializer(serializers.Serializer[Any]):
    checkout_reference = serializers.UUIDField()
    orders = OrderSerializer(many=True)
    payment = PaymentSummarySerializer()


class OrderCancelSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


class OrderShipSerializer(serializers.Serializer[Any]):
    carrier = serializers.CharField(max_length=60)
    tracking_number = serializers.CharField(max_length=80)
