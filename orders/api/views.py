"""The orders API: cart, checkout and orders. Every write calls a service."""

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from marketmate.errors import NotFoundError
from marketmate.pagination import CursorPagination
from marketmate.throttling import CheckoutThrottle, scoped_throttles
from orders.api.serializers import (
    CartAddSerializer,
    CartSerializer,
    CartUpdateSerializer,
    CheckoutResultSerializer,
    CheckoutSerializer,
    OrderCancelSerializer,
    OrderListSerializer,
    OrderSerializer,
    OrderShipSerializer,
)
from orders.models import Order
from orders.selectors import (
    CANCEL_ROLES,
    cart_get,
    cart_summarise,
    order_get_for_viewer,
    order_list_for_buyer,
    order_list_for_shop,
    orders_by_id,
    payment_summary,
)
from orders.services.cart import (
    cart_get_or_create,
    cart_item_add,
    cart_item_remove,
    cart_item_update,
)
from orders.services.checkout import checkout_place
from orders.services.lifecycle import order_cancel, order_complete, order_ship
from shops.selectors import shop_get_for_member, shop_ids_for_member

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Repeat a checkout safely: the same key and body return the first result.",
)


def _cart_response(request: Request, *, messages: list[str], code: int = 200) -> Response:
    summary = cart_summarise(cart=cart_get(user=request.user, session=request.session))
    return Response(
        CartSerializer(summary, context={"messages": [m for m in messages if m]}).data,
        status=code,
    )


class CartView(APIView):
    """The shopper's cart: a signed-in user's, or the anonymous session's."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CartSerializer, summary="The cart, at current prices")
    def get(self, request: Request) -> Response:
        return _cart_response(request, messages=[])

    @extend_schema(
        request=CartAddSerializer,
        responses={201: CartSerializer},
        summary="Add a variant to the cart (clamped to the stock, with a message)",
    )
    def post(self, request: Request) -> Response:
        serializer = CartAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_get_or_create(user=request.user, session=request.session)
        change = cart_item_add(cart=cart, **serializer.validated_data)
        return _cart_response(request, messages=[change.message], code=status.HTTP_201_CREATED)

    @extend_schema(
        request=CartUpdateSerializer,
        responses=CartSerializer,
        summary="Change an item's quantity (0 removes it)",
    )
    def patch(self, request: Request) -> Response:
        serializer = CartUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cart = cart_get(user=request.user, session=request.session)
        if cart is None:
            raise NotFoundError(_("This item is not in your cart."))
        change = cart_item_update(cart=cart, **serializer.validated_data)
        return _cart_response(request, messages=[change.message])


class CartItemView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CartSerializer, summary="Remove an item from the cart")
    def delete(self, request: Request, item_id: int) -> Response:
        cart = cart_get(user=request.user, session=request.session)
        if cart is None:
            raise NotFoundError(_("This item is not in your cart."))
        cart_item_remove(cart=cart, item_id=item_id)
        return _cart_response(request, messages=[])


class CheckoutView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = scoped_throttles(CheckoutThrottle)

    @extend_schema(
        request=CheckoutSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: CheckoutResultSerializer,
            400: OpenApiResponse(description="Invalid address, shipping method or coupon."),
            403: OpenApiResponse(description="E-mail address not verified."),
            409: OpenApiResponse(description="An item is out of stock or no longer sold."),
            422: OpenApiResponse(description="Idempotency-Key reused with a different body."),
        },
        summary="Place one order per shop of the cart",
    )
    def post(self, request: Request) -> Response:
        assert isinstance(request.user, User)
        serializer = CheckoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        cart = cart_get_or_create(user=request.user, session=request.session)
        result = checkout_place(
            buyer=request.user,
            cart=cart,
            address=data.get("shipping_address"),
            address_id=data.get("address_id"),
            shipping_methods=data.get("shipping_methods", {}),
            coupon_code=data.get("coupon", ""),
            idempotency_key=request.headers.get("Idempotency-Key", "")[:255],
        )
        orders = orders_by_id(buyer=request.user, order_ids=[order.pk for order in result.orders])
        body = CheckoutResultSerializer(
            {
                "checkout_reference": result.checkout_reference,
                "orders": orders,
                "payment": payment_summary(orders=orders),
            }
        ).data
        response = Response(body, status=status.HTTP_201_CREATED)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class OrderPagination(CursorPagination):
    ordering = ("-created", "-id")  # type: ignore[assignment]  # DRF takes a tuple too


@extend_schema(
    parameters=[
        OpenApiParameter("shop", OpenApiTypes.INT, description="A shop you work for: its orders."),
        OpenApiParameter("status", OpenApiTypes.STR, enum=Order.Status.values),
    ],
    summary="Your orders, or (with ?shop=) your shop's",
)
class OrderListView(generics.ListAPIView[Order]):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = OrderListSerializer
    pagination_class = OrderPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Order]:
        user = self.request.user
        assert isinstance(user, User)
        shop_param = self.request.query_params.get("shop")
        if shop_param:
            shop = shop_get_for_member(user=user, shop_id=_int_or_404(shop_param))
            queryset = order_list_for_shop(shop=shop)
        else:
            queryset = order_list_for_buyer(buyer=user)
        status_param = self.request.query_params.get("status")
        if status_param:
            if status_param not in Order.Status.values:
                raise exceptions.ValidationError({"status": [_("Not a valid status.")]})
            queryset = queryset.filter(status=status_param)
        return queryset


def _int_or_404(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise NotFoundError(_("Not found.")) from None


def _order_or_404(request: Request, order_id: int) -> Order:
    order = order_get_for_viewer(user=request.user, order_id=order_id)
    if order is None:
        raise NotFoundError(_("Order not found."))
    return order


class OrderDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=OrderSerializer, summary="An order you bought or your shop sold")
    def get(self, request: Request, order_id: int) -> Response:
        return Response(OrderSerializer(_order_or_404(request, order_id)).data)


def _require_shop_role(request: Request, order: Order, roles: Any = None) -> None:
    kwargs = {"roles": roles} if roles is not None else {}
    if order.shop_id not in shop_ids_for_member(user=request.user, **kwargs):
        raise exceptions.PermissionDenied(_("Only the shop can do this."))


def _order_response(request: Request, order: Order) -> Response:
    return Response(OrderSerializer(_order_or_404(request, order.pk)).data)


class OrderCancelView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=OrderCancelSerializer,
        responses={200: OrderSerializer, 409: OpenApiResponse(description="Invalid transition.")},
        summary="Cancel a pending or paid order (buyer, or the shop's owner or manager)",
    )
    def post(self, request: Request, order_id: int) -> Response:
        assert isinstance(request.user, User)
        order = _order_or_404(request, order_id)
        if order.buyer_id != request.user.pk:
            _require_shop_role(request, order, CANCEL_ROLES)
        serializer = OrderCancelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_cancel(
            order=order, actor=request.user, reason=serializer.validated_data.get("reason", "")
        )
        return _order_response(request, order)


class OrderShipView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=OrderShipSerializer,
        responses={200: OrderSerializer, 409: OpenApiResponse(description="Invalid transition.")},
        summary="Mark a paid order shipped, with its tracking (shop members)",
    )
    def post(self, request: Request, order_id: int) -> Response:
        assert isinstance(request.user, User)
        order = _order_or_404(request, order_id)
        _require_shop_role(request, order)
        serializer = OrderShipSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order = order_ship(order=order, actor=request.user, **serializer.validated_data)
        return _order_response(request, order)


class OrderCompleteView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=None,
        responses={200: OrderSerializer, 409: OpenApiResponse(description="Invalid transition.")},
        summary="Mark a shipped order complete (shop members)",
    )
    def post(self, request: Request, order_id: int) -> Response:
        assert isinstance(request.user, User)
        order = _order_or_404(request, order_id)
        _require_shop_role(request, order)
        order = order_complete(order=order, actor=request.user)
        return _order_response(request, order)
