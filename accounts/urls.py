from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.AccountIndexView.as_view(), name="index"),
    path("profile/", views.UserUpdateView.as_view(), name="profile"),
    path("addresses/", views.AddressListView.as_view(), name="address_list"),
    path("addresses/create/", views.AddressCreateView.as_view(), name="address_create"),
    path("addresses/<int:pk>/update/", views.AddressUpdateView.as_view(), name="address_update"),
    path("addresses/<int:pk>/delete/", views.AddressDeleteView.as_view(), name="address_delete"),
    path(
        "notifications/",
        views.NotificationPreferencesView.as_view(),
        name="notification_preferences",
    ),
]
