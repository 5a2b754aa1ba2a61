from django.contrib import admin

from chat.edits import message_delete
from chat.models import DirectMessage, Message, Room


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "admin_only", "created_at"]
    list_filter = ["admin_only"]
    search_fields = ["name"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["id", "room", "user", "content", "created_at", "edited_at", "deleted_at"]
    list_filter = ["room"]
    search_fields = ["content", "user__username"]
    list_select_related = ["room", "user"]
    raw_id_fields = ["room", "user"]
    # Changed through the chat only (chat/edits.py), which numbers and broadcasts each change.
    readonly_fields = ["content", "client_id", "edited_at", "deleted_at"]

    def has_add_permission(self, request) -> bool:
        # Messages are posted through the chat (chat.messages.message_send), which numbers
        # them in their room and broadcasts them; a row added here would be neither.
        return False

    def delete_model(self, request, obj: Message) -> None:
        # As staff in the chat: a tombstone that everyone in the room hears of, not a hole.
        if obj.deleted_at is None:
            message_delete(user=request.user, room=obj.room, message_id=obj.pk)

    def delete_queryset(self, request, queryset) -> None:
        for message in queryset.select_related("room"):
            self.delete_model(request, message)


@admin.register(DirectMessage)
class DirectMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "sender", "recipient", "content", "created_at", "deleted_at"]
    search_fields = ["content", "sender__username", "recipient__username"]
    list_select_related = ["sender", "recipient"]
    raw_id_fields = ["sender", "recipient"]
    readonly_fields = ["content", "client_id", "edited_at", "deleted_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only its sender deletes a private message (chat/edits.py), not the staff.
        return False

    def has_add_permission(self, request) -> bool:
        # Sent through the chat only (chat.messages.private_message_send), like room messages.
        return False
