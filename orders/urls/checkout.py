from django.urls import path

from orders.views import checkout

app_name = "checkout"

urlpatterns = [
    path("", checkout.CheckoutAddressView.as_view(), name="address"),
    path("shipping/", checkout.CheckoutShippingView.as_view(), name="shipping"),
    path("review/", checkout.CheckoutReviewView.as_view(), name="review"),
    path("place/", checkout.CheckoutPlaceView.as_view(), name="place"),
]
