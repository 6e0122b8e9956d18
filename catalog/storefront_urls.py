from django.urls import path

from catalog import storefront_views as views

app_name = "storefront"

urlpatterns = [
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("s/<slug:slug>/", views.shop_detail, name="shop"),
    path("p/<int:pk>/<slug:slug>/", views.product_detail, name="product"),
    path("search/", views.search_page, name="search"),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots"),
]
