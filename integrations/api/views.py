"""The API of a shop's keys and webhook endpoints: owners and managers only (else 404 / 403)."""

from typing import cast

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from integrations import services
from integrations.api.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyCreateSerializer,
    ApiKeySerializer,
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointCreateSerializer,
    WebhookEndpointSerializer,
    WebhookEndpointUpdateSerializer,
)
from integrations.models import WebhookEndpoint
from integrations.selectors import (
    api_key_get_for_shop,
    api_keys_list_for_shop,
    deliveries_list_for_endpoint,
    delivery_get_for_endpoint,
    endpoint_get_for_shop,
    endpoints_list_for_shop,
)
from shops.models import Shop
from shops.permissions import HasShopRole
from shops.roles import ROLES_SETTINGS
from shops.selectors import shop_get_for_member

PERMISSIONS: list[type[permissions.BasePermission]] = [
    permissions.IsAuthenticated,
    HasShopRole.with_roles(ROLES_SETTINGS),
]


def _user(request: Request) -> User:
    return cast(User, request.user)


def _shop(request: Request, shop_id: int) -> Shop:
    return shop_get_for_member(user=request.user, shop_id=shop_id, roles=ROLES_SETTINGS)


def _endpoint(request: Request, shop_id: int, endpoint_id: int) -> WebhookEndpoint:
    return endpoint_get_for_shop(shop=_shop(request, shop_id), endpoint_id=endpoint_id)


class ApiKeyListView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=ApiKeySerializer(many=True), summary="The shop's API keys")
    def get(self, request: Request, shop_id: int) -> Response:
        keys = api_keys_list_for_shop(shop=_shop(request, shop_id))
        return Response(ApiKeySerializer(keys, many=True).data)

    @extend_schema(
        request=ApiKeyCreateSerializer,
        responses={201: ApiKeyCreatedSerializer},
        summary="Create an API key (the answer holds the key, once)",
    )
    def post(self, request: Request, shop_id: int) -> Response:
        serializer = ApiKeyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, raw_key = services.api_key_create(
            shop=_shop(request, shop_id), actor=_user(request), **serializer.validated_data
        )
        data = ApiKeyCreatedSerializer(key, context={"raw_key": raw_key}).data
        return Response(data, status=status.HTTP_201_CREATED)


class ApiKeyDetailView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses={204: OpenApiResponse(description="Revoked")}, summary="Revoke a key")
    def delete(self, request: Request, shop_id: int, key_id: int) -> Response:
        key = api_key_get_for_shop(shop=_shop(request, shop_id), key_id=key_id)
        services.api_key_revoke(api_key=key, actor=_user(request), reason="revoked by the shop")
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointListView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        responses=WebhookEndpointSerializer(many=True), summary="The shop's webhook endpoints"
    )
    def get(self, request: Request, shop_id: int) -> Response:
        endpoints = endpoints_list_for_shop(shop=_shop(request, shop_id))
        return Response(WebhookEndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        request=WebhookEndpointCreateSerializer,
        responses={201: WebhookEndpointCreatedSerializer},
        summary="Subscribe an endpoint (the answer holds the signing secret, once)",
    )
    def post(self, request: Request, shop_id: int) -> Response:
        serializer = WebhookEndpointCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_create(
            shop=_shop(request, shop_id), actor=_user(request), **serializer.validated_data
        )
        return Response(
            WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


class WebhookEndpointDetailView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(responses=WebhookEndpointSerializer, summary="A webhook endpoint")
    def get(self, request: Request, shop_id: int, endpoint_id: int) -> Response:
        return Response(WebhookEndpointSerializer(_endpoint(request, shop_id, endpoint_id)).data)

    @extend_schema(
        request=WebhookEndpointUpdateSerializer,
        responses=WebhookEndpointSerializer,
        summary="Change an endpoint, or switch it off or on",
    )
    def patch(self, request: Request, shop_id: int, endpoint_id: int) -> Response:
        endpoint = _endpoint(request, shop_id, endpoint_id)
        serializer = WebhookEndpointUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_update(
            endpoint=endpoint, actor=_user(request), data=serializer.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted")}, summary="Delete")
    def delete(self, request: Request, shop_id: int, endpoint_id: int) -> Response:
        endpoint = _endpoint(request, shop_id, endpoint_id)
        services.webhook_endpoint_delete(endpoint=endpoint, actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryPagination(CursorPagination):
    ordering = ("-created", "-id")
    page_size = 20


class WebhookDeliveryListView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        responses=WebhookDeliverySerializer(many=True),
        summary="An endpoint's delivery log, newest first (cursor-paginated)",
    )
    def get(self, request: Request, shop_id: int, endpoint_id: int) -> Response:
        endpoint = _endpoint(request, shop_id, endpoint_id)
        paginator = DeliveryPagination()
        page = paginator.paginate_queryset(
            deliveries_list_for_endpoint(endpoint=endpoint), request, view=self
        )
        return paginator.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)


class WebhookRedeliverView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer},
        summary="Send a delivery again, with the same webhook-id",
    )
    def post(self, request: Request, shop_id: int, endpoint_id: int, delivery_id: int) -> Response:
        endpoint = _endpoint(request, shop_id, endpoint_id)
        delivery = delivery_get_for_endpoint(endpoint=endpoint, delivery_id=delivery_id)
        delivery = services.webhook_redeliver(delivery=delivery, actor=_user(request))
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)


class WebhookTestView(APIView):
    permission_classes = PERMISSIONS

    @extend_schema(
        request=None,
        responses={202: WebhookDeliverySerializer},
        summary="Send a `webhook.test` event to the endpoint",
    )
    def post(self, request: Request, shop_id: int, endpoint_id: int) -> Response:
        endpoint = _endpoint(request, shop_id, endpoint_id)
        delivery = services.webhook_test_send(endpoint=endpoint, actor=_user(request))
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
