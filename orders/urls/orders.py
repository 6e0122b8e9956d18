from django.urls import path

from orders.views import orders

app_name = "orders"

urlpatterns = [
    path("", orders.OrderListView.as_view(), name="list"),
    path("placed/<uuid:reference>/", orders.OrderConfirmationView.as_view(), name="confirmation"),
    path("<str:number>/", orders.OrderDetailView.as_view(), name="detail"),
    path("<str:number>/cancel/", orders.OrderCancelView.as_view(), name="cancel"),
]
