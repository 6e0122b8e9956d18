from django.urls import path

from orders.api import views

urlpatterns = [
    path("cart", views.CartView.as_view(), name="cart"),
    path("cart/items/<int:item_id>", views.CartItemView.as_view(), name="cart-item"),
    path("checkout", views.CheckoutView.as_view(), name="checkout"),
    path("orders", views.OrderListView.as_view(), name="order-list"),
    path("orders/<int:order_id>", views.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:order_id>/cancel", views.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<int:order_id>/ship", views.OrderShipView.as_view(), name="order-ship"),
    path(
        "orders/<int:order_id>/complete", views.OrderCompleteView.as_view(), name="order-complete"
    ),
]
