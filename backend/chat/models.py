from django.conf import settings
from django.db import models
from django.db.models import Q

from chat.groups import room_group


class Room(models.Model):
    name = models.CharField(max_length=64, unique=True)
    admin_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def group_name(self) -> str:
        return room_group(self.pk)


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    # NULL, not "", for "none": the uniqueness constraint below must ignore messages without one.
    client_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["room", "id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_id"],
                condition=Q(client_id__isnull=False),
                name="message_client_id_once_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.room}: {self.content[:50]}"


class DirectMessage(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_direct_messages"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="received_direct_messages"
    )
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
                fields=["sender", "client_id"],
                condition=Q(client_id__isnull=False),
                name="direct_message_client_id_once_per_sender",
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender} to {self.recipient}: {self.content[:50]}"
