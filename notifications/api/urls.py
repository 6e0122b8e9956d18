from django.urls import path

from notifications.api import views

urlpatterns = [
    path("notifications", views.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/unread-count",
        views.UnreadCountView.as_view(),
        name="notifications-unread-count",
    ),
    path(
        "notifications/read-all",
        views.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<int:pk>/read",
        views.NotificationReadView.as_view(),
        name="notifications-read",
    ),
    path(
        "notifications/preferences",
        views.PreferencesView.as_view(),
        name="notifications-preferences",
    ),
    path("notifications/push-key", views.PushKeyView.as_view(), name="notifications-push-key"),
    path(
        "notifications/push-subscriptions",
        views.PushSubscriptionView.as_view(),
        name="notifications-push-subscriptions",
    ),
    path(
        "notifications/push-subscriptions/unregister",
        views.PushUnsubscribeView.as_view(),
        name="notifications-push-unregister",
    ),
]
