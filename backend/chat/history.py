"""Reading messages: REST pages, a new socket's history, and live delivery's gap filling."""

from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection
from django.db.models import Max, Q, QuerySet

from chat.models import (
    DirectMessage,
    Mailbox,
    MailboxChange,
    Message,
    Reaction,
    Room,
    RoomChange,
)
from chat.payloads import (
    chat_message_event,
    optional_timestamp,
    private_message_event,
    private_message_payload,
    reaction_summaries,
)
from chat.protocol import (
    Conversation,
    PrivateMessage,
    PrivateMessagePage,
    RoomMessage,
    RoomMessagePage,
    format_timestamp,
)
from chat.rows import Joined, Read, aware, fetch_all
from chat.unread import conversation_read_states

User = AbstractBaseUser | AnonymousUser

_messages, _rooms = Message._meta.db_table, Room._meta.db_table
_reactions = Reaction._meta.db_table
_mailboxes = Mailbox._meta.db_table
_users = get_user_model()._meta.db_table
_username = get_user_model()._meta.get_field("username").column


def room_messages_page(
    *,
    room: Room,
    before: int | None = None,
    after: int | None = None,
    limit: int,
) -> RoomMessagePage:
    """A page of the room's messages: the newest ``limit`` (before ``before``), or with
    ``after`` the oldest ``limit`` after it. In plain SQL (chat/rows.py)."""
    sql, params = _page_query(room.pk, before=before, after=after, limit=limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return _room_page(room.name, cursor.fetchall(), after=after, limit=limit)


class RoomSnapshot(NamedTuple):
    page: RoomMessagePage
    # Where the room's stream and the user's mailbox were when the page was read (0: nowhere).
    room_seq: int
    mailbox_seq: int
    # The rows of the reads made in the same statement (chat/rows.py), in their order.
    rows: list


class SnapshotRead(NamedTuple):
    """What ``room_snapshot`` reads for one socket."""

    room_id: int
    room_name: str
    user_id: int | None
    after: int | None
    limit: int
    reads: tuple[Read | None, ...] = ()


def room_snapshot(
    *,
    room_id: int,
    room_name: str,
    user_id: int | None,
    after: int | None,
    limit: int,
    reads: tuple[Read | None, ...] = (),
) -> RoomSnapshot:
    """A new socket's page of history (``room_messages_page``'s) and the positions of its
    streams, read in one statement, so at one moment: the page holds exactly the room's
    messages up to ``room_seq`` (each commits with its seq's bump). ``reads`` are read
    with it: for a handshake, the socket's user and room (``room_snapshots``, for a batch)."""
    wanted = SnapshotRead(room_id, room_name, user_id, after, limit, reads)
    return room_snapshots([wanted])[0]


def room_snapshots(wanted: list[SnapshotRead]) -> list[RoomSnapshot]:
    """``room_snapshot`` for each of several sockets, in their order, with one round trip for
    them all (chat/rows.py, ``fetch_all``): the handshakes of a batch."""
    statements, joins = [], []
    for want in wanted:
        page_sql, page_params = _page_query(want.room_id, after=want.after, limit=want.limit)
        joined = Joined(want.reads)
        # One row even for an empty room: the page's columns are then NULL.
        sql = (
            f"SELECT here.room_seq, here.mailbox_seq, {joined.columns or 'NULL'}, page.* FROM"
            f" (SELECT (SELECT last_seq FROM {_rooms} WHERE id = %s) AS room_seq,"
            f" (SELECT last_seq FROM {_mailboxes} WHERE user_id = %s) AS mailbox_seq) here"
            f" {joined.joins} LEFT JOIN ({page_sql}) page ON 1 = 1"
            f" ORDER BY page.id {_order(want.after)}"
        )
        statements.append((sql, [want.room_id, want.user_id, *joined.params, *page_params]))
        joins.append(joined)
    found = fetch_all(statements)
    return [
        _snapshot_of(want, joined, rows)
        for want, joined, rows in zip(wanted, joins, found, strict=True)
    ]


def _snapshot_of(want: SnapshotRead, joined: Joined, found: list[tuple]) -> RoomSnapshot:
    room_seq, mailbox_seq = found[0][0] or 0, found[0][1] or 0
    start = 2 + (joined.width or 1)
    rows = [row[start:] for row in found if row[start] is not None]
    page = _room_page(want.room_name, rows, after=want.after, limit=want.limit)
    return RoomSnapshot(page, room_seq, mailbox_seq, joined.rows(found[0][2:start]))


def _page_query(
    room_id: int, *, before: int | None = None, after: int | None = None, limit: int
) -> tuple[str, list]:
    """One more than ``limit`` rows, to tell whether there are more; newest first, or with
    ``after`` oldest first."""
    where, params = ["m.room_id = %s"], [room_id]
    for condition, value in (("m.id > %s", after), ("m.id < %s", before)):
        if value is not None:
            where.append(condition)
            params.append(value)
    # Whether a message has reactions comes with it: most pages have none, and then the page
    # is this one query.
    sql = (
        f"SELECT m.id AS id, u.{_username} AS username, m.content AS content,"
        " m.created_at AS created_at, m.edited_at AS edited_at, m.deleted_at AS deleted_at,"
        f" EXISTS (SELECT 1 FROM {_reactions} r WHERE r.message_id = m.id) AS has_reactions"
        f" FROM {_messages} m JOIN {_users} u ON u.id = m.user_id"
        f" WHERE {' AND '.join(where)} ORDER BY m.id {_order(after)} LIMIT %s"
    )
    return sql, [*params, limit + 1]


def _order(after: int | None) -> str:
    return "ASC" if after is not None else "DESC"


def _room_page(
    room_name: str, found: list[tuple], *, after: int | None, limit: int
) -> RoomMessagePage:
    """The page of ``_page_query``'s rows, oldest first."""
    rows = found[:limit] if after is not None else found[:limit][::-1]
    reactions = reaction_summaries([row[0] for row in rows if row[6]])
    results = [
        RoomMessage(
            id=id_,
            room=room_name,
            user=username,
            message=content,
            timestamp=format_timestamp(aware(created_at)),
            edited_at=optional_timestamp(edited_at and aware(edited_at)),
            deleted=deleted_at is not None,
            reactions=reactions.get(id_, []),
        )
        for id_, username, content, created_at, edited_at, deleted_at, _ in rows
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
    """What the room's stream numbered ``first`` to ``last``, as frames: its messages (in their
    current state: a deleted one as its tombstone) and its changes (as they were broadcast)."""
    messages = list(
        Message.objects.select_related("room", "user").filter(
            room_id=room_id, seq__gte=first, seq__lte=last
        )
    )
    reactions = reaction_summaries([message.id for message in messages])
    frames = {
        message.seq: chat_message_event(message, reactions.get(message.id)).to_text()
        for message in messages
    }
    changes = RoomChange.objects.filter(room_id=room_id, seq__gte=first, seq__lte=last)
    return frames | _logged_frames(changes)


def _logged_frames(changes: QuerySet) -> dict[int, str]:
    # A change of a message deleted since has no frame: its number is skipped.
    return dict(changes.exclude(frame=None).values_list("seq", "frame"))


def mailbox_last_seqs(user_ids: list[int]) -> dict[int, int]:
    """How far each user's stream of received private messages has got."""
    return _last_seqs(_mailboxes, "user_id", user_ids)


def private_replay(user_id: int, first: int, last: int) -> dict[int, str]:
    """The private messages to the user numbered ``first`` to ``last``, as broadcast."""
    messages = DirectMessage.objects.select_related("sender", "recipient").filter(
        recipient_id=user_id, recipient_seq__gte=first, recipient_seq__lte=last
    )
    frames = {
        message.recipient_seq: private_message_event(message).to_text() for message in messages
    }
    changes = MailboxChange.objects.filter(user_id=user_id, seq__gte=first, seq__lte=last)
    return frames | _logged_frames(changes)


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
    rows, has_more = _page(
        messages.values_list(*columns, "edited_at", "deleted_at"), before, after, limit
    )
    payloads = [
        PrivateMessage(
            id=id_,
            user=sender,
            to=recipient,
            message=content,
            timestamp=format_timestamp(created_at),
            edited_at=optional_timestamp(edited_at),
            deleted=deleted_at is not None,
        )
        for id_, sender, recipient, content, created_at, edited_at, deleted_at in rows
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
