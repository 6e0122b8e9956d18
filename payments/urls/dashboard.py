"""The vendor dashboard's payouts pages, under /dashboard/payouts/ (namespace dashboard_payouts)."""

from django.urls import path

from payments import views

urlpatterns = [
    path("", views.BalanceDetailView.as_view(), name="balance"),
    path("ledger/", views.LedgerEntryListView.as_view(), name="ledger"),
    path(
        "statements/<int:year>-<int:month>.<str:fmt>",
        views.StatementView.as_view(),
        name="statement",
    ),
    path("connect/", views.ConnectAccountView.as_view(), name="connect"),
    path("refunds/<str:number>/", views.RefundCreateView.as_view(), name="refund"),
]
