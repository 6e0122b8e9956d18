from django.urls import path

from integrations.api import views

urlpatterns = [
    path("shops/<int:shop_id>/api-keys", views.ApiKeyListView.as_view(), name="shop-api-keys"),
    path(
        "shops/<int:shop_id>/api-keys/<int:key_id>",
        views.ApiKeyDetailView.as_view(),
        name="shop-api-key-detail",
    ),
    path(
        "shops/<int:shop_id>/webhooks",
        views.WebhookEndpointListView.as_view(),
        name="shop-webhooks",
    ),
    path(
        "shops/<int:shop_id>/webhooks/<int:endpoint_id>",
        views.WebhookEndpointDetailView.as_view(),
        name="shop-webhook-detail",
    ),
    path(
        "shops/<int:shop_id>/webhooks/<int:endpoint_id>/deliveries",
        views.WebhookDeliveryListView.as_view(),
        name="shop-webhook-deliveries",
    ),
    path(
        "shops/<int:shop_id>/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/redeliver",
        views.WebhookRedeliverView.as_view(),
        name="shop-webhook-redeliver",
    ),
    path(
        "shops/<int:shop_id>/webhooks/<int:endpoint_id>/test",
        views.WebhookTestView.as_view(),
        name="shop-webhook-test",
    ),
]
