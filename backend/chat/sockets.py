"""This process's open sockets, by user and by room: what ends a socket's access acts on them.

Access is checked at the handshake; afterwards three things end it (docs/security.md):
- the credential expires: checked on every frame by the consumer, and here once a second for
  sockets that send nothing, with one timer per process rather than one per socket;
- the user's credentials are revoked (logout, deactivation, a password change), and
- the user loses the right to the room (staff rights taken, the room made staff-only).
The last two are published by chat/access.py on the user's or the room's topic, which every
process with a socket for that user or room hears (chat/delivery/hub.py, ``on_control``).

A socket that is opening already hears its topics but is not here yet: its access is read after
it hears them (chat/sessions.py), and what changed in between, committed after that read or not,
is replayed to it when it is added (``changes_seen``, ``add``).
"""

import asyncio
import heapq
import itertools
import json
import logging
import time
import weakref
from collections import defaultdict, deque
from typing import Protocol

from chat.delivery.hub import hub
from chat.errors import BadCredentials, Forbidden
from chat.rooms import check_room_access

logger = logging.getLogger(__name__)

# How often sockets that send nothing are checked for an expired credential.
EXPIRY_CHECK_INTERVAL = 1.0

# How many changes of access are kept for the sockets opening meanwhile: a handshake takes
# milliseconds, and a socket that missed more than this is ended rather than guessed about.
RECENT_CHANGES = 1000


class GuardedSocket(Protocol):
    user: object
    room: object
    expires_at: float | None

    def end(self, error: BadCredentials | Forbidden) -> None:
        """Closes the socket with the error's close code, refusing any frame meanwhile."""


class LocalSockets:
    def __init__(self) -> None:
        # A tuple per user: a user has few sockets (WS_SOCKETS_PER_USER), usually one, and an
        # idle socket should not pay for a set's table (216 bytes against a 1-tuple's 48).
        self.by_user: dict[int, tuple[GuardedSocket, ...]] = {}
        self.by_room: dict[int, set[GuardedSocket]] = defaultdict(set)
        # (expires_at, tie-breaker, weak reference): a renewed or closed socket's old entry is
        # skipped when it comes up, rather than searched for.
        self._expiries: list[tuple[float, int, weakref.ref]] = []
        self._order = itertools.count()
        self._task: asyncio.Task | None = None
        # The last changes heard, numbered (number, topic, change), for ``add``.
        self._changes: deque[tuple[int, str, dict]] = deque(maxlen=RECENT_CHANGES)
        self._changes_heard = 0

    def reset(self) -> None:
        """Forgets every socket (tests: each has an event loop of its own)."""
        self.__init__()

    def changes_seen(self) -> int:
        """Where the changes heard are: taken by an opening socket once it hears its topics,
        before its access is read, and given back to ``add``."""
        return self._changes_heard

    def add(self, socket: GuardedSocket, *, topics: tuple[str, ...], seen: int) -> None:
        """Called once the socket is in its room, with the topics it hears and what
        ``changes_seen`` said before its access was read: the changes heard since on those
        topics are applied to what it knows of its user and room, and it is judged once, on
        the outcome (a revocation among them ends it)."""
        self.by_room[socket.room.pk].add(socket)
        if socket.user.is_authenticated:
            user_id = socket.user.pk
            self.by_user[user_id] = (*self.by_user.get(user_id, ()), socket)
        self.expires(socket)
        if seen == self._changes_heard:
            return  # nothing changed meanwhile: the usual case
        if self._changes_heard - seen > len(self._changes):
            socket.end(BadCredentials("Access changed while the socket opened; reconnect."))
            return
        # Judged once, on the last of each: a demotion undone meanwhile does not end it.
        revoked = None
        for number, topic, change in self._changes:
            if number > seen and topic in topics:
                revoked = _update(socket, topic.partition(".")[0], change) or revoked
        _judge(socket, revoked)

    def remove(self, socket: GuardedSocket) -> None:
        _discard(self.by_room, socket.room.pk, socket)
        if socket.user.is_authenticated:
            user_id = socket.user.pk
            others = tuple(other for other in self.by_user.get(user_id, ()) if other is not socket)
            if others:
                self.by_user[user_id] = others
            else:
                self.by_user.pop(user_id, None)

    def expires(self, socket: GuardedSocket) -> None:
        """Called when the socket's credential gets its expiry (at the handshake, on renewal)."""
        if socket.expires_at is not None:
            entry = (socket.expires_at, next(self._order), weakref.ref(socket))
            heapq.heappush(self._expiries, entry)

    def ensure_running(self) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="credential expiry")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(EXPIRY_CHECK_INTERVAL)
            self.end_expired(time.time())

    def end_expired(self, now: float) -> None:
        while self._expiries and self._expiries[0][0] <= now:
            expires_at, _, ref = heapq.heappop(self._expiries)
            socket = ref()
            if socket is not None and socket.expires_at == expires_at and self._holds(socket):
                socket.end(credential_expired())

    def _holds(self, socket: GuardedSocket) -> bool:
        return socket in self.by_room.get(socket.room.pk, ())

    def on_control(self, topic: str, text: str) -> None:
        """A change of access published on ``topic`` (a user's or a room's): see chat/access.py."""
        kind, _, stream_id = topic.partition(".")
        try:
            change = _read_change(kind, text)
            key = int(stream_id)
        except (ValueError, KeyError, TypeError, AttributeError):
            logger.exception("unreadable access change on %s: %r", topic, text)
            return
        sockets = self.by_user.get(key, ()) if kind == "user" else tuple(self.by_room.get(key, ()))
        for socket in sockets:
            _judge(socket, _update(socket, kind, change))
        self._changes_heard += 1
        self._changes.append((self._changes_heard, topic, change))


def _read_change(kind: str, text: str) -> dict:
    """The change published by chat/access.py, checked: raises if it is not one."""
    change = json.loads(text)
    if kind == "user" and isinstance(change.get("revoked"), str):
        return {"revoked": change["revoked"]}
    if kind == "user" and isinstance(change.get("is_staff"), bool):
        return {"is_staff": change["is_staff"]}
    if kind == "room" and isinstance(change.get("admin_only"), bool):
        return {"admin_only": change["admin_only"]}
    raise ValueError("not a change of access")


def _update(socket: GuardedSocket, kind: str, change: dict) -> str | None:
    """Applies ``change`` (on the socket's user's or room's topic) to what the socket knows of
    its user and room; the reason, for a revocation."""
    if "revoked" in change:
        return change["revoked"]
    if kind == "user":
        socket.user.is_staff = change["is_staff"]
    else:
        socket.room.admin_only = change["admin_only"]
    return None


def _judge(socket: GuardedSocket, revoked: str | None) -> None:
    if revoked:
        socket.end(BadCredentials(revoked))
    else:
        _end_unless_allowed(socket)


def _end_unless_allowed(socket: GuardedSocket) -> None:
    try:
        check_room_access(user=socket.user, room=socket.room)
    except Forbidden as refused:
        socket.end(refused)


def credential_expired() -> BadCredentials:
    return BadCredentials("The credentials expired; renew them or reconnect.")


def _discard(index: dict[int, set], key: int, socket: GuardedSocket) -> None:
    sockets = index.get(key)
    if sockets is not None:
        sockets.discard(socket)
        if not sockets:
            del index[key]


local_sockets = LocalSockets()
hub.on_control = local_sockets.on_control
