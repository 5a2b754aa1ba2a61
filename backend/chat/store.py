"""Storing a message with the next number of its stream (its room, or its recipient's mailbox).

PostgreSQL hands out ids at INSERT, not at COMMIT, so with plain inserts a message with a lower
id can become visible after one with a higher id, and a reader's "largest id seen" cursor would
skip it for good. Here every insert first bumps its stream's counter (``Room.last_seq``,
``Mailbox.last_seq``): that row lock is held until the insert commits, so the stream's next
message gets its number, and its id, only after this one committed. Within a stream, numbers and
ids therefore follow commit order, and numbers have no holes (a refused insert rolls its bump
back too). Live delivery relies on both (chat/delivery/sequencer.py). Edits, deletions and
reactions take their numbers from the same counters (``room_seq_take``, ``mailbox_seqs_take``),
so they are in the same order as the messages, in every socket's stream (chat/changes.py).

A private message also locks its sender's mailbox (without bumping it), so that all the private
messages to *or from* a user commit in id order: the catch-up cursor of
``GET /api/dms/messages/?after=`` covers both. The two rows are always locked in user id order,
so two people writing to each other at once cannot deadlock.
"""

from contextlib import nullcontext
from itertools import chain

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from chat.errors import Forbidden, NotAuthenticated, RoomNotFound
from chat.models import DirectMessage, Mailbox, Message, Room

_room, _mailbox = Room._meta.db_table, Mailbox._meta.db_table
_message, _direct = Message._meta.db_table, DirectMessage._meta.db_table
_user = get_user_model()._meta.db_table

# The author's right to write is checked in the same statement, at the moment of writing: access
# lost since the socket opened (deactivated, no longer staff) refuses the very next message.
_NEXT_ROOM_SEQ = (
    f"UPDATE {_room} SET last_seq = last_seq + 1 WHERE id = %s AND EXISTS (SELECT 1 FROM {_user}"
    f" WHERE id = %s AND is_active AND (is_staff OR NOT {_room}.admin_only)) RETURNING last_seq"
)
# (user, bump) rows in user id order: the recipient's with 1, the sender's with 0 (locked only).
_NEXT_MAILBOX_SEQ = (
    f"INSERT INTO {_mailbox} (user_id, last_seq) VALUES {{rows}} ON CONFLICT (user_id)"
    f" DO UPDATE SET last_seq = {_mailbox}.last_seq + EXCLUDED.last_seq"
    " RETURNING user_id, last_seq"
)
# Both read the number from ``next``: the bump itself on PostgreSQL, its result elsewhere.
_INSERT_MESSAGE = (
    f"INSERT INTO {_message} (room_id, seq, user_id, content, client_id, created_at)"
    " SELECT %s, last_seq, %s, %s, %s, %s FROM next RETURNING id, seq"
)
_ROOM_MESSAGE_STATEMENT = f"WITH next AS ({_NEXT_ROOM_SEQ}) {_INSERT_MESSAGE}"
_INSERT_DIRECT = (
    f"INSERT INTO {_direct}"
    " (recipient_id, recipient_seq, sender_id, content, client_id, created_at)"
    " SELECT user_id, last_seq, %s, %s, %s, %s FROM next WHERE user_id = %s"
    " RETURNING id, recipient_seq"
)


def room_message_insert(
    *, room: Room, user: AbstractBaseUser, content: str, client_id: str | None
) -> Message:
    """Insert one message as the room's next seq; raises IntegrityError for a reused client_id,
    and the refusal when the room is gone or the author may no longer write in it."""
    created_at = timezone.now()
    params = [room.pk, user.pk, content, client_id, _db_time(created_at)]
    row = _insert_numbered(_NEXT_ROOM_SEQ, [room.pk, user.pk], _INSERT_MESSAGE, params)
    if row is None:
        raise _room_refusal(room, user)
    return room_message_stored(row, room, user, content, client_id, created_at)


def room_message_statement(
    room: Room, user: AbstractBaseUser, content: str, client_id: str | None, created_at
) -> tuple[str, list]:
    """PostgreSQL's one statement for ``room_message_insert``, with its parameters, for a
    connection of the event loop's (chat/loop_store.py). It returns the row to give
    ``room_message_stored``, or none when the insert is refused."""
    ids = [room.pk, user.pk]  # the bump's, then the insert's
    return _ROOM_MESSAGE_STATEMENT, [*ids, *ids, content, client_id, created_at]


def room_message_stored(
    row: tuple[int, int],
    room: Room,
    user: AbstractBaseUser,
    content: str,
    client_id: str | None,
    created_at,
) -> Message:
    message_id, seq = row
    return Message(
        id=message_id,
        seq=seq,
        room=room,
        user=user,
        content=content,
        client_id=client_id,
        created_at=created_at,
    )


def private_message_insert(
    *,
    sender: AbstractBaseUser,
    recipient: AbstractBaseUser,
    content: str,
    client_id: str | None,
) -> DirectMessage:
    """Insert one private message as the recipient's next; IntegrityError for a reused client_id."""
    created_at = timezone.now()
    bumps = {sender.pk: 0} | {recipient.pk: 1}  # one row for a message to oneself
    rows = sorted(bumps.items())
    next_seq = _NEXT_MAILBOX_SEQ.format(rows=", ".join(["(%s, %s)"] * len(rows)))
    next_params = [value for row in rows for value in row]
    params = [sender.pk, content, client_id, _db_time(created_at), recipient.pk]
    message_id, seq = _insert_numbered(next_seq, next_params, _INSERT_DIRECT, params)
    return DirectMessage(
        id=message_id,
        recipient_seq=seq,
        sender=sender,
        recipient=recipient,
        content=content,
        client_id=client_id,
        created_at=created_at,
    )


def room_seq_take(*, room: Room, user: AbstractBaseUser) -> int:
    """The room's next seq, for a change (an edit, a deletion, a reaction) made in the current
    transaction: the room stays locked until it commits, so changes and messages commit in seq
    order. Raises the refusal when the user may no longer write in the room, as for messages."""
    with connection.cursor() as cursor:
        cursor.execute(_NEXT_ROOM_SEQ, [room.pk, user.pk])
        row = cursor.fetchone()
    if row is None:
        raise _room_refusal(room, user)
    return row[0]


def mailbox_seqs_take(user_ids: list[int]) -> dict[int, int]:
    """The next seq of each user's mailbox, for a change to a private message between them made
    in the current transaction (locked in user id order, as for sending: no deadlock)."""
    rows = [(user_id, 1) for user_id in sorted(set(user_ids))]
    sql = _NEXT_MAILBOX_SEQ.format(rows=", ".join(["(%s, %s)"] * len(rows)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return dict(cursor.fetchall())


def _room_refusal(room: Room, user: AbstractBaseUser) -> Exception:
    if not Room.objects.filter(pk=room.pk).exists():
        return RoomNotFound("The room no longer exists.")
    if not get_user_model().objects.filter(pk=user.pk, is_active=True).exists():
        return NotAuthenticated("The account is no longer active.")
    return Forbidden("This room is for staff only.")


def _db_time(moment):
    return connection.ops.adapt_datetimefield_value(moment)


def _insert_numbered(
    next_seq: str, next_params: list, insert: str, params: list
) -> tuple[int, int] | None:
    """Runs ``insert``, which reads its number from ``next``, after the ``next_seq`` bump; None
    when the bump matched no row (only a room's can: see ``_NEXT_ROOM_SEQ``)."""
    if connection.vendor == "postgresql":
        return _insert_in_one_statement(next_seq, next_params, insert, params)
    return _insert_in_one_transaction(next_seq, next_params, insert, params)


def _insert_in_one_statement(
    next_seq: str, next_params: list, insert: str, params: list
) -> tuple[int, int] | None:
    # One round trip; the counters' rows are locked only for as long as the statement (and its
    # commit, when autocommitting) takes. Inside a transaction, a refused insert must roll back
    # to a savepoint, not doom the rest of it.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        cursor.execute(f"WITH next AS ({next_seq}) {insert}", [*next_params, *params])
        return cursor.fetchone()


def _insert_in_one_transaction(
    next_seq: str, next_params: list, insert: str, params: list
) -> tuple[int, int] | None:
    # SQLite has no data-modifying CTEs; it also has one writer at a time, so two statements in
    # one transaction give the same order. ``next`` is then the bump's result, as a table.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(next_seq, next_params)
        bumped = cursor.fetchall()
        if not bumped:
            return None
        columns = ", ".join(column[0] for column in cursor.description)
        row = "(" + ", ".join(["%s"] * len(bumped[0])) + ")"
        next_table = f"WITH next ({columns}) AS (VALUES {', '.join([row] * len(bumped))})"
        cursor.execute(f"{next_table} {insert}", [*chain.from_iterable(bumped), *params])
        return cursor.fetchone()
