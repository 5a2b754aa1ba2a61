"""Reading messages: REST pages, a new socket's history, and live delivery's gap filling."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Max, Q, QuerySet

from chat.models import DirectMessage, Mailbox, Message, Room
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


def chat_message_event(message: Message) -> ChatMessageEvent:
    payload = room_message_payload(message).model_dump()
    return ChatMessageEvent(**payload, client_id=message.client_id)


def private_message_event(message: DirectMessage) -> PrivateMessageEvent:
    return PrivateMessageEvent(**private_message_payload(message).model_dump())


def room_messages_page(
    *,
    room: Room,
    before: int | None = None,
    after: int | None = None,
    limit: int,
    up_to_seq: int | None = None,
) -> RoomMessagePage:
    """A page of the room's messages; ``up_to_seq`` leaves out what committed after a point."""
    messages = room.messages.all()
    if up_to_seq is not None:
        messages = messages.filter(seq__lte=up_to_seq)
    columns = ("id", "user__username", "content", "created_at")
    rows, has_more = _page(messages.values_list(*columns), before, after, limit)
    results = [
        RoomMessage(
            id=id_,
            room=room.name,
            user=username,
            message=content,
            timestamp=format_timestamp(created_at),
        )
        for id_, username, content, created_at in rows
    ]
    return RoomMessagePage(results=results, has_more=has_more)


def room_last_seqs(room_ids: list[int]) -> dict[int, int]:
    """How far each room's numbered stream has got (its newest message's seq)."""
    return dict(Room.objects.filter(pk__in=room_ids).values_list("pk", "last_seq"))


def room_replay(room_id: int, first: int, last: int) -> dict[int, str]:
    """The room's messages numbered ``first`` to ``last``, as the frames their broadcast was."""
    messages = Message.objects.select_related("room", "user").filter(
        room_id=room_id, seq__gte=first, seq__lte=last
    )
    return {message.seq: chat_message_event(message).to_text() for message in messages}


def mailbox_last_seqs(user_ids: list[int]) -> dict[int, int]:
    """How far each user's stream of received private messages has got."""
    return dict(Mailbox.objects.filter(pk__in=user_ids).values_list("pk", "last_seq"))


def private_replay(user_id: int, first: int, last: int) -> dict[int, str]:
    """The private messages to the user numbered ``first`` to ``last``, as broadcast."""
    messages = DirectMessage.objects.select_related("sender", "recipient").filter(
        recipient_id=user_id, recipient_seq__gte=first, recipient_seq__lte=last
    )
    return {message.recipient_seq: private_message_event(message).to_text() for message in messages}


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
