"""Storing a room message with its per-room sequence number, in commit order.

PostgreSQL hands out ids at INSERT, not at COMMIT, so with plain inserts a message with a lower
id can become visible after one with a higher id, and a reader's "largest id seen" cursor would
skip it for good. Here every insert first bumps its room's ``last_seq``: that row lock is held
until the insert commits, so the next message of the room gets both its seq and its id only
after this one committed. Within a room, seq and id order are therefore commit order, and seqs
have no holes (a rolled-back insert rolls its bump back too).
"""

from contextlib import nullcontext
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone

from chat.models import Message, Room

_message = Message._meta.db_table
_room = Room._meta.db_table

# PostgreSQL: one statement, so one round trip, and the room's row is locked only for as long as
# the statement (and its commit, when autocommitting) takes.
_INSERT_IN_ORDER = f"""
WITH next AS (
    UPDATE {_room} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq
)
INSERT INTO {_message} (room_id, seq, user_id, content, client_id, created_at)
SELECT %s, last_seq, %s, %s, %s, %s FROM next
RETURNING id, seq
"""


def room_message_insert(
    *, room: Room, user: AbstractBaseUser, content: str, client_id: str | None
) -> Message:
    """Insert one message as the room's next seq; raises IntegrityError for a reused client_id."""
    insert = _insert_postgresql if connection.vendor == "postgresql" else _insert_portable
    message_id, seq, created_at = insert(room.pk, user.pk, content, client_id, timezone.now())
    return Message(
        id=message_id,
        seq=seq,
        room=room,
        user=user,
        content=content,
        client_id=client_id,
        created_at=created_at,
    )


def _insert_postgresql(
    room_id: int, user_id: int, content: str, client_id: str | None, created_at: datetime
) -> tuple[int, int, datetime]:
    # Inside a transaction, a refused insert must roll back to a savepoint, not doom the rest.
    savepoint = transaction.atomic() if connection.in_atomic_block else nullcontext()
    with savepoint, connection.cursor() as cursor:
        params = [room_id, room_id, user_id, content, client_id, created_at]
        cursor.execute(_INSERT_IN_ORDER, params)
        row = cursor.fetchone()
    if row is None:
        raise Room.DoesNotExist(f"room {room_id} is gone")
    return row[0], row[1], created_at


def _insert_portable(
    room_id: int, user_id: int, content: str, client_id: str | None, created_at: datetime
) -> tuple[int, int, datetime]:
    # SQLite has no data-modifying CTEs; it also has one writer at a time, so the two statements
    # in one transaction give the same order.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_room} SET last_seq = last_seq + 1 WHERE id = %s RETURNING last_seq",
            [room_id],
        )
        row = cursor.fetchone()
        if row is None:
            raise Room.DoesNotExist(f"room {room_id} is gone")
        message = Message.objects.create(
            room_id=room_id,
            seq=row[0],
            user_id=user_id,
            content=content,
            client_id=client_id,
            created_at=created_at,
        )
    # auto_now_add stamped its own time; keep the one that was stored.
    return message.id, message.seq, message.created_at
