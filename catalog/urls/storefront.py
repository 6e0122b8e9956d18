from django.urls import path

from catalog.views import reviews as review_views
from catalog.views import storefront as views
from catalog.views import wishlists as wishlist_views

app_name = "storefront"

urlpatterns = [
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("s/<slug:slug>/", views.shop_detail, name="shop"),
    path("p/<int:pk>/<slug:slug>/", views.product_detail, name="product"),
    path(
        "p/<int:pk>/reviews/create/",
        review_views.ReviewCreateView.as_view(),
        name="review_create",
    ),
    path("wishlist/", wishlist_views.WishlistItemListView.as_view(), name="wishlist"),
    path(
        "wishlist/create/", wishlist_views.WishlistItemCreateView.as_view(), name="wishlist_create"
    ),
    path(
        "wishlist/<int:product_id>/delete/",
        wishlist_views.WishlistItemDeleteView.as_view(),
        name="wishlist_delete",
    ),
    path("search/", views.search_page, name="search"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
