"""`/dashboard/integrations/` (namespace `dashboard_integrations`)."""

from django.urls import path

from integrations import views

app_name = "dashboard_integrations"

urlpatterns = [
    path("", views.ShopApiKeyListView.as_view(), name="key_list"),
    path("keys/<int:pk>/delete/", views.ShopApiKeyDeleteView.as_view(), name="key_delete"),
    path("webhooks/", views.WebhookEndpointListView.as_view(), name="endpoint_list"),
    path("webhooks/<int:pk>/", views.WebhookEndpointDetailView.as_view(), name="endpoint_detail"),
    path(
        "webhooks/<int:pk>/update/",
        views.WebhookEndpointActionView.as_view(action="toggle"),
        name="endpoint_update",
    ),
    path(
        "webhooks/<int:pk>/test/",
        views.WebhookEndpointActionView.as_view(action="test"),
        name="endpoint_test",
    ),
    path(
        "webhooks/<int:pk>/delete/",
        views.WebhookEndpointActionView.as_view(action="delete"),
        name="endpoint_delete",
    ),
    path(
        "webhooks/<int:pk>/deliveries/<int:delivery_pk>/redeliver/",
        views.WebhookDeliveryRedeliverView.as_view(),
        name="delivery_redeliver",
    ),
]
