"""Reviews API: a product's visible reviews (public), writing one (verified buyers), and the
shop's reply (its members). Everything answers 404 while the `reviews` flag is off."""

from typing import Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from catalog.exceptions import ProductNotFoundError
from catalog.models import Product, Review
from catalog.selectors import (
    product_queryset_public,
    review_author_name,
    review_get_for_member,
    review_list_visible,
)
from catalog.services.reviews import review_create, review_reply
from marketmate.errors import NotFoundError
from marketmate.flags import Flag, flag_is_on
from marketmate.pagination import CursorPagination


class ReviewReplySerializer(serializers.Serializer[Any]):
    body = serializers.CharField()
    replied_at = serializers.DateTimeField()


class ReviewSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField(read_only=True)
    product_id = serializers.IntegerField(read_only=True)
    rating = serializers.IntegerField(read_only=True, min_value=1, max_value=5)
    title = serializers.CharField(read_only=True)
    body = serializers.CharField(read_only=True)
    author_name = serializers.SerializerMethodField(
        help_text="The buyer's first name, or 'Verified buyer'."
    )
    created = serializers.DateTimeField(read_only=True)
    updated = serializers.DateTimeField(read_only=True)
    reply = serializers.SerializerMethodField(help_text="The shop's answer, if it gave one.")

    def get_author_name(self, review: Review) -> str:
        return review_author_name(review)

    @extend_schema_field(ReviewReplySerializer(allow_null=True))
    def get_reply(self, review: Review) -> dict[str, Any] | None:
        if review.replied_at is None:
            return None
        return {"body": review.reply_body, "replied_at": review.replied_at.isoformat()}


class ReviewCreateSerializer(serializers.Serializer[Any]):
    rating = serializers.IntegerField(min_value=1, max_value=5)
    title = serializers.CharField(
        max_length=Review.TITLE_MAX_LENGTH, required=False, allow_blank=True, default=""
    )
    body = serializers.CharField(
        max_length=Review.BODY_MAX_LENGTH, required=False, allow_blank=True, default=""
    )


class ReviewReplyCreateSerializer(serializers.Serializer[Any]):
    body = serializers.CharField(max_length=Review.REPLY_MAX_LENGTH)


class ReviewsFlagRequiredMixin:
    """Answers 404 `not_found` while the `reviews` flag is off for the caller."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not flag_is_on(request, Flag.REVIEWS):
            raise NotFoundError(_("This endpoint is not available."))


class ReviewCursorPagination(CursorPagination):
    page_size = 20

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        return ("-created", "-id")


def _public_product(product_id: int) -> Product:
    product = product_queryset_public().filter(pk=product_id).first()
    if product is None:
        raise ProductNotFoundError(_("Product not found."))
    return product


class ProductReviewsView(ReviewsFlagRequiredMixin, ListAPIView[Review]):
    """A product's reviews, newest first; verified buyers add theirs."""

    permission_classes = [permissions.IsAuthenticatedOrReadOnly]
    serializer_class = ReviewSerializer
    pagination_class = ReviewCursorPagination
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Review]:
        product = _public_product(self.kwargs["product_id"])
        return review_list_visible(product_id=product.pk)

    @extend_schema(summary="A product's reviews (hidden ones left out)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ReviewCreateSerializer,
        responses={201: ReviewSerializer},
        summary="Review a product received in a completed order (once)",
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = _public_product(product_id)
        serializer = ReviewCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_create(
            buyer=cast(User, request.user), product=product, **serializer.validated_data
        )
        review = Review.objects.select_related("buyer").get(pk=review.pk)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewReplyView(ReviewsFlagRequiredMixin, APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=ReviewReplyCreateSerializer,
        responses={200: ReviewSerializer},
        summary="The shop's one public reply to a review of its product (shop members)",
    )
    def post(self, request: Request, review_id: int) -> Response:
        review = review_get_for_member(user=request.user, review_id=review_id)
        serializer = ReviewReplyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_reply(
            review=review, actor=cast(User, request.user), body=serializer.validated_data["body"]
        )
        return Response(ReviewSerializer(review).data)
