from django.urls import path

from orders.views import cart

app_name = "cart"

urlpatterns = [
    path("", cart.CartDetailView.as_view(), name="detail"),
    path("mini/", cart.MiniCartView.as_view(), name="mini"),
    path("add/", cart.CartItemAddView.as_view(), name="add"),
    path("items/<int:item_id>/update/", cart.CartItemUpdateView.as_view(), name="item_update"),
    path("items/<int:item_id>/delete/", cart.CartItemDeleteView.as_view(), name="item_delete"),
    path("prices/accept/", cart.CartPricesAcknowledgeView.as_view(), name="prices_accept"),
]
