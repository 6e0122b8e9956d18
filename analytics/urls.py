"""The vendor's analytics page, in the dashboard's namespace (`dashboard:analytics`):
`marketmate/urls.py` adds these patterns to the shops app's dashboard under `/dashboard/`."""

from django.urls import path

from analytics import views

dashboard_urlpatterns = [
    path("analytics/", views.ShopAnalyticsView.as_view(), name="analytics"),
]
