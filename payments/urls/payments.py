from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("checkout/<uuid:reference>/", views.PaymentCheckoutView.as_view(), name="checkout"),
    path("<int:pk>/", views.PaymentDetailView.as_view(), name="detail"),
    path("<int:pk>/return/", views.PaymentReturnView.as_view(), name="return"),
    path("invoices/<str:number>.pdf", views.InvoiceDownloadView.as_view(), name="invoice_download"),
]
