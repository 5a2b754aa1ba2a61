"""Read state: how far each user has read each room and each private conversation.

A marker only moves forward. Each move is announced to every socket of the same user (their
other tabs and devices follow), after the write commits; unread counts are read with the lists
of rooms and conversations (chat/unread.py).
"""

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q

from chat.delivery.hub import publish_on_commit, user_topic
from chat.errors import MessageNotFound, NotAuthenticated
from chat.messages import user_by_username
from chat.models import ConversationReadMarker, DirectMessage, Message, Room, RoomReadMarker
from chat.protocol import ReadEvent


def read_mark_room(*, user: AbstractBaseUser, room: Room, message_id: int) -> int:
    """Marks ``room`` read up to ``message_id`` (a message of that room); returns the marker."""
    _check_logged_in(user)
    if not Message.objects.filter(room=room, pk=message_id).exists():
        raise MessageNotFound(f"No message {message_id} in #{room.name}.")
    marker = _move_forward(RoomReadMarker, {"user": user, "room": room}, message_id)
    publish_on_commit(user_topic(user.pk), ReadEvent(room=room.name, with_=None, id=marker))
    return marker


def read_mark_conversation(*, user: AbstractBaseUser, username: str, message_id: int) -> int:
    """Marks the conversation with ``username`` read up to ``message_id``, one of its messages."""
    _check_logged_in(user)
    other = user_by_username(username)
    between = Q(sender=user, recipient=other) | Q(sender=other, recipient=user)
    if not DirectMessage.objects.filter(between, pk=message_id).exists():
        raise MessageNotFound(f"No message {message_id} between you and {other.username}.")
    marker = _move_forward(ConversationReadMarker, {"user": user, "other": other}, message_id)
    event = ReadEvent(room=None, with_=other.username, id=marker)
    publish_on_commit(user_topic(user.pk), event)
    return marker


def _check_logged_in(user) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated("Log in to keep read state.")


def _move_forward(model, key: dict, message_id: int) -> int:
    """The marker at ``message_id`` unless it is already further; returns where it is."""
    try:
        with transaction.atomic():
            model.objects.get_or_create(**key, defaults={"last_read_id": message_id})
    except IntegrityError:  # created meanwhile by a concurrent mark: move it on below
        pass
    model.objects.filter(**key, last_read_id__lt=message_id).update(last_read_id=message_id)
    return model.objects.filter(**key).values_list("last_read_id", flat=True).get()
