from django.urls import path

from accounts.api.admin import views as admin_views

urlpatterns = [
    path("admin/users", admin_views.AdminUserListView.as_view(), name="admin-users"),
    path("admin/ban-user", admin_views.AdminBanUserView.as_view(), name="admin-ban-user"),
    path("admin/unban-user", admin_views.AdminUnbanUserView.as_view(), name="admin-unban-user"),
]
