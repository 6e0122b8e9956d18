"""The vendor dashboard's shop pages, under `/dashboard/` in the namespace `dashboard`, which
`marketmate/urls.py` assembles with the catalog's pages and the analytics page."""

from django.urls import path

from shops import views

urlpatterns = [
    path("shops/create/", views.ShopCreateView.as_view(), name="shop_create"),
    path("shops/switch/", views.ShopSwitchView.as_view(), name="shop_switch"),
    path("settings/", views.ShopUpdateView.as_view(), name="shop_update"),
    path("members/", views.ShopMemberListView.as_view(), name="member_list"),
    path(
        "members/<int:pk>/update/",
        views.ShopMemberActionView.as_view(action="update"),
        name="member_update",
    ),
    path(
        "members/<int:pk>/delete/",
        views.ShopMemberActionView.as_view(action="delete"),
        name="member_delete",
    ),
    path(
        "invitations/<str:token>/",
        views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]
