from django.urls import path

from chat import views

app_name = "chat"

urlpatterns = [
    path("", views.ConversationListView.as_view(), name="list"),
    path("start/<int:shop_id>/", views.ConversationStartView.as_view(), name="start"),
    path("<int:pk>/", views.ConversationDetailView.as_view(), name="detail"),
    path("<int:pk>/report/", views.ConversationReportView.as_view(), name="report"),
]
