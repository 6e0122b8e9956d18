from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("<str:kind>/<int:pk>/", views.ReportCreateView.as_view(), name="report"),
]
