"""Wishlist API: the signed-in user's saved products, with price drops and restocks."""

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from catalog.models import WishlistItem
from catalog.selectors import WishlistEntry, wishlist_entries, wishlist_list_for_user
from catalog.services.wishlists import wishlist_add, wishlist_remove
from marketmate.money import AmountField


class WishlistItemSerializer(serializers.Serializer[Any]):
    product_id = serializers.IntegerField(source="product.pk")
    title = serializers.CharField(source="product.title")
    url = serializers.SerializerMethodField(help_text="The product's page.")
    shop_name = serializers.CharField(source="product.shop.name")
    currency = serializers.CharField(source="product.currency")
    price = AmountField(help_text="The lowest price of the product now.")
    price_when_saved = AmountField(source="item.price_when_saved")
    price_dropped = serializers.BooleanField(help_text="It costs less now than when saved.")
    in_stock = serializers.BooleanField()
    back_in_stock = serializers.BooleanField(
        help_text="It was sold out (when saved, or since) and can be bought again."
    )
    saved = serializers.DateTimeField(source="item.created")

    def get_url(self, entry: WishlistEntry) -> str:
        return reverse("storefront:product", args=[entry.product.pk, entry.product.slug])


class WishlistAddSerializer(serializers.Serializer[Any]):
    product_id = serializers.IntegerField(min_value=1)


def _entry(user: User, product_id: int) -> WishlistEntry:
    [entry] = wishlist_entries(wishlist_list_for_user(user=user).filter(product_id=product_id))
    return entry


class WishlistView(ListAPIView[WishlistItem]):
    """The user's saved products, newest first; saving one."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = WishlistItemSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[WishlistItem]:
        return wishlist_list_for_user(user=self.request.user)

    @extend_schema(summary="Your wishlist, with price drops and restocks")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None
        data = WishlistItemSerializer(wishlist_entries(page), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        request=WishlistAddSerializer,
        responses={
            201: OpenApiResponse(WishlistItemSerializer, description="Saved."),
            200: OpenApiResponse(WishlistItemSerializer, description="It was already saved."),
        },
        summary="Save a product to your wishlist",
    )
    def post(self, request: Request) -> Response:
        serializer = WishlistAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = cast(User, request.user)
        item, created = wishlist_add(user=user, product_id=serializer.validated_data["product_id"])
        return Response(
            WishlistItemSerializer(_entry(user, item.product_id)).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class WishlistItemView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses={204: None}, summary="Take a product off your wishlist")
    def delete(self, request: Request, product_id: int) -> Response:
        wishlist_remove(user=cast(User, request.user), product_id=product_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
