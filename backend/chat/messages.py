"""Sending room and private messages: check, store, then publish once the write commits."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError
from django.db.models import Q, QuerySet

from chat import loop_store
from chat.delivery.hub import apublish, publish_on_commit, room_topic, user_topic
from chat.errors import EmptyMessage, MessageTooLong, NotAuthenticated, UserNotFound
from chat.models import DirectMessage, Message, Room
from chat.payloads import chat_message_event, private_message_event
from chat.store import private_message_insert, room_message_insert
from chat.threads import in_thread

User = AbstractBaseUser | AnonymousUser
Stored = TypeVar("Stored", Message, DirectMessage)


def check_can_send(user: User) -> None:
    if not user.is_authenticated:
        raise NotAuthenticated("Log in to send messages.")


def check_message_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise EmptyMessage()
    limit = settings.CHAT["MESSAGE_MAX_LENGTH"]
    if len(text) > limit:
        raise MessageTooLong(f"Messages are limited to {limit} characters.")
    return text


def user_by_username(username: str) -> AbstractBaseUser:
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UserNotFound(f'No user named "{username}".')
    return user


def check_correspondents(sender: AbstractBaseUser, username: str) -> AbstractBaseUser:
    """The active recipient named ``username``, read with the sender's own state in one query:
    a sender deactivated since their socket opened may not write."""
    users = get_user_model().objects.filter(Q(username=username) | Q(pk=sender.pk), is_active=True)
    found = {user.pk: user for user in users.only("id", "username")}
    if sender.pk not in found:
        raise NotAuthenticated("The account is no longer active.")
    recipient = next((user for user in found.values() if user.username == username), None)
    if recipient is None:
        raise UserNotFound(f'No user named "{username}".')
    return recipient


def message_send(
    *, user: User, room: Room, text: str, client_id: str | None = None
) -> tuple[Message, bool]:
    """Store a room message and broadcast it after commit; (message, False) for a resend."""
    check_can_send(user)
    content = check_message_text(text)
    message, created = _store_once(
        lambda: room_message_insert(room=room, user=user, content=content, client_id=client_id),
        lambda: Message.objects.select_related("room", "user").filter(room=room, user=user),
        client_id,
    )
    if created:
        publish_on_commit(room_topic(room.pk), chat_message_event(message), seq=message.seq)
    return message, created


async def room_message_send(
    *, user: User, room: Room, text: str, client_id: str | None = None
) -> tuple[Message, bool]:
    """``message_send`` from the event loop. On PostgreSQL a new message is stored and
    published from the loop itself (chat/loop_store.py); what that cannot settle (a refusal, a
    resend) and other databases take ``message_send``'s way, in the service threads."""
    if loop_store.enabled():
        check_can_send(user)
        content = check_message_text(text)
        message = await loop_store.room_message_insert(
            room=room, user=user, content=content, client_id=client_id
        )
        if message is not None:
            await apublish(room_topic(room.pk), chat_message_event(message), seq=message.seq)
            return message, True
    return await _message_send_in_thread(user=user, room=room, text=text, client_id=client_id)


_message_send_in_thread = in_thread(message_send)


def private_message_send(
    *, sender: User, to: str, text: str, client_id: str | None = None
) -> tuple[DirectMessage, bool]:
    """Store a private message and deliver it to the recipient's sockets after commit."""
    check_can_send(sender)
    content = check_message_text(text)
    recipient = check_correspondents(sender, to)
    message, created = _store_once(
        lambda: private_message_insert(
            sender=sender, recipient=recipient, content=content, client_id=client_id
        ),
        lambda: DirectMessage.objects.select_related("sender", "recipient").filter(
            sender=sender, recipient=recipient
        ),
        client_id,
    )
    if created:
        event = private_message_event(message)
        publish_on_commit(user_topic(recipient.pk), event, seq=message.recipient_seq)
    return message, created


def _store_once(
    insert: Callable[[], Stored], authors_messages: Callable[[], QuerySet], client_id: str | None
):
    """(insert(), True), unless the author already sent ``client_id`` in this room or to this
    recipient (a client_id is scoped to its conversation): then (that one, False).
    The database's unique constraint decides, so a resend racing the first send (two sockets)
    stores nothing twice either. ``authors_messages`` is built only for a resend: building a
    query costs more CPU than the insert itself (docs/performance.md)."""
    try:
        return insert(), True
    except IntegrityError:
        earlier = authors_messages().filter(client_id=client_id).first() if client_id else None
        if earlier is None:
            raise
        return earlier, False
