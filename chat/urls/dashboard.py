"""The vendor's inbox, mounted at `/dashboard/messages/`."""

from django.urls import path

from chat import views

app_name = "dashboard_messages"

urlpatterns = [
    path("", views.VendorInboxView.as_view(), name="list"),
    path("<int:pk>/", views.VendorConversationDetailView.as_view(), name="detail"),
    path(
        "orders/<str:number>/",
        views.VendorConversationStartView.as_view(),
        name="start_about_order",
    ),
]
