"""Unread counts: the messages of others after a user's read markers (chat/reads.py), less the
deleted ones (tombstones)."""

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from chat.models import ConversationReadMarker, DirectMessage, Message, Room, RoomReadMarker

ReadState = tuple[int, int | None]  # (unread count, last read id or None)


def room_read_states(user, rooms: list[Room]) -> dict[int, ReadState]:
    """{room id: (unread count, last read id)}: the messages of others after the marker."""
    if not user.is_authenticated or not rooms:
        return {}
    markers = dict(
        RoomReadMarker.objects.filter(user=user, room__in=rooms).values_list(
            "room_id", "last_read_id"
        )
    )
    marker = RoomReadMarker.objects.filter(user=user, room=OuterRef("room")).values("last_read_id")
    counts = dict(
        Message.objects.filter(room__in=rooms, deleted_at=None)
        .exclude(user=user)
        .filter(id__gt=Coalesce(Subquery(marker), Value(0)))
        .values("room")
        .annotate(unread=Count("id"))
        .values_list("room", "unread")
    )
    return {room.pk: (counts.get(room.pk, 0), markers.get(room.pk)) for room in rooms}


def conversation_read_states(user, other_ids: list[int]) -> dict[int, ReadState]:
    """{other user id: (unread count, last read id)} for the caller's conversations."""
    markers = dict(
        ConversationReadMarker.objects.filter(user=user, other__in=other_ids).values_list(
            "other_id", "last_read_id"
        )
    )
    marker = ConversationReadMarker.objects.filter(user=user, other=OuterRef("sender")).values(
        "last_read_id"
    )
    counts = dict(
        DirectMessage.objects.filter(recipient=user, sender__in=other_ids, deleted_at=None)
        .filter(id__gt=Coalesce(Subquery(marker), Value(0)))
        .values("sender")
        .annotate(unread=Count("id"))
        .values_list("sender", "unread")
    )
    return {other: (counts.get(other, 0), markers.get(other)) for other in other_ids}
