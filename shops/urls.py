"""The vendor dashboard (`/dashboard/`, namespace `dashboard`): shop pages and catalog pages."""

from django.urls import path

from catalog.views import dashboard as catalog_views
from orders.views import analytics as analytics_views
from shops import views

app_name = "dashboard"

urlpatterns = [
    path("", views.DashboardOverviewView.as_view(), name="overview"),
    path("shops/create/", views.ShopCreateView.as_view(), name="shop_create"),
    path("shops/switch/", views.ShopSwitchView.as_view(), name="shop_switch"),
    path("settings/", views.ShopUpdateView.as_view(), name="shop_update"),
    path("members/", views.ShopMemberListView.as_view(), name="member_list"),
    path(
        "members/<int:pk>/update/",
        views.ShopMemberActionView.as_view(action="update"),
        name="member_update",
    ),
    path(
        "members/<int:pk>/delete/",
        views.ShopMemberActionView.as_view(action="delete"),
        name="member_delete",
    ),
    path(
        "invitations/<str:token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
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
    path("analytics/", analytics_views.ShopAnalyticsView.as_view(), name="analytics"),
    path(
        "inventory/<int:pk>/adjust/",
        catalog_views.InventoryAdjustView.as_view(),
        name="inventory_adjust",
    ),
]
