"""Shapes of the payments API: input checked here, rules left to the services."""

from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework import serializers

from marketmate.money import AmountField, amount_field_mapping
from payments.models import LedgerEntry, Payment, Payout, Refund


class PaymentCreateSerializer(serializers.Serializer[Any]):
    checkout_reference = serializers.UUIDField(
        required=False, help_text="The checkout whose orders to pay (from the checkout answer)."
    )
    order_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=50,
        help_text="Or the ids of the orders to pay, all from one checkout.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("checkout_reference" in attrs) == ("order_ids" in attrs):
            raise serializers.ValidationError(
                {"checkout_reference": ["Give checkout_reference or order_ids (one of them)."]}
            )
        return attrs


class PaymentOrderSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    shop = serializers.CharField(source="shop.name")
    total = AmountField()
    status = serializers.CharField()


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    orders = serializers.SerializerMethodField()
    client_secret = serializers.SerializerMethodField(
        help_text="For Stripe.js (`stripe.confirmPayment`); empty for the test-mode card form."
    )
    publishable_key = serializers.SerializerMethodField()
    test_mode = serializers.SerializerMethodField(
        help_text="True when the test-mode card form pays (POST .../confirm with a card number)."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "status",
            "amount",
            "amount_refunded",
            "currency",
            "provider",
            "test_mode",
            "client_secret",
            "publishable_key",
            "failure_message",
            "orders",
            "created",
            "succeeded_at",
        ]
        read_only_fields = fields

    def get_orders(self, payment: Payment) -> list[dict[str, Any]]:
        return PaymentOrderSerializer(payment.orders.all(), many=True).data  # type: ignore[return-value]

    def get_client_secret(self, payment: Payment) -> str:
        return payment.client_secret if payment.status in ("pending", "failed") else ""

    def get_publishable_key(self, payment: Payment) -> str:
        return settings.STRIPE_PUBLISHABLE_KEY if payment.provider == "stripe" else ""

    def get_test_mode(self, payment: Payment) -> bool:
        return payment.provider == "dummy"


class PaymentListSerializer(serializers.Serializer[Any]):
    payments = PaymentSerializer(many=True)


class PaymentConfirmSerializer(serializers.Serializer[Any]):
    card_number = serializers.CharField(max_length=32, help_text="4242 4242 4242 4242 succeeds.")


class RefundLineSerializer(serializers.Serializer[Any]):
    line_id = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(min_value=1)


class RefundCreateSerializer(serializers.Serializer[Any]):
    amount = AmountField(min_value=Decimal("0.001"), required=False)
    lines = RefundLineSerializer(many=True, required=False, allow_empty=False)
    restock = serializers.BooleanField(default=False)
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class RefundSerializer(serializers.ModelSerializer[Refund]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    class Meta:
        model = Refund
        fields = [
            "id",
            "order",
            "amount",
            "currency",
            "lines",
            "restock",
            "reason",
            "status",
            "created",
            "confirmed_at",
        ]
        read_only_fields = fields


class BalanceSerializer(serializers.Serializer[Any]):
    currency = serializers.CharField()
    pending = AmountField()
    available = AmountField()
    total = AmountField()


class ShopBalanceSerializer(serializers.Serializer[Any]):
    shop = serializers.IntegerField()
    balances = BalanceSerializer(many=True)
    payouts_on_hold = serializers.BooleanField()


class LedgerEntrySerializer(serializers.ModelSerializer[LedgerEntry]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    order_number = serializers.CharField(source="order.number", default=None)

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "amount",
            "currency",
            "description",
            "order_number",
            "available_at",
            "created",
        ]
        read_only_fields = fields


class PayoutSerializer(serializers.ModelSerializer[Payout]):
    serializer_field_mapping = amount_field_mapping(
        serializers.ModelSerializer.serializer_field_mapping
    )

    class Meta:
        model = Payout
        fields = ["id", "amount", "currency", "method", "status", "created", "paid_at"]
        read_only_fields = fields


class WebhookAnswerSerializer(serializers.Serializer[Any]):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()
