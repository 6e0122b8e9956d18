"""The vendor dashboard's catalog pages and its home (the overview), under `/dashboard/` in the
namespace `dashboard`, which `marketmate/urls.py` assembles with the shop's pages."""

from django.urls import path

from catalog.views import dashboard as catalog_views

urlpatterns = [
    path("", catalog_views.DashboardOverviewView.as_view(), name="overview"),
    path("products/", catalog_views.ProductListView.as_view(), name="product_list"),
    path("products/create/", catalog_views.ProductCreateView.as_view(), name="product_create"),
    path("products/export/", catalog_views.ProductExportView.as_view(), name="product_export"),
    path("products/import/", catalog_views.ProductImportView.as_view(), name="product_import"),
    path(
        "products/<int:pk>/update/",
        catalog_views.ProductUpdateView.as_view(),
        name="product_update",
    ),
    path(
        "products/<int:pk>/delete/",
        catalog_views.ProductDeleteView.as_view(),
        name="product_delete",
    ),
    path(
        "products/<int:pk>/images/",
        catalog_views.ProductImagesView.as_view(),
        name="product_images",
    ),
    path(
        "products/<int:pk>/images/order/",
        catalog_views.ProductImageOrderView.as_view(),
        name="product_image_order",
    ),
    path(
        "products/<int:pk>/images/<int:image_pk>/update/",
        catalog_views.ProductImageActionView.as_view(action="update"),
        name="product_image_update",
    ),
    path(
        "products/<int:pk>/images/<int:image_pk>/delete/",
        catalog_views.ProductImageActionView.as_view(action="delete"),
        name="product_image_delete",
    ),
    path("inventory/", catalog_views.InventoryListView.as_view(), name="inventory"),
    path(
        "inventory/<int:pk>/adjust/",
        catalog_views.InventoryAdjustView.as_view(),
        name="inventory_adjust",
    ),
]
