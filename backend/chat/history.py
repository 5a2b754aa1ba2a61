"""Reading messages: REST pages, a new socket's history, and live delivery's gap filling."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
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
from chat.rows import aware
from chat.unread import conversation_read_states

User = AbstractBaseUser | AnonymousUser

_messages, _rooms = Message._meta.db_table, Room._meta.db_table
_mailboxes = Mailbox._meta.db_table
_users = get_user_model()._meta.db_table
_username = get_user_model()._meta.get_field("username").column


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
    """A page of the room's messages (see ``_page``); ``up_to_seq`` leaves out what committed
    after a point. In plain SQL (chat/rows.py): every socket handshake reads one."""
    where, params = ["m.room_id = %s"], [room.pk]
    for condition, value in (
        ("m.seq <= %s", up_to_seq),
        ("m.id > %s", after),
        ("m.id < %s", before),
    ):
        if value is not None:
            where.append(condition)
            params.append(value)
    order = "ASC" if after is not None else "DESC"
    sql = (
        f"SELECT m.id, u.{_username}, m.content, m.created_at"
        f" FROM {_messages} m JOIN {_users} u ON u.id = m.user_id"
        f" WHERE {' AND '.join(where)} ORDER BY m.id {order} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit + 1])
        found = cursor.fetchall()
    rows = found[:limit] if after is not None else found[:limit][::-1]
    results = [
        RoomMessage(
            id=id_,
            room=room.name,
            user=username,
            message=content,
            timestamp=format_timestamp(aware(created_at)),
        )
        for id_, username, content, created_at in rows
    ]
    return RoomMessagePage(results=results, has_more=len(found) > limit)


def room_last_seqs(room_ids: list[int]) -> dict[int, int]:
    """How far each room's numbered stream has got (its newest message's seq)."""
    return _last_seqs(_rooms, "id", room_ids)


def _last_seqs(table: str, key: str, ids: list[int]) -> dict[int, int]:
    # In plain SQL (chat/rows.py): a handshake reads both kinds. In chunks, because the hub's
    # periodic check asks for every stream it hears, and SQLite caps a query's parameters.
    found: dict[int, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT {key}, last_seq FROM {table} WHERE {key} IN ({marks})", chunk)
            found.update(cursor.fetchall())
    return found


def room_replay(room_id: int, first: int, last: int) -> dict[int, str]:
    """The room's messages numbered ``first`` to ``last``, as the frames their broadcast was."""
    messages = Message.objects.select_related("room", "user").filter(
        room_id=room_id, seq__gte=first, seq__lte=last
    )
    return {message.seq: chat_message_event(message).to_text() for message in messages}


def mailbox_last_seqs(user_ids: list[int]) -> dict[int, int]:
    """How far each user's stream of received private messages has got."""
    return _last_seqs(_mailboxes, "user_id", user_ids)


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
    others = [_other_side(message, user) for message in messages]
    states = conversation_read_states(user, [other.pk for other in others])
    return [
        Conversation(
            user=other.username,
            last_message=private_message_payload(message),
            unread_count=states[other.pk][0],
            last_read_id=states[other.pk][1],
        )
        for message, other in zip(messages, others, strict=True)
    ]


def _other_side(message: DirectMessage, user: User):
    return message.recipient if message.sender_id == user.pk else message.sender
