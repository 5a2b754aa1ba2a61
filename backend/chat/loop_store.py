"""Storing a room message from the event loop itself, on PostgreSQL.

A room message is the one write made for every message of every room, and running it in the
service threads (chat/threads.py) cost more CPU than the write: the call handed over and its
result back, and the GIL handed between a thread and the loop around each round trip
(docs/performance.md, "Room messages stored from the event loop"). On PostgreSQL the insert is
one statement (chat/store.py), which an asynchronous connection runs on the loop instead.

It settles only the usual case, a new message stored. A refusal (the room is gone, the author
may no longer write in it) and a resend (a ``client_id`` already stored) are left to the
thread path, which tells them apart with the ORM; so is everything on another database.

The connections are a psycopg_pool pool of the loop's own (at most
``LOOP_DATABASE_CONNECTIONS``), opened at the first message and kept: each holds a room's row
locked only for one autocommitted statement. As with Django's connections (no health check, see
config/settings.py), a connection that died (the database restarted) fails the one message it
is next given, an internal error the client resends, and is then replaced.
"""

import asyncio
from functools import cache, cached_property

import psycopg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.utils import timezone
from psycopg_pool import AsyncConnectionPool

from chat.models import Message, Room
from chat.store import room_message_statement, room_message_stored

# How long a message waits for a free connection before it fails (an internal error the
# client resends).
CONNECTION_WAIT = 5.0
APPLICATION_NAME = "chat loop"


def enabled() -> bool:
    return settings.CHAT["LOOP_DATABASE_CONNECTIONS"] > 0 and _on_postgresql()


@cache
def _on_postgresql() -> bool:
    # Once: through Django's per-thread connection proxy, it costs about 5 µs a message.
    return connection.vendor == "postgresql"


async def room_message_insert(
    *, room: Room, user: AbstractBaseUser, content: str, client_id: str | None
) -> Message | None:
    """chat/store.py's ``room_message_insert``, committed; None where that one raises (a
    refusal, a reused client_id), which the caller then leaves to it."""
    created_at = timezone.now()
    statement, params = room_message_statement(room, user, content, client_id, created_at)
    pool = await _connections.ready()
    async with pool.connection() as conn:
        cursor = conn.message_cursor
        try:
            await cursor.execute(statement, params)
        except psycopg.errors.UniqueViolation:
            return None
        row = await cursor.fetchone()
    if row is None:
        return None
    return room_message_stored(row, room, user, content, client_id, created_at)


async def close() -> None:
    """Closes the connections (tests: each has an event loop of its own)."""
    await _connections.close()


class _LoopConnection(psycopg.AsyncConnection):
    """One of the loop's connections, with the cursor its messages run on: a new cursor per
    message (``conn.execute``) costs about 30 µs of CPU more (docs/performance.md)."""

    @cached_property
    def message_cursor(self) -> psycopg.AsyncCursor:
        return self.cursor()


class _LoopConnections:
    """The pool of the running loop: made at its first message, and opened once."""

    def __init__(self) -> None:
        self._pool: AsyncConnectionPool | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._open = False

    async def ready(self) -> AsyncConnectionPool:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._pool, self._loop, self._open = _new_pool(), loop, False
        pool = self._pool
        if not self._open:
            # Safe to repeat (the messages sent meanwhile do). It starts connecting; a message
            # waits up to CONNECTION_WAIT for a connection.
            await pool.open()
            self._open = pool is self._pool
        return pool

    async def close(self) -> None:
        pool, self._pool, self._loop, self._open = self._pool, None, None, False
        if pool is not None:
            await pool.close()


def _new_pool() -> AsyncConnectionPool:
    params = connection.get_connection_params()
    params.pop("cursor_factory")  # Django's, for synchronous connections
    # Tells them apart in pg_stat_activity, unless the deployment names its connections.
    params.setdefault("application_name", APPLICATION_NAME)
    return AsyncConnectionPool(
        connection_class=_LoopConnection,
        kwargs={**params, "autocommit": True},
        min_size=1,
        max_size=settings.CHAT["LOOP_DATABASE_CONNECTIONS"],
        timeout=CONNECTION_WAIT,
        open=False,
        name="loop",
    )


_connections = _LoopConnections()
