"""Every app's API under `/api/v1/`, plus the OpenAPI schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from marketmate.views import ApiDocsView

urlpatterns = [
    path("", include("accounts.api.urls")),
    path("", include("accounts.api.admin.urls")),
    path("", include("chat.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("shops.api.urls")),
    path("", include("catalog.api.urls")),
    path("", include("orders.api.urls")),
    path("", include("payments.api.urls")),
    path("", include("moderation.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("analytics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="v1:schema"), name="docs"),
]
