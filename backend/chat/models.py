from django.conf import settings
from django.db import models
from django.db.models import Q


class Room(models.Model):
    name = models.CharField(max_length=64, unique=True)
    admin_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The seq of the room's newest message. Bumping it locks the room's row until the message's
    # transaction commits, so a room's messages commit in seq (and id) order: see chat/store.py.
    last_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    # 1, 2, 3, ... per room with no holes, in commit order: live delivery uses it to put every
    # socket's stream in order and to notice (and fill) a gap.
    seq = models.BigIntegerField(editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # NULL, not "", for "none": the uniqueness constraint below must ignore messages without one.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["room", "id"])]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="message_seq_once_per_room"),
            # Scoped to the room: the same client_id in another room is another message.
            models.UniqueConstraint(
                fields=["room", "user", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_client_id_once_per_room_user",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}: {self.content[:50]}"


class Mailbox(models.Model):
    """The numbering of the private messages a user receives: their live stream, like a room's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    # The recipient_seq of the newest message to the user; see chat/store.py.
    last_seq = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"mailbox of {self.user_id} at {self.last_seq}"


class DirectMessage(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_direct_messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_direct_messages"
    )
    # 1, 2, 3, ... per recipient, in commit order, as Message.seq is per room.
    recipient_seq = models.BigIntegerField(editable=False)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["sender", "recipient", "id"]),
            models.Index(fields=["recipient", "sender", "id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "recipient_seq"], name="direct_message_seq_once_per_recipient"
            ),
            models.UniqueConstraint(
                fields=["sender", "recipient", "client_id"],
                condition=Q(client_id__isnull=False),
                name="direct_message_client_id_once_per_conversation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender} to {self.recipient}: {self.content[:50]}"


class RoomReadMarker(models.Model):
    """How far a user has read a room: every message up to ``last_read_id`` (only moves on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "room"], name="room_read_marker_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read room {self.room_id} up to {self.last_read_id}"


class ConversationReadMarker(models.Model):
    """How far ``user`` has read their private conversation with ``other``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    other = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "other"], name="conversation_read_marker_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.other_id}'s messages up to {self.last_read_id}"
