from django.urls import path

from accounts.api import views

urlpatterns = [
    path("users/me", views.UserMeView.as_view(), name="users-me"),
]
