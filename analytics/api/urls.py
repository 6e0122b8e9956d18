from django.urls import path

from analytics.api import views

urlpatterns = [
    path("admin/reports", views.AdminSalesReportView.as_view(), name="admin-reports"),
]
