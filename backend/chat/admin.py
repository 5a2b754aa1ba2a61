from django.contrib import admin

from chat.models import DirectMessage, Message, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "admin_only", "created_at"]
    list_filter = ["admin_only"]
    search_fields = ["name"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "room", "user", "content", "created_at"]
    list_filter = ["room"]
    search_fields = ["content", "user__username"]
    list_select_related = ["room", "user"]
    raw_id_fields = ["room", "user"]

    def has_add_permission(self, request) -> bool:
        # Messages are posted through the chat (chat.messages.message_send), which numbers
        # them in their room and broadcasts them; a row added here would be neither.
        return False


@admin.register(DirectMessage)
class DirectMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "sender", "recipient", "content", "created_at"]
    search_fields = ["content", "sender__username", "recipient__username"]
    list_select_related = ["sender", "recipient"]
    raw_id_fields = ["sender", "recipient"]

    def has_add_permission(self, request) -> bool:
        # Sent through the chat only (chat.messages.private_message_send), like room messages.
        return False
