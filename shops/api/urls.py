from django.urls import path

from shops.api import views

urlpatterns = [
    path("shops", views.ShopCreateView.as_view(), name="shops"),
    path("shops/<int:shop_id>", views.ShopDetailView.as_view(), name="shop-detail"),
    path("shops/<int:shop_id>/members", views.ShopMembersView.as_view(), name="shop-members"),
    path(
        "shops/<int:shop_id>/members/<int:member_id>",
        views.ShopMemberDetailView.as_view(),
        name="shop-member-detail",
    ),
    path(
        "shop-invitations/<str:token>/accept",
        views.InvitationAcceptView.as_view(),
        name="shop-invitation-accept",
    ),
]
