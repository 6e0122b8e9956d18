from django.urls import path

from payments.api import views

urlpatterns = [
    path("payments", views.PaymentCreateAPIView.as_view(), name="payment-create"),
    path("payments/<int:pk>", views.PaymentDetailAPIView.as_view(), name="payment-detail"),
    path(
        "payments/<int:pk>/confirm", views.PaymentConfirmAPIView.as_view(), name="payment-confirm"
    ),
    path("webhooks/stripe", views.StripeWebhookAPIView.as_view(), name="webhook-stripe"),
    path("orders/<int:pk>/refunds", views.OrderRefundAPIView.as_view(), name="order-refunds"),
    path("orders/<int:pk>/invoice", views.OrderInvoiceAPIView.as_view(), name="order-invoice"),
    path("shops/<int:pk>/balance", views.ShopBalanceAPIView.as_view(), name="shop-balance"),
    path("shops/<int:pk>/ledger", views.ShopLedgerAPIView.as_view(), name="shop-ledger"),
    path("shops/<int:pk>/payouts", views.ShopPayoutsAPIView.as_view(), name="shop-payouts"),
]
