from django.urls import include, path

from api import views

urlpatterns = [
    path("auth/", include("accounts.urls")),
    path("rooms/", views.RoomListView.as_view(), name="rooms"),
    path("rooms/<str:name>/", views.RoomDetailView.as_view(), name="room"),
    path("rooms/<str:name>/messages/", views.RoomMessagesView.as_view(), name="room-messages"),
    path(
        "rooms/<str:name>/messages/<int:message_id>/",
        views.RoomMessageView.as_view(),
        name="room-message",
    ),
    path(
        "rooms/<str:name>/messages/<int:message_id>/reactions/",
        views.RoomMessageReactionsView.as_view(),
        name="room-message-reactions",
    ),
    path("rooms/<str:name>/changes/", views.RoomChangesView.as_view(), name="room-changes"),
    path("rooms/<str:name>/read/", views.RoomReadView.as_view(), name="room-read"),
    path("limits/", views.LimitsView.as_view(), name="limits"),
    path("dms/", views.ConversationListView.as_view(), name="conversations"),
    path("dms/messages/", views.PrivateMessagesView.as_view(), name="private-messages"),
    path("dms/changes/", views.PrivateChangesView.as_view(), name="private-changes"),
    path("dms/<str:username>/read/", views.ConversationReadView.as_view(), name="dm-read"),
    path(
        "dms/<str:username>/messages/", views.ConversationMessagesView.as_view(), name="dm-messages"
    ),
    path(
        "dms/<str:username>/messages/<int:message_id>/",
        views.ConversationMessageView.as_view(),
        name="dm-message",
    ),
]
