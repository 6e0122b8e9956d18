from django.urls import path

from catalog.api import reviews, views, wishlists

urlpatterns = [
    path("attributes", views.AttributeListView.as_view(), name="attributes"),
    path("categories", views.CategoryListView.as_view(), name="categories"),
    path("products", views.ProductListView.as_view(), name="products"),
    path("products/facets", views.ProductFacetsView.as_view(), name="product-facets"),
    path("search/suggest", views.SearchSuggestView.as_view(), name="search-suggest"),
    path("shops/<int:shop_id>/products", views.ShopProductsView.as_view(), name="shop-products"),
    path("products/<int:product_id>", views.ProductDetailView.as_view(), name="product-detail"),
    path(
        "products/<int:product_id>/images",
        views.ProductImagesView.as_view(),
        name="product-images",
    ),
    path(
        "products/<int:product_id>/images/order",
        views.ProductImageOrderView.as_view(),
        name="product-images-order",
    ),
    path(
        "products/<int:product_id>/images/<int:image_id>",
        views.ProductImageDetailView.as_view(),
        name="product-image-detail",
    ),
    path(
        "products/<int:product_id>/variants",
        views.ProductVariantsView.as_view(),
        name="product-variants",
    ),
    path(
        "products/<int:product_id>/variants/<int:variant_id>",
        views.ProductVariantDetailView.as_view(),
        name="product-variant-detail",
    ),
    path(
        "products/<int:product_id>/reviews",
        reviews.ProductReviewsView.as_view(),
        name="product-reviews",
    ),
    path("reviews/<int:review_id>/reply", reviews.ReviewReplyView.as_view(), name="review-reply"),
    path("wishlist", wishlists.WishlistView.as_view(), name="wishlist"),
    path(
        "wishlist/<int:product_id>",
        wishlists.WishlistItemView.as_view(),
        name="wishlist-item",
    ),
    path(
        "variants/<int:variant_id>/inventory-adjustments",
        views.InventoryAdjustmentView.as_view(),
        name="inventory-adjustments",
    ),
]
