"""Sending and reading room and private messages."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet

from chat.broadcast import group_send_on_commit
from chat.errors import EmptyMessage, MessageTooLong, NotAuthenticated, UserNotFound
from chat.groups import user_group
from chat.models import DirectMessage, Message, Room
from chat.protocol import (
    ChatMessageEvent,
    Conversation,
    PrivateMessage,
    PrivateMessageEvent,
    PrivateMessagePage,
    RoomMessage,
    RoomMessagePage,
    format_timestamp,
)

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


def room_message_payload(message: Message) -> RoomMessage:
    return RoomMessage(
        id=message.id,
        room=message.room.name,
        user=message.user.username,
        message=message.content,
        timestamp=format_timestamp(message.created_at),
    )


def private_message_payload(message: DirectMessage) -> PrivateMessage:
    return PrivateMessage(
        id=message.id,
        user=message.sender.username,
        to=message.recipient.username,
        message=message.content,
        timestamp=format_timestamp(message.created_at),
    )


def message_send(
    *, user: User, room: Room, text: str, client_id: str | None = None
) -> tuple[Message, bool]:
    """Store a room message and broadcast it after commit; (message, False) for a resend."""
    check_can_send(user)
    fields = {"room": room, "user": user, "content": check_message_text(text)}
    return _store_once(Message, "user", fields, client_id, notify_room_message)


def private_message_send(
    *, sender: User, to: str, text: str, client_id: str | None = None
) -> tuple[DirectMessage, bool]:
    """Store a private message and deliver it to the recipient's sockets after commit."""
    check_can_send(sender)
    text = check_message_text(text)
    fields = {"sender": sender, "recipient": user_by_username(to), "content": text}
    return _store_once(DirectMessage, "sender", fields, client_id, notify_private_message)


def _store_once(
    model: type[Stored],
    author: str,
    fields: dict,
    client_id: str | None,
    notify: Callable[[Stored], None],
) -> tuple[Stored, bool]:
    """Create and notify, unless the author already sent this client_id: then (original, False)."""
    related = [name for name in fields if name != "content"]
    earlier = model.objects.select_related(*related).filter(
        **{author: fields[author]}, client_id=client_id
    )
    if client_id and (found := earlier.first()):
        return found, False
    try:
        with transaction.atomic():
            message = model.objects.create(**fields, client_id=client_id)
            notify(message)
    except IntegrityError:
        if not client_id:
            raise
        # The same client_id arrived twice at once (two sockets); the first one stored it.
        return earlier.get(), False
    return message, True


def chat_message_event(message: Message) -> ChatMessageEvent:
    payload = room_message_payload(message).model_dump()
    return ChatMessageEvent(**payload, client_id=message.client_id)


def notify_room_message(message: Message) -> None:
    event = chat_message_event(message)
    group_send_on_commit(message.room.group_name, event, message_id=message.id)


def notify_private_message(message: DirectMessage) -> None:
    event = PrivateMessageEvent(**private_message_payload(message).model_dump())
    group_send_on_commit(user_group(message.recipient_id), event)


def room_messages_page(
    *, room: Room, before: int | None = None, after: int | None = None, limit: int
) -> RoomMessagePage:
    columns = ("id", "user__username", "content", "created_at")
    rows, has_more = _page(room.messages.values_list(*columns), before, after, limit)
    messages = [
        RoomMessage(
            id=id_,
            room=room.name,
            user=username,
            message=content,
            timestamp=format_timestamp(created_at),
        )
        for id_, username, content, created_at in rows
    ]
    return RoomMessagePage(results=messages, has_more=has_more)


def private_messages_page(
    *, user: User, before: int | None = None, after: int | None = None, limit: int
) -> PrivateMessagePage:
    """Every private message to or from ``user``: what a reconnecting client catches up on."""
    mine = DirectMessage.objects.filter(Q(sender=user) | Q(recipient=user))
    return _private_page(mine, before, after, limit)


def conversation_page(
    *,
    user: User,
    other: AbstractBaseUser,
    before: int | None = None,
    after: int | None = None,
    limit: int,
) -> PrivateMessagePage:
    between = DirectMessage.objects.filter(
        Q(sender=user, recipient=other) | Q(sender=other, recipient=user)
    )
    return _private_page(between, before, after, limit)


def _private_page(
    messages: QuerySet, before: int | None, after: int | None, limit: int
) -> PrivateMessagePage:
    columns = ("id", "sender__username", "recipient__username", "content", "created_at")
    rows, has_more = _page(messages.values_list(*columns), before, after, limit)
    payloads = [
        PrivateMessage(
            id=id_,
            user=sender,
            to=recipient,
            message=content,
            timestamp=format_timestamp(created_at),
        )
        for id_, sender, recipient, content, created_at in rows
    ]
    return PrivateMessagePage(results=payloads, has_more=has_more)


def _page(rows: QuerySet, before: int | None, after: int | None, limit: int) -> tuple[list, bool]:
    """Oldest first; from just after ``after`` when given, else the newest before ``before``.
    Also says whether more rows lie beyond the page in that direction."""
    if after is not None:
        rows = rows.filter(id__gt=after)
    if before is not None:
        rows = rows.filter(id__lt=before)
    if after is not None:
        found = list(rows.order_by("id")[: limit + 1])
        return found[:limit], len(found) > limit
    found = list(rows.order_by("-id")[: limit + 1])
    return found[:limit][::-1], len(found) > limit


def conversations_for(user: User, *, limit: int = 100) -> list[Conversation]:
    """Everyone ``user`` has private messages with, with the latest message, newest first."""
    latest: dict[int, int] = {}
    sent = DirectMessage.objects.filter(sender=user).values("recipient").annotate(last=Max("id"))
    received = (
        DirectMessage.objects.filter(recipient=user).values("sender").annotate(last=Max("id"))
    )
    for row in sent:
        latest[row["recipient"]] = row["last"]
    for row in received:
        latest[row["sender"]] = max(latest.get(row["sender"], 0), row["last"])
    newest_ids = sorted(latest.values(), reverse=True)[:limit]
    messages = (
        DirectMessage.objects.select_related("sender", "recipient")
        .filter(id__in=newest_ids)
        .order_by("-id")
    )
    return [
        Conversation(
            user=message.recipient.username
            if message.sender_id == user.pk
            else message.sender.username,
            last_message=private_message_payload(message),
        )
        for message in messages
    ]
