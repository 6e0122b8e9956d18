"""The shop's reviews in the vendor dashboard (`/dashboard/reviews/`, namespace
`dashboard_reviews`)."""

from django.urls import path

from catalog.views import reviews as review_views

urlpatterns = [
    path("", review_views.DashboardReviewListView.as_view(), name="list"),
    path("<int:pk>/reply/", review_views.DashboardReviewReplyView.as_view(), name="reply"),
]
