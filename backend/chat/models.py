from django.conf import settings
from django.db import models
from django.db.models import Q


class Room(models.Model):
    name = models.CharField(max_length=64, unique=True)
    admin_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The seq of the room's newest message or change (an edit, deletion or reaction: RoomChange).
    # Bumping it locks the room's row until the transaction commits, so a room's messages and
    # changes commit in seq order, and its messages in id order too: see chat/store.py.
    last_seq = models.BigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    # 1, 2, 3, ... per room with no holes, in commit order, shared with the room's changes: live
    # delivery uses it to put every socket's stream in order and to notice (and fill) a gap.
    seq = models.BigIntegerField(editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # NULL, not "", for "none": the uniqueness constraint below must ignore messages without one.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    edited_at = models.DateTimeField(null=True, blank=True)
    # A deleted message stays, emptied, as a tombstone: its seq must still be found by a replay.
    deleted_at = models.DateTimeField(null=True, blank=True)

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
    # The recipient_seq of the newest message to the user, or the seq of the newest change
    # (MailboxChange) to a private message to or from them; see chat/store.py.
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
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

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


class Reaction(models.Model):
    """One user's one emoji on one room message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    emoji = models.CharField(max_length=32)

    class Meta:
        # By id: the order in which each emoji, and each of its users, came.
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["message", "user", "emoji"], name="reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.emoji} on {self.message_id}"


class RoomChange(models.Model):
    """An edit, deletion or reaction in a room's numbered stream: ``seq`` shares the room's
    counter with its messages (chat/store.py), so a live socket gets changes in order with the
    messages, and a gap is filled with the broadcast ``frame``, as a message's would be."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="+")
    # NULL once the message was deleted: a deleted text is not kept, even in its old edits.
    frame = models.TextField(null=True)  # noqa: DJ001

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="room_change_seq_once")]

    def __str__(self) -> str:
        return f"change {self.seq} of room {self.room_id} to message {self.message_id}"


class MailboxChange(models.Model):
    """An edit or deletion of a private message in one of its two users' numbered streams."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seq = models.BigIntegerField()
    message = models.ForeignKey(DirectMessage, on_delete=models.CASCADE, related_name="+")
    frame = models.TextField(null=True)  # noqa: DJ001

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "seq"], name="mailbox_change_seq_once")
        ]

    def __str__(self) -> str:
        return f"change {self.seq} of {self.user_id}'s mailbox to message {self.message_id}"


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
