from django.urls import path

from chat.api import views

urlpatterns = [
    path("chat/conversations", views.ConversationListView.as_view(), name="chat-conversations"),
    path(
        "chat/conversations/<int:pk>",
        views.ConversationDetailView.as_view(),
        name="chat-conversation",
    ),
    path(
        "chat/conversations/<int:pk>/messages",
        views.MessageListView.as_view(),
        name="chat-messages",
    ),
    path(
        "chat/conversations/<int:pk>/read",
        views.ConversationReadView.as_view(),
        name="chat-read",
    ),
    path(
        "chat/conversations/<int:pk>/report",
        views.ConversationReportView.as_view(),
        name="chat-report",
    ),
]
