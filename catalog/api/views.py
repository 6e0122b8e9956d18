"""The catalog API: public product reads, and shop members' writes (each through a service)."""

from typing import Any, cast

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import User
from catalog import search
from catalog.api.serializers import (
    AttributeSerializer,
    CategorySerializer,
    ImageOrderSerializer,
    ImageSerializer,
    ImageUpdateSerializer,
    ImageUploadSerializer,
    InventoryAdjustmentResultSerializer,
    InventoryAdjustmentSerializer,
    ProductCreateSerializer,
    ProductSerializer,
    ProductUpdateSerializer,
    StockMovementSerializer,
    VariantInputSerializer,
    VariantSerializer,
    VariantUpdateSerializer,
)
from catalog.exceptions import ProductNotFoundError
from catalog.models import Category, Product, ProductImage, StockMovement
from catalog.selectors import (
    attributes_list,
    product_get_for_member,
    product_get_visible,
    product_list_public,
    product_queryset_with_details,
    products_list_for_shop,
    variant_get_for_member,
)
from catalog.services import images as image_services
from catalog.services import products as product_services
from catalog.services.stock import stock_adjust
from catalog.storefront_cache import cached
from marketmate.pagination import CursorPagination
from marketmate.parsers import MultiPartParser, query_values
from marketmate.throttling import UploadThrottle, scoped_throttles
from shops.permissions import HasShopRole
from shops.roles import ROLES_CATALOG
from shops.selectors import shop_get_for_member

# The only orderings the public list offers: `?sort=` picks one (cursor pagination needs a
# fixed, indexed ordering, so there is no free-form `?ordering=`).
PRODUCT_SORTS: dict[str, tuple[str, ...]] = {
    "newest": ("-created", "-id"),
    "price_asc": ("price", "id"),
    "price_desc": ("-price", "-id"),
    "title": ("title", "id"),
    "rating": ("-rating_average", "-rating_count", "-id"),
}


def _user(request: Request) -> User:
    return cast(User, request.user)


class ProductQuerySerializer(serializers.Serializer[Any]):
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(),
        required=False,
        help_text="A category id; products in its subcategories are included.",
    )
    shop = serializers.IntegerField(required=False, min_value=1)
    tag = serializers.SlugField(required=False)
    min_price = serializers.DecimalField(
        max_digits=13,
        decimal_places=3,
        required=False,
        help_text="Products priced at least this much (the bound is included).",
    )
    max_price = serializers.DecimalField(
        max_digits=13,
        decimal_places=3,
        required=False,
        help_text=(
            "Products priced under this amount (the bound is excluded, like the price bands of "
            "the facets: `min_price=25&max_price=50` lists what the `25-50` band counts)."
        ),
    )
    in_stock = serializers.BooleanField(required=False, allow_null=True, default=None)
    sort = serializers.ChoiceField(
        choices=["relevance", *PRODUCT_SORTS],
        required=False,
        help_text="Relevance (the default with `q`; newest without) or another order.",
    )
    cursor = serializers.CharField(required=False)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)
    q = serializers.CharField(
        required=False,
        help_text="Words to search for (quotes, OR and -word work), 2 to 200 characters.",
    )
    option = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text=(
            "Variant options as name:value, repeatable (`option=size:M&option=colour:Red`): "
            "products with a variant that has every named option (any of a name's values)."
        ),
    )

    def validate_q(self, value: str) -> str:
        try:
            return search.query_clean(value)
        except search.SearchQueryInvalid as error:
            raise ValidationError(error.message) from error

    def validate_option(self, value: list[str]) -> dict[str, list[str]]:
        try:
            return search.option_filters_parse(value)
        except search.SearchQueryInvalid as error:
            raise ValidationError(error.message) from error


class ProductCursorPagination(CursorPagination):
    page_size = 20
    # The query searched instead of `q` when `q` found nothing (see ProductListView.list).
    corrected_q: str | None = None

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        response.data["corrected_q"] = self.corrected_q
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated: dict[str, Any] = super().get_paginated_response_schema(schema)
        paginated["properties"]["corrected_q"] = {
            "type": "string",
            "nullable": True,
            "description": (
                "When `q` matched nothing, the query searched instead: each unknown word "
                "replaced by the closest word of the catalog (`mugg` -> `mug`). Null otherwise."
            ),
        }
        paginated["required"] = [*paginated.get("required", []), "corrected_q"]
        return paginated

    def get_ordering(self, request: Any, queryset: Any, view: Any) -> tuple[str, ...]:
        sort = getattr(view, "sort", "newest")
        if sort == "relevance":
            # A keyset on the relevance and the id: every match once, in order, page after page.
            return search.relevance_ordering(queryset)
        return PRODUCT_SORTS[sort]


class ProductListView(ListAPIView[Product]):
    """Active products of active shops, for everyone."""

    permission_classes = [permissions.AllowAny]
    serializer_class = ProductSerializer
    pagination_class = ProductCursorPagination
    filter_backends: list[Any] = []
    sort = "newest"
    # The corrected query searched on the retry (see `list`).
    retry_text = ""
    searching = False

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Like the search page: when `q` finds nothing, search again with each unknown word
        replaced by the catalog's closest one, and say so in `corrected_q`."""
        response = super().list(request, *args, **kwargs)
        text = request.query_params.get("q", "")
        if text and not response.data["results"]:
            retry = search.query_correct(search.query_clean(text))
            if retry:
                self.retry_text = retry
                paginator = cast(ProductCursorPagination, self.paginator)
                paginator.corrected_q = retry
                retried = super().list(request, *args, **kwargs)
                if retried.data["results"]:
                    return retried
                paginator.corrected_q = None
        return response

    def get_queryset(self) -> QuerySet[Product]:
        query = ProductQuerySerializer(
            data=query_values(self.request.query_params, ProductQuerySerializer)
        )
        query.is_valid(raise_exception=True)
        params = dict(query.validated_data)
        sort = params.pop("sort", None) or ("relevance" if params.get("q") else "newest")
        self.sort = sort if sort != "relevance" or params.get("q") else "newest"
        if (
            params.get("min_price") is not None
            and params.get("max_price") is not None
            and params["min_price"] > params["max_price"]
        ):
            raise ValidationError({"min_price": [_("Must not be more than max_price.")]})
        self.searching = bool(params.get("q"))
        text = self.retry_text or params.get("q") or ""
        products = product_list_public(
            text=text,
            options=params.get("option") or {},
            category=params.get("category"),
            shop_id=params.get("shop"),
            tag=params.get("tag"),
            price_from=params.get("min_price"),
            price_under=params.get("max_price"),
            in_stock=params.get("in_stock"),
        )
        return product_queryset_with_details(products)

    def filter_queryset(self, queryset: QuerySet[Product, Any]) -> QuerySet[Product, Any]:
        """The searched products to list in the order asked: a broad query's candidates by
        relevance, or the matches narrowed for another sort (`search.products_narrowed`). The
        facets (ProductFacetsView) count `get_queryset()` itself."""
        if not self.searching:
            return queryset
        if self.sort == "relevance":
            return search.products_relevant(queryset)
        return search.products_narrowed(queryset, search.match_ids(queryset, relevance=False))

    @extend_schema(parameters=[ProductQuerySerializer], summary="Browse products")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if request.user.is_authenticated:
            return super().get(request, *args, **kwargs)
        # Anonymous lists are the same for everyone: cached until the catalog changes.
        data = cached(
            "api-products",
            scopes=["global"],
            parts=[request.build_absolute_uri("/"), sorted(request.query_params.lists())],
            compute=lambda: super(ProductListView, self).get(request, *args, **kwargs).data,
        )
        return Response(data)


class ShopProductsView(ListAPIView[Product]):
    """A shop's own products (drafts too), for its members; and creating one."""

    permission_classes = [permissions.IsAuthenticated, HasShopRole.with_roles(ROLES_CATALOG)]
    serializer_class = ProductSerializer
    filter_backends: list[Any] = []

    def get_queryset(self) -> QuerySet[Product]:
        shop = shop_get_for_member(
            user=self.request.user, shop_id=self.kwargs["shop_id"], roles=ROLES_CATALOG
        )
        return product_queryset_with_details(products_list_for_shop(shop=shop))

    @extend_schema(summary="A shop's products, drafts included (members)")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=ProductCreateSerializer,
        responses={201: ProductSerializer},
        summary="Create a product with its default variant, or with the given variants",
    )
    def post(self, request: Request, shop_id: int) -> Response:
        shop = shop_get_for_member(user=request.user, shop_id=shop_id, roles=ROLES_CATALOG)
        serializer = ProductCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        product = product_services.product_create(shop=shop, actor=_user(request), **data)
        product = product_queryset_with_details(Product.objects.filter(pk=product.pk)).get()
        return Response(
            ProductSerializer(product, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ProductDetailView(APIView):
    @extend_schema(responses=ProductSerializer, summary="A product (drafts: members only)")
    def get(self, request: Request, product_id: int) -> Response:
        product = product_get_visible(product_id=product_id, user=request.user)
        return Response(ProductSerializer(product, context={"request": request}).data)

    @extend_schema(
        request=ProductUpdateSerializer, responses=ProductSerializer, summary="Change a product"
    )
    def patch(self, request: Request, product_id: int) -> Response:
        product = product_get_for_member(user=request.user, product_id=product_id)
        serializer = ProductUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        product_services.product_update(
            product=product, actor=_user(request), data=serializer.validated_data
        )
        product = product_queryset_with_details(Product.objects.filter(pk=product.pk)).get()
        return Response(ProductSerializer(product, context={"request": request}).data)

    @extend_schema(
        responses={
            204: OpenApiResponse(description="Deleted."),
            200: OpenApiResponse(ProductSerializer, description="It had orders: archived."),
        },
        summary="Delete a product, or archive it when it has orders",
    )
    def delete(self, request: Request, product_id: int) -> Response:
        product = product_get_for_member(user=request.user, product_id=product_id)
        deleted = product_services.product_delete(product=product, actor=_user(request))
        if deleted:
            return Response(status=status.HTTP_204_NO_CONTENT)
        product = product_queryset_with_details(Product.objects.filter(pk=product.pk)).get()
        return Response(ProductSerializer(product, context={"request": request}).data)


class ProductImagesView(APIView):
    parser_classes = [MultiPartParser]
    throttle_classes = scoped_throttles(UploadThrottle)

    @extend_schema(
        request={"multipart/form-data": ImageUploadSerializer},
        responses={201: ImageSerializer},
        summary="Upload a product image (thumbnails follow in a background job)",
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = product_get_for_member(user=request.user, product_id=product_id)
        serializer = ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = image_services.image_add(
            product=product,
            actor=_user(request),
            upload=serializer.validated_data["image"],
            alt_text=serializer.validated_data["alt_text"],
        )
        image.refresh_from_db()
        return Response(
            ImageSerializer(image, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class ProductImageOrderView(APIView):
    @extend_schema(
        request=ImageOrderSerializer,
        responses=ImageSerializer(many=True),
        summary="Put a product's images in a new order",
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = product_get_for_member(user=request.user, product_id=product_id)
        serializer = ImageOrderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image_services.images_reorder(
            product=product, actor=_user(request), image_ids=serializer.validated_data["image_ids"]
        )
        images = ProductImage.objects.filter(product=product).order_by("position", "id")
        return Response(ImageSerializer(images, many=True, context={"request": request}).data)


class ProductImageDetailView(APIView):
    def _image(self, request: Request, product_id: int, image_id: int) -> ProductImage:
        product = product_get_for_member(user=request.user, product_id=product_id)
        image = ProductImage.objects.filter(product=product, pk=image_id).first()
        if image is None:
            raise ProductNotFoundError(_("Image not found."))
        return image

    @extend_schema(
        request=ImageUpdateSerializer, responses=ImageSerializer, summary="Change alt text"
    )
    def patch(self, request: Request, product_id: int, image_id: int) -> Response:
        image = self._image(request, product_id, image_id)
        serializer = ImageUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        image = image_services.image_update(
            image=image, actor=_user(request), alt_text=serializer.validated_data["alt_text"]
        )
        return Response(ImageSerializer(image, context={"request": request}).data)

    @extend_schema(responses={204: None}, summary="Remove a product image")
    def delete(self, request: Request, product_id: int, image_id: int) -> Response:
        image = self._image(request, product_id, image_id)
        image_services.image_delete(image=image, actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductVariantsView(APIView):
    @extend_schema(responses=VariantSerializer(many=True), summary="A product's variants")
    def get(self, request: Request, product_id: int) -> Response:
        product = product_get_visible(product_id=product_id, user=request.user)
        return Response(VariantSerializer(product.variants.all(), many=True).data)

    @extend_schema(
        request=VariantInputSerializer, responses={201: VariantSerializer}, summary="Add a variant"
    )
    def post(self, request: Request, product_id: int) -> Response:
        product = product_get_for_member(user=request.user, product_id=product_id)
        serializer = VariantInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        variant = product_services.variant_create(
            product=product,
            actor=_user(request),
            spec=serializer.validated_data,
        )
        variant.refresh_from_db()
        return Response(VariantSerializer(variant).data, status=status.HTTP_201_CREATED)


class ProductVariantDetailView(APIView):
    @extend_schema(responses=VariantSerializer, summary="A variant")
    def get(self, request: Request, product_id: int, variant_id: int) -> Response:
        product = product_get_visible(product_id=product_id, user=request.user)
        variant = next((v for v in product.variants.all() if v.pk == variant_id), None)
        if variant is None:
            raise ProductNotFoundError(_("Variant not found."))
        return Response(VariantSerializer(variant).data)

    @extend_schema(
        request=VariantUpdateSerializer, responses=VariantSerializer, summary="Change a variant"
    )
    def patch(self, request: Request, product_id: int, variant_id: int) -> Response:
        variant = variant_get_for_member(
            user=request.user, variant_id=variant_id, product_id=product_id
        )
        serializer = VariantUpdateSerializer(
            data=request.data, partial=True, context={"variant_id": variant.pk}
        )
        serializer.is_valid(raise_exception=True)
        variant = product_services.variant_update(
            variant=variant, actor=_user(request), data=serializer.validated_data
        )
        return Response(VariantSerializer(variant).data)

    @extend_schema(responses={204: None}, summary="Delete a variant that was never ordered")
    def delete(self, request: Request, product_id: int, variant_id: int) -> Response:
        variant = variant_get_for_member(
            user=request.user, variant_id=variant_id, product_id=product_id
        )
        product_services.variant_delete(variant=variant, actor=_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class InventoryAdjustmentView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        request=InventoryAdjustmentSerializer,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description="Repeating a request with the same key changes stock only once.",
            )
        ],
        responses={201: InventoryAdjustmentResultSerializer},
        summary="Change a variant's stock, recording who and why",
    )
    def post(self, request: Request, variant_id: int) -> Response:
        variant = variant_get_for_member(user=request.user, variant_id=variant_id)
        serializer = InventoryAdjustmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()
        if len(key) > 64:
            raise ValidationError({"idempotency_key": [_("At most 64 characters.")]})
        variant = stock_adjust(
            variant=variant, actor=_user(request), idempotency_key=key, **serializer.validated_data
        )
        movements = StockMovement.objects.filter(variant=variant).select_related("actor")
        movement = (movements.filter(idempotency_key=key) if key else movements).first()
        return Response(
            {
                "variant": VariantSerializer(variant).data,
                "movement": StockMovementSerializer(movement).data,
            },
            status=status.HTTP_201_CREATED,
        )


class AttributeListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        responses=AttributeSerializer(many=True),
        summary="Option kinds for variants (use the slug as the option name)",
    )
    def get(self, request: Request) -> Response:
        return Response(AttributeSerializer(attributes_list(), many=True).data)


class CategoryListView(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(responses=CategorySerializer(many=True), summary="The category tree, flat")
    def get(self, request: Request) -> Response:
        categories = list(Category.objects.get_tree())
        ids_by_path = {category.path: category.pk for category in categories}
        return Response(
            CategorySerializer(categories, many=True, context={"ids_by_path": ids_by_path}).data
        )


class FacetItemSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    count = serializers.IntegerField()


class PriceBandSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    min = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    max = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    count = serializers.IntegerField()


class OptionValueSerializer(serializers.Serializer[Any]):
    value = serializers.CharField()
    count = serializers.IntegerField()


class OptionFacetSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(help_text="Filter with `option=<name>:<value>`.")
    values = OptionValueSerializer(many=True)


class FacetsSerializer(serializers.Serializer[Any]):
    categories = FacetItemSerializer(many=True)
    shops = FacetItemSerializer(many=True)
    tags = FacetItemSerializer(many=True)
    price_bands = PriceBandSerializer(many=True)
    in_stock = serializers.IntegerField()
    options = OptionFacetSerializer(many=True)


class ProductFacetsView(APIView):
    """Counts per category, shop, tag, price band and in stock of the products the same
    query and filters list (`GET /api/v1/products?...`)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[ProductQuerySerializer],
        responses=FacetsSerializer,
        summary="Facet counts of a product search",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        listing = ProductListView()
        listing.request = request

        def count() -> dict[str, Any]:
            facets = search.facets_count(products=listing.get_queryset())
            return dict(FacetsSerializer(facets.as_dict()).data)

        # Counts are the same for everyone who asks the same question.
        data = cached(
            "api-facets",
            scopes=["global"],
            parts=[sorted(request.query_params.lists())],
            compute=count,
        )
        return Response(data)


class SuggestQuerySerializer(serializers.Serializer[Any]):
    q = serializers.CharField(help_text="What the shopper has typed so far (2+ characters).")

    def validate_q(self, value: str) -> str:
        try:
            return search.query_clean(value)
        except search.SearchQueryInvalid as error:
            raise ValidationError(error.message) from error


class SuggestProductSerializer(serializers.Serializer[Any]):
    pk = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The product's page (a path).")

    def get_url(self, item: dict[str, Any]) -> str:
        return reverse("storefront:product", args=[item["pk"], item["slug"]])


class SuggestCategorySerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The category's page (a path).")

    def get_url(self, item: dict[str, Any]) -> str:
        return reverse("storefront:category", args=[item["slug"]])


class SuggestShopSerializer(serializers.Serializer[Any]):
    slug = serializers.CharField()
    name = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The shop's page (a path).")

    def get_url(self, item: dict[str, Any]) -> str:
        return reverse("storefront:shop", args=[item["slug"]])


class SuggestionsSerializer(serializers.Serializer[Any]):
    products = SuggestProductSerializer(many=True)
    categories = SuggestCategorySerializer(many=True)
    shops = SuggestShopSerializer(many=True)


class SearchSuggestView(APIView):
    """Autocomplete: products, categories and shops matching what the shopper typed."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        parameters=[SuggestQuerySerializer],
        responses=SuggestionsSerializer,
        summary="Search suggestions",
    )
    def get(self, request: Request) -> Response:
        query = SuggestQuerySerializer(
            data=query_values(request.query_params, SuggestQuerySerializer)
        )
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"]
        found = cached(
            "suggest",
            scopes=["global"],
            parts=[text.lower()],
            compute=lambda: dict(
                SuggestionsSerializer(
                    search.search_suggest(products=product_list_public(), text=text)
                ).data
            ),
        )
        return Response(found)
