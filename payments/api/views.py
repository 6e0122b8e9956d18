"""The payments API: thin views that fetch (scoped to the caller), validate and call services."""

from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from marketmate.pagination import CursorPagination
from marketmate.throttling import CheckoutThrottle, scoped_throttles
from payments.api.serializers import (
    LedgerEntrySerializer,
    PaymentConfirmSerializer,
    PaymentCreateSerializer,
    PaymentListSerializer,
    PaymentSerializer,
    PayoutSerializer,
    RefundCreateSerializer,
    RefundSerializer,
    ShopBalanceSerializer,
    WebhookAnswerSerializer,
)
from payments.models import LedgerEntry, Payout
from payments.selectors import (
    invoice_get_for_viewer,
    ledger_entries_for_shop,
    order_get_for_refunder,
    payment_get_for_buyer,
    payouts_for_shop,
    shop_balances,
    shop_get_for_finance,
)
from payments.services.payments import payment_confirm_card, payment_sync, payments_create
from payments.services.refunds import refund_request
from payments.services.webhooks import stripe_event_verify, webhook_event_record

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="Repeat a request with the same key to get the first answer, never a second one.",
)
ERROR = OpenApiResponse(description="Error in the shape {error: {code, message, fields}}.")


def _user(request: Request) -> User:
    return cast(User, request.user)


def _idempotency_key(request: Request) -> str:
    return request.headers.get("Idempotency-Key", "").strip()[:255]


class PaymentCreateAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = scoped_throttles(CheckoutThrottle)

    @extend_schema(
        operation_id="payments_create",
        request=PaymentCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={201: PaymentListSerializer, 400: ERROR, 409: ERROR, 422: ERROR},
        summary="Start paying for a checkout's orders (one payment per currency).",
        description=(
            "Orders that cost nothing are marked paid at once and need no payment; when no order "
            "has anything to pay, `payments` is empty."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = PaymentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payments = payments_create(
            buyer=_user(request),
            checkout_reference=serializer.validated_data.get("checkout_reference"),
            order_ids=serializer.validated_data.get("order_ids"),
            idempotency_key=_idempotency_key(request),
        )
        body = {"payments": PaymentSerializer(payments, many=True).data}
        return Response(body, status=status.HTTP_201_CREATED)


class PaymentDetailAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="payments_retrieve",
        responses={200: PaymentSerializer, 404: ERROR},
        summary="A payment of yours (anyone else's is a 404).",
    )
    def get(self, request: Request, pk: int) -> Response:
        payment = payment_get_for_buyer(user=_user(request), payment_id=pk)
        payment = payment_sync(payment=payment) if payment.status == "pending" else payment
        return Response(PaymentSerializer(payment).data)


class PaymentConfirmAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = scoped_throttles(CheckoutThrottle)

    @extend_schema(
        operation_id="payments_confirm",
        request=PaymentConfirmSerializer,
        responses={200: PaymentSerializer, 400: ERROR, 402: ERROR, 404: ERROR, 409: ERROR},
        summary="Pay with the test-mode card form (dummy gateway only).",
    )
    def post(self, request: Request, pk: int) -> Response:
        payment = payment_get_for_buyer(user=_user(request), payment_id=pk)
        serializer = PaymentConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_confirm_card(
            payment=payment, card_number=serializer.validated_data["card_number"]
        )
        return Response(PaymentSerializer(payment).data)


class StripeWebhookAPIView(APIView):
    """Stripe's events. Signed with the endpoint secret; no session, no token, no throttle."""

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]
    throttle_classes: list[Any] = []

    @extend_schema(
        operation_id="webhooks_stripe",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Stripe-Signature", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True
            )
        ],
        responses={200: WebhookAnswerSerializer, 400: ERROR},
        summary="Stripe webhook endpoint (verified by the Stripe-Signature header).",
    )
    def post(self, request: Request) -> Response:
        event = stripe_event_verify(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
        _stored, created = webhook_event_record(event=event)
        return Response({"received": True, "duplicate": not created})


class OrderRefundAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="orders_refunds_create",
        request=RefundCreateSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: RefundSerializer,
            400: ERROR,
            403: ERROR,
            404: ERROR,
            409: ERROR,
            503: ERROR,
        },
        summary="Refund an order in full, in part, or by lines (shop owner, manager or staff).",
    )
    def post(self, request: Request, pk: int) -> Response:
        order = order_get_for_refunder(user=_user(request), order_id=pk)
        serializer = RefundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        refund = refund_request(
            actor=_user(request),
            order=order,
            amount=data.get("amount"),
            lines=data.get("lines"),
            restock=data["restock"],
            reason=data["reason"],
            idempotency_key=_idempotency_key(request),
        )
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)


class OrderInvoiceAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="orders_invoice_retrieve",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The PDF invoice."
            ),
            (404, "application/json"): ERROR,
        },
        summary="The order's PDF invoice (its buyer and its shop's members only).",
    )
    def get(self, request: Request, pk: int) -> FileResponse | Response:
        invoice = invoice_get_for_viewer(user=_user(request), order_id=pk)
        return FileResponse(
            invoice.file.open("rb"),
            as_attachment=True,
            filename=f"{invoice.number}.pdf",
            content_type="application/pdf",
        )


class ShopBalanceAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="shops_balance_retrieve",
        responses={200: ShopBalanceSerializer, 403: ERROR, 404: ERROR},
        summary="What the marketplace owes the shop: pending and available, per currency.",
    )
    def get(self, request: Request, pk: int) -> Response:
        shop = shop_get_for_finance(user=_user(request), shop_id=pk)
        balances = shop_balances(shop=shop)
        return Response(
            ShopBalanceSerializer(
                {"shop": shop.pk, "balances": balances, "payouts_on_hold": shop.payouts_on_hold}
            ).data
        )


class LedgerCursorPagination(CursorPagination):
    ordering = "-created"


class ShopLedgerAPIView(ListAPIView[LedgerEntry]):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = LedgerEntrySerializer
    pagination_class = LedgerCursorPagination
    filter_backends: list[Any] = []

    @extend_schema(operation_id="shops_ledger_list", summary="The shop's ledger, newest first.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[LedgerEntry]:
        shop = shop_get_for_finance(user=_user(self.request), shop_id=self.kwargs["pk"])
        return ledger_entries_for_shop(shop=shop)


class ShopPayoutsAPIView(ListAPIView[Payout]):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = PayoutSerializer
    filter_backends: list[Any] = []

    @extend_schema(operation_id="shops_payouts_list", summary="The shop's payouts, newest first.")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Payout]:
        shop = shop_get_for_finance(user=_user(self.request), shop_id=self.kwargs["pk"])
        return payouts_for_shop(shop=shop)
