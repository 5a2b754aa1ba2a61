"""Editing and deleting messages. An author edits their message within MESSAGE_EDIT_WINDOW and
deletes it at any time; staff delete any message of a room. A deleted message stays as an empty
tombstone. Each change takes the next number of the message's stream, checks under that lock,
and is logged and broadcast after commit (chat/changes.py)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from chat.changes import changes_forget, mailbox_changes_record, room_change_record
from chat.errors import EditWindowClosed, Forbidden, MessageNotFound
from chat.messages import User, check_can_send, check_correspondents, check_message_text
from chat.models import DirectMessage, Message, Reaction, Room
from chat.protocol import MAX_MESSAGE_ID, MessageDeletedEvent, MessageEditedEvent, format_timestamp
from chat.store import mailbox_seqs_take, room_seq_take


def message_edit(*, user: User, room: Room, message_id: int, text: str) -> Message:
    """Replaces the text of the user's own room message; the room gets ``message_edited``."""
    check_can_send(user)
    content = check_message_text(text)
    with transaction.atomic():
        seq = room_seq_take(room=room, user=user)
        message = room_message_to_change(room=room, message_id=message_id)
        _check_editable(message.user_id, message.created_at, user)
        _edit(message, content)
        event = _edited_event(message, room=room.name)
        room_change_record(room=room, seq=seq, message=message, event=event)
    return message


def message_delete(*, user: User, room: Room, message_id: int) -> Message:
    """Deletes a room message (the author's own, or as staff any): the room gets
    ``message_deleted``."""
    check_can_send(user)
    with transaction.atomic():
        seq = room_seq_take(room=room, user=user)
        message = room_message_to_change(room=room, message_id=message_id)
        if message.user_id != user.pk and not _is_staff_now(user):
            raise Forbidden("You may delete only your own messages.")
        Reaction.objects.filter(message=message).delete()
        _delete(message)
        event = MessageDeletedEvent(id=message.id, room=room.name)
        room_change_record(room=room, seq=seq, message=message, event=event)
    return message


def private_message_edit(*, user: User, username: str, message_id: int, text: str) -> DirectMessage:
    """Replaces the text of a private message the user sent to ``username``; both get
    ``message_edited`` on every socket."""
    check_can_send(user)
    content = check_message_text(text)
    other = check_correspondents(user, username)
    with transaction.atomic():
        seqs = mailbox_seqs_take([user.pk, other.pk])
        message = _private_message_to_change(user, other, message_id)
        _check_editable(message.sender_id, message.created_at, user)
        _edit(message, content)
        event = _edited_event(message, room=None)
        mailbox_changes_record(seqs=seqs, message=message, event=event)
    return message


def private_message_delete(*, user: User, username: str, message_id: int) -> DirectMessage:
    """Deletes a private message the user sent to ``username``."""
    check_can_send(user)
    other = check_correspondents(user, username)
    with transaction.atomic():
        seqs = mailbox_seqs_take([user.pk, other.pk])
        message = _private_message_to_change(user, other, message_id)
        if message.sender_id != user.pk:
            raise Forbidden("You may delete only your own messages.")
        _delete(message)
        event = MessageDeletedEvent(id=message.id, room=None)
        mailbox_changes_record(seqs=seqs, message=message, event=event)
    return message


def room_message_to_change(*, room: Room, message_id: int) -> Message:
    """The room's message ``message_id``, unless it is deleted: what edits and reactions touch."""
    message = None
    if message_id <= MAX_MESSAGE_ID:
        messages = Message.objects.select_related("room", "user")
        message = messages.filter(room=room, pk=message_id, deleted_at=None).first()
    if message is None:
        raise MessageNotFound(f"No message {message_id} in #{room.name}.")
    return message


def _private_message_to_change(
    user: AbstractBaseUser, other: AbstractBaseUser, message_id: int
) -> DirectMessage:
    between = Q(sender=user, recipient=other) | Q(sender=other, recipient=user)
    message = None
    if message_id <= MAX_MESSAGE_ID:
        messages = DirectMessage.objects.select_related("sender", "recipient")
        message = messages.filter(between, pk=message_id, deleted_at=None).first()
    if message is None:
        raise MessageNotFound(f"No message {message_id} between you and {other.username}.")
    return message


def _check_editable(author_id: int, created_at, user: User) -> None:
    if author_id != user.pk:
        raise Forbidden("You may edit only your own messages.")
    window = settings.CHAT["MESSAGE_EDIT_WINDOW"]
    if timezone.now() - created_at > timedelta(seconds=window):
        raise EditWindowClosed(f"Messages can be edited for {window} seconds after sending.")


def _is_staff_now(user: User) -> bool:
    # The row as it is now: staff rights taken away since the socket opened no longer count.
    return get_user_model().objects.filter(pk=user.pk, is_staff=True, is_active=True).exists()


def _edit(message: Message | DirectMessage, content: str) -> None:
    message.content, message.edited_at = content, timezone.now()
    message.save(update_fields=["content", "edited_at"])


def _delete(message: Message | DirectMessage) -> None:
    message.content, message.deleted_at = "", timezone.now()
    message.save(update_fields=["content", "deleted_at"])
    changes_forget(message)


def _edited_event(message: Message | DirectMessage, *, room: str | None) -> MessageEditedEvent:
    return MessageEditedEvent(
        id=message.id,
        room=room,
        message=message.content,
        edited_at=format_timestamp(message.edited_at),
    )
