"""Reads of the catalog for other apps and for the pages and API."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from catalog import search
from catalog.exceptions import NotPurchasableError, ProductNotFoundError, ReviewNotFoundError
from catalog.models import (
    Attribute,
    Category,
    Product,
    ProductImage,
    ProductVariant,
    Review,
    StockMovement,
    WishlistItem,
)
from marketmate.registry import Registry
from shops.exceptions import ShopNotFoundError
from shops.models import Shop
from shops.roles import ROLES_CATALOG
from shops.selectors import membership_get, shop_member_get


def variant_queryset_purchasable() -> QuerySet[ProductVariant]:
    """Variants a shopper may buy: of active products in active shops."""
    return ProductVariant.objects.select_related("product", "shop").filter(
        product__status=Product.Status.ACTIVE, shop__status=Shop.Status.ACTIVE
    )


def variant_get_purchasable(*, variant_id: int) -> ProductVariant:
    """The variant if a shopper may buy it now; NotPurchasableError otherwise."""
    variant = variant_queryset_purchasable().filter(pk=variant_id).first()
    if variant is None:
        raise NotPurchasableError(
            _("This item is not available."), fields={"variant_id": [_("Not available.")]}
        )
    return variant


def variant_sku(*, variant_id: int) -> str:
    """The SKU of variant `variant_id`, or "" when it is gone."""
    variant = ProductVariant.objects.filter(pk=variant_id).only("sku").first()
    return variant.sku if variant is not None else ""


def variants_by_id(*, variant_ids: Iterable[int]) -> dict[int, ProductVariant]:
    """Variants with their product, shop and the product's images (for the cart's
    thumbnails), by id, whatever their status (for carts)."""
    variants = (
        ProductVariant.objects.select_related("product", "shop")
        .prefetch_related("product__images")
        .filter(pk__in=set(variant_ids))
    )
    return {variant.pk: variant for variant in variants}


def product_shops_and_currencies(*, product_ids: Iterable[int]) -> dict[int, tuple[int, str]]:
    """`{product_id: (shop_id, currency)}` of the products that still exist (for analytics)."""
    rows = Product.objects.filter(pk__in=set(product_ids)).values_list("pk", "shop_id", "currency")
    return {pk: (shop_id, currency) for pk, shop_id, currency in rows}


# --- Products ------------------------------------------------------------------------------------

ProductOrderedCheck = Callable[[Product], bool]

# Other apps that keep orders tell the catalog whether a product has been ordered (then it is
# archived, never deleted). Until they register, stock taken by orders is the evidence.
_product_ordered_checks: Registry[ProductOrderedCheck] = Registry()
# Register `check(product) -> bool` (from an AppConfig.ready()).
product_ordered_check_register = _product_ordered_checks.register


class ProductReceivedCheck(Protocol):
    def __call__(self, *, buyer: User | AnonymousUser, product_id: int) -> bool: ...


# The app that keeps orders tells the catalog who received a product (a verified purchase, the
# condition for reviewing it). Until it registers, nobody has.
_product_received_checks: Registry[ProductReceivedCheck] = Registry()
# Register `check(buyer=..., product_id=...) -> bool` (from an AppConfig.ready()).
product_received_check_register = _product_received_checks.register


def product_received_by(*, buyer: User | AnonymousUser, product_id: int) -> bool:
    """Whether `buyer` received the product in a completed order (asks the registered checks)."""
    return any(check(buyer=buyer, product_id=product_id) for check in _product_received_checks)


def product_has_orders(*, product: Product) -> bool:
    """True when any order ever took the product: it must then be archived, not deleted."""
    if StockMovement.objects.filter(
        variant__product=product, reason=StockMovement.Reason.ORDER
    ).exists():
        return True
    return any(check(product) for check in _product_ordered_checks)


def variant_has_orders(*, variant: ProductVariant) -> bool:
    return StockMovement.objects.filter(variant=variant, reason=StockMovement.Reason.ORDER).exists()


def product_queryset_with_details(queryset: QuerySet[Product]) -> QuerySet[Product]:
    """Products with everything a product response shows, in a fixed number of queries."""
    return queryset.select_related("shop").prefetch_related(
        Prefetch("variants", queryset=ProductVariant.objects.order_by("position", "id")),
        Prefetch("images", queryset=ProductImage.objects.order_by("position", "id")),
        "tags",
        Prefetch("categories", queryset=Category.objects.only("id", "name", "slug", "path")),
    )


def product_get_with_details(*, product_id: int) -> Product | None:
    """Product `product_id` with everything a product response shows, whatever its status, or
    None: for jobs and webhooks, never for a lookup a user asked for."""
    return product_queryset_with_details(Product.objects.filter(pk=product_id)).first()


def product_queryset_public() -> QuerySet[Product]:
    """The one place that decides what shoppers see: active products of active shops."""
    return Product.objects.filter(status=Product.Status.ACTIVE, shop__status=Shop.Status.ACTIVE)


def category_queryset_paths() -> QuerySet[Category]:
    """Categories with only what a subtree test needs (id and path), e.g. for a prefetch."""
    return Category.objects.only("id", "path")


def category_get_by_slug(*, slug: str) -> Category | None:
    """The category with this slug (a search filter's or chip's), or None."""
    return Category.objects.filter(slug=slug).first() if slug else None


def category_ids_with_descendants(*, category: Category) -> list[int]:
    """The ids of `category` and every category below it (treebeard path prefix)."""
    return list(
        Category.objects.filter(path__startswith=category.path).values_list("pk", flat=True)
    )


def product_category_ids(*, product_ids: Iterable[int]) -> dict[int, frozenset[int]]:
    """The categories of each product."""
    links = Product.categories.through.objects.filter(product_id__in=set(product_ids)).values_list(
        "product_id", "category_id"
    )
    categories: dict[int, set[int]] = defaultdict(set)
    for product_id, category_id in links:
        categories[product_id].add(category_id)
    return {product_id: frozenset(ids) for product_id, ids in categories.items()}


def products_in_stock(products: QuerySet[Product], *, in_stock: bool = True) -> QuerySet[Product]:
    """`products` that can be bought now (a variant in stock, or stock not tracked), or with
    `in_stock` False those that cannot."""
    stocked = Q(track_inventory=False) | Exists(
        ProductVariant.objects.filter(product=OuterRef("pk"), inventory_count__gt=0)
    )
    return products.filter(stocked if in_stock else ~stocked)


def product_list_public(
    *,
    text: str = "",
    options: dict[str, list[str]] | None = None,
    category: Category | None = None,
    shop_id: int | None = None,
    shop_slug: str | None = None,
    tag: str | None = None,
    price_from: Decimal | None = None,
    price_under: Decimal | None = None,
    price_condition: Q | None = None,
    in_stock: bool | None = None,
) -> QuerySet[Product]:
    """The storefront search, for the search page and the product list API alike: public
    products passing the filters, with a variant matching `options` and, when `text` (already
    cleaned) is given, matching it and annotated for `search.products_order`. Unordered: pages
    and the API order, narrow and paginate.

    A price range includes its lower bound and excludes its upper one (`price_from <= price <
    price_under`), like the search page's price bands ("Under $25.00", "$25.00 to $50.00"): a
    product at exactly 25 is in the second band only, and a band's `min`/`max` given as the
    API's `min_price`/`max_price` list exactly the products the band counts. `price_condition`
    is a band already turned into a condition (`search.price_band_condition`, which compares
    prices in a display currency when the shopper chose one), under the same rule."""
    products = product_queryset_public()
    if category is not None:
        subtree = category_ids_with_descendants(category=category)
        if connection.vendor == "postgresql":
            # On the row (its facet keys): a search checks the few thousand rows its text
            # matches, where a join read the links of a department's 50,000 products.
            products = products.filter(facet_categories__has_any_keys=[str(id_) for id_ in subtree])
        else:
            links = Product.categories.through.objects.filter(category_id__in=subtree)
            products = products.filter(pk__in=links.values("product_id"))
    if shop_id is not None:
        products = products.filter(shop_id=shop_id)
    if shop_slug:
        products = products.filter(shop__slug=shop_slug)
    if tag:
        # A subquery, not a join: a join on tags would also narrow the tag facets counted on
        # the same queryset to this one tag.
        products = products.filter(pk__in=Product.objects.filter(tags__slug=tag).values("pk"))
    if price_from is not None:
        products = products.filter(price__gte=price_from)
    if price_under is not None:
        products = products.filter(price__lt=price_under)
    if price_condition is not None:
        products = products.filter(price_condition)
    if in_stock is not None:
        products = products_in_stock(products, in_stock=in_stock)
    products = search.products_with_options(products, options=options or {})
    if text:
        products = search.products_search(products=products, text=text)
    return products


def product_get_visible(*, product_id: int, user: User | AnonymousUser) -> Product:
    """A product a shopper may see, or any product of a shop the user works for; else 404."""
    product = product_queryset_with_details(Product.objects.filter(pk=product_id)).first()
    if product is None:
        raise ProductNotFoundError(_("Product not found."))
    is_public = product.status == Product.Status.ACTIVE and product.shop.is_active
    if not is_public and membership_get(user=user, shop=product.shop) is None:
        raise ProductNotFoundError(_("Product not found."))
    return product


def product_get_for_member(
    *, user: User | AnonymousUser, product_id: int, roles: Iterable[str] = ROLES_CATALOG
) -> Product:
    """A product of a shop `user` works for with one of `roles`: 404 for everyone else."""
    product = product_queryset_with_details(Product.objects.filter(pk=product_id)).first()
    if product is None:
        raise ProductNotFoundError(_("Product not found."))
    try:
        shop_member_get(user=user, shop_id=product.shop_id, roles=roles)
    except ShopNotFoundError as exc:
        raise ProductNotFoundError(_("Product not found.")) from exc
    return product


def variant_get_for_member(
    *,
    user: User | AnonymousUser,
    variant_id: int,
    product_id: int | None = None,
    roles: Iterable[str] = ROLES_CATALOG,
) -> ProductVariant:
    """A variant of a shop `user` works for (and of `product_id` when given): 404 otherwise."""
    variants = ProductVariant.objects.select_related("product", "shop").filter(pk=variant_id)
    if product_id is not None:
        variants = variants.filter(product_id=product_id)
    variant = variants.first()
    if variant is None:
        raise ProductNotFoundError(_("Variant not found."))
    try:
        shop_member_get(user=user, shop_id=variant.shop_id, roles=roles)
    except ShopNotFoundError as exc:
        raise ProductNotFoundError(_("Variant not found.")) from exc
    return variant


def products_list_for_shop(*, shop: Shop, search: str = "", status: str = "") -> QuerySet[Product]:
    """A shop's own products (all statuses) for its dashboard, newest first; wrap it in
    `product_queryset_with_details` to show them."""
    products = Product.objects.filter(shop=shop)
    if search:
        products = products.filter(
            Q(title__icontains=search) | Q(variants__sku__icontains=search)
        ).distinct()
    if status:
        products = products.filter(status=status)
    return products.order_by("-created", "-id")


def variants_list_for_shop(*, shop: Shop, low_stock_only: bool = False) -> QuerySet[ProductVariant]:
    """A shop's variants for the inventory page, lowest stock first."""
    variants = ProductVariant.objects.filter(shop=shop).select_related("product")
    if low_stock_only:
        variants = variants.filter(
            product__track_inventory=True,
            inventory_count__lte=settings.CATALOG_LOW_STOCK_THRESHOLD,
        )
    return variants.order_by("inventory_count", "product__title", "position", "id")


def shop_catalog_summary(*, shop: Shop) -> dict[str, int]:
    """The counts the dashboard overview shows."""
    counts = Product.objects.filter(shop=shop).aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(status=Product.Status.ACTIVE)),
        draft=Count("pk", filter=Q(status=Product.Status.DRAFT)),
        archived=Count("pk", filter=Q(status=Product.Status.ARCHIVED)),
    )
    counts["low_stock"] = variants_list_for_shop(shop=shop, low_stock_only=True).count()
    return counts


def attributes_list() -> QuerySet[Attribute]:
    """The option kinds staff offer for variants (size, colour...), by name."""
    return Attribute.objects.order_by("name")


def image_urls(*, image: ProductImage) -> dict[str, object]:
    """The public URLs of an image's original and thumbnails (from the default storage)."""
    thumbnails = {
        size: {kind: default_storage.url(name) for kind, name in files.items()}
        for size, files in (image.thumbnails or {}).items()
    }
    return {"original": default_storage.url(image.original.name), "thumbnails": thumbnails}


# --- Prices and stock as shoppers see them --------------------------------------------------------


def product_lowest_price(*, product: Product, variants: Iterable[ProductVariant]) -> Decimal:
    """The least a shopper pays for one of the product (its cheapest variant)."""
    prices = [variant.unit_price for variant in variants]
    return min(prices) if prices else product.price


def product_in_stock(*, product: Product, variants: Iterable[ProductVariant]) -> bool:
    return not product.track_inventory or any(variant.inventory_count > 0 for variant in variants)


# --- Reviews --------------------------------------------------------------------------------------


def review_list_visible(*, product_id: int) -> QuerySet[Review]:
    """A product's reviews that staff have not hidden, newest first, with their authors."""
    return (
        Review.objects.filter(product_id=product_id, is_hidden=False)
        .select_related("buyer")
        .order_by("-created", "-id")
    )


def review_get(*, review_id: int) -> Review | None:
    """Review `review_id` with its product and shop, whatever its state, or None: for jobs and
    subscribers, never for a lookup a user asked for."""
    return Review.objects.select_related("product__shop").filter(pk=review_id).first()


def review_get_for_buyer(*, buyer: User | AnonymousUser, product_id: int) -> Review | None:
    """The user's own review of the product (hidden or not), or None."""
    if not buyer.is_authenticated:
        return None
    return Review.objects.filter(product_id=product_id, buyer_id=buyer.pk).first()


def review_get_for_member(
    *, user: User | AnonymousUser, review_id: int, roles: Iterable[str] = ROLES_CATALOG
) -> Review:
    """A review of a product of a shop `user` works for: 404 for everyone else."""
    review = Review.objects.select_related("product__shop", "buyer").filter(pk=review_id).first()
    if review is None:
        raise ReviewNotFoundError(_("Review not found."))
    try:
        shop_member_get(user=user, shop_id=review.product.shop_id, roles=roles)
    except ShopNotFoundError as exc:
        raise ReviewNotFoundError(_("Review not found.")) from exc
    return review


def review_list_for_shop(*, shop: Shop, awaiting_reply: bool = False) -> QuerySet[Review]:
    """Reviews of the shop's products (hidden ones too, marked), newest first, for its dashboard."""
    reviews = Review.objects.filter(product__shop=shop)
    if awaiting_reply:
        reviews = reviews.filter(replied_at__isnull=True, is_hidden=False)
    return reviews.select_related("product", "buyer", "replied_by").order_by("-created", "-id")


def review_author_name(review: Review) -> str:
    """How a review's author is shown in public: their first name, never their e-mail."""
    name = (review.buyer.name or "").split()
    return name[0] if name else _("Verified buyer")


# --- Wishlists ------------------------------------------------------------------------------------


@dataclass
class WishlistEntry:
    """A saved product with its price and stock now, next to what it was when saved."""

    item: WishlistItem
    product: Product
    price: Decimal
    in_stock: bool

    @property
    def price_dropped(self) -> bool:
        return self.price < self.item.price_when_saved

    @property
    def back_in_stock(self) -> bool:
        announced = self.item.restock_alerted_movement is not None
        return self.in_stock and (announced or not self.item.had_stock_when_saved)


def wishlist_list_for_user(*, user: User | AnonymousUser) -> QuerySet[WishlistItem]:
    """The user's saved products that shoppers can see now, newest first."""
    if not user.is_authenticated:
        return WishlistItem.objects.none()
    return (
        WishlistItem.objects.filter(
            user_id=user.pk, product__in=product_queryset_public().values("pk")
        )
        .select_related("product__shop")
        .prefetch_related(
            Prefetch(
                "product__variants", queryset=ProductVariant.objects.order_by("position", "id")
            ),
            Prefetch("product__images", queryset=ProductImage.objects.order_by("position", "id")),
        )
        .order_by("-created", "-id")
    )


def wishlist_entries(items: Iterable[WishlistItem]) -> list[WishlistEntry]:
    """Entries for items from `wishlist_list_for_user` (their variants already fetched)."""
    entries = []
    for item in items:
        variants = list(item.product.variants.all())
        entries.append(
            WishlistEntry(
                item=item,
                product=item.product,
                price=product_lowest_price(product=item.product, variants=variants),
                in_stock=product_in_stock(product=item.product, variants=variants),
            )
        )
    return entries


def wishlist_has_product(*, user: User | AnonymousUser, product_id: int) -> bool:
    if not user.is_authenticated:
        return False
    return WishlistItem.objects.filter(user_id=user.pk, product_id=product_id).exists()
