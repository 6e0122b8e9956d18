from django.urls import path

from orders.views import dashboard

urlpatterns = [
    path("", dashboard.DashboardOrderListView.as_view(), name="list"),
    path("coupons/", dashboard.DashboardCouponListView.as_view(), name="coupons"),
    path("coupons/create/", dashboard.DashboardCouponEditView.as_view(), name="coupon_create"),
    path(
        "coupons/<int:pk>/update/",
        dashboard.DashboardCouponEditView.as_view(),
        name="coupon_update",
    ),
    path("shipping/", dashboard.DashboardShippingListView.as_view(), name="shipping"),
    path("shipping/create/", dashboard.DashboardShippingEditView.as_view(), name="shipping_create"),
    path(
        "shipping/<int:pk>/update/",
        dashboard.DashboardShippingEditView.as_view(),
        name="shipping_update",
    ),
    path("<str:number>/", dashboard.DashboardOrderDetailView.as_view(), name="detail"),
    path("<str:number>/ship/", dashboard.DashboardOrderShipView.as_view(), name="ship"),
    path("<str:number>/complete/", dashboard.DashboardOrderCompleteView.as_view(), name="complete"),
    path("<str:number>/cancel/", dashboard.DashboardOrderCancelView.as_view(), name="cancel"),
]
