"""What happens when a socket opens or closes in a room: presence, the snapshot, the keep-alive."""

import asyncio
import logging
import threading
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from redis.exceptions import RedisError

from accounts.websocket import Claim, Identity, claimed_identity
from chat.changes import room_changes_page
from chat.delivery.hub import envelope, room_topic
from chat.errors import TooManySockets
from chat.history import RoomSnapshot, SnapshotRead, room_snapshots
from chat.models import Room
from chat.presence import Announcement, Connection, Entered, Entry, presence_store
from chat.protocol import (
    HistoryEvent,
    RoomMessagePage,
    UserJoinEvent,
    UserLeaveEvent,
    UserListEvent,
)
from chat.rooms import room_checked, room_id_named, room_read
from chat.rows import fetch_each
from chat.slots import Slot
from chat.threads import in_thread, outcome_of

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser


class Snapshot(NamedTuple):
    """What a new socket is sent first, and where its live streams must take over."""

    users: UserListEvent
    history: HistoryEvent
    # The room's last seq when the snapshot was read: live messages up to it are in the history
    # (or, when has_more, behind it over REST), so they are not sent live.
    last_seq: int
    # The user's mailbox position at the same moment (0 for anonymous sockets).
    mailbox_seq: int


def socket_check(*, claim: Claim, room_name: str) -> int:
    """The checks ``sessions_start`` makes, in its order (4401 before 4404 and 4403), for a
    socket whose room's id the process could not tell: raises the refusal, or returns the id."""
    # The user and the room in one statement (chat/rows.py).
    user, room = fetch_each(claim.user_read(), room_read(room_name))
    identity = claimed_identity(claim, user)
    return room_checked(room, user=identity.user, name=room_name).pk


def socket_slot(user: User, connection: str, address: str | None) -> tuple[Slot, int]:
    """The socket's slot, and how many its owner may hold: the user's, or for an anonymous
    socket its address's."""
    if user.is_authenticated:
        return (f"user:{user.pk}", connection), settings.CHAT["WS_SOCKETS_PER_USER"]
    return (f"address:{address}", connection), settings.CHAT["WS_SOCKETS_PER_ADDRESS"]


class Opened(NamedTuple):
    identity: Identity
    room: Room
    snapshot: Snapshot


class Start(NamedTuple):
    """A socket that already hears the room ``room_id`` (known to the process to be called
    ``room_name``) and its user's topic, for ``sessions_start``."""

    claim: Claim
    room_id: int
    room_name: str
    connection: str
    address: str | None
    after: int | None


def sessions_start(starts: list[Start]) -> list[Opened | None | Exception]:
    """Opens the session of each socket of a batch (chat/threads.py, ``in_thread_batches``),
    which already hears its topics: the user and the room are read with the snapshot, after
    the topics are heard (so that a change of access after the read reaches the socket), and
    checked before anything else is done. Each outcome is the socket's own: what it opened,
    None, having done nothing, when ``room_name`` is no longer that room (renamed, or made anew:
    the consumer then finds its id with ``socket_check``), or the error it met. All the
    snapshots take one round trip to the database, and the presence entries of those that
    passed their checks one to Redis."""
    reads = _snapshots(starts)
    outcomes = [_checked(start, read) for start, read in zip(starts, reads, strict=True)]
    passed = [(index, *found) for index, found in enumerate(outcomes) if type(found) is _Passed]
    sockets = [(room, identity.user, starts[index].connection) for index, identity, room in passed]
    for (index, identity, room), online in zip(passed, presence_enter_all(sockets), strict=True):
        outcomes[index] = _opened(starts[index], identity, room, reads[index], online)
    return outcomes


class _Passed(NamedTuple):
    identity: Identity
    room: Room


def _checked(start: Start, read: RoomSnapshot | Exception) -> _Passed | None | Exception:
    """The socket's user and room, checked in ``socket_check``'s order, its slot then awaited;
    None where the name is no longer the room's."""
    if isinstance(read, Exception):
        return read
    try:
        user, room = read.rows
        identity = claimed_identity(start.claim, user)
        room = room_checked(room, user=identity.user, name=start.room_name)
    except Exception as error:
        return error
    if room.pk != start.room_id:
        return None
    keeper.await_slot(start.connection, socket_slot(identity.user, start.connection, start.address))
    return _Passed(identity, room)


def _opened(
    start: Start, identity: Identity, room: Room, read: RoomSnapshot, online: list[str] | Exception
) -> Opened | Exception:
    try:
        if isinstance(online, Exception):
            raise online
        changed = changes_since(room, start.after)
    except Exception as error:
        # As the consumer does when it fails after this: an entry made is taken back.
        try:
            session_close(
                room=room, user=identity.user, connection=start.connection, address=start.address
            )
        except RedisError as close_error:
            logger.warning("closing the session failed for %s: %r", identity.user, close_error)
        return error
    return Opened(identity, room, snapshot_of(online, read, changed))


def _snapshots(starts: list[Start]) -> list[RoomSnapshot | Exception]:
    """Each start's snapshot, with its user and room: in one round trip, or where that fails
    (one socket's statement can fail them all), one each, so that only a failing one fails."""
    wanted = [
        SnapshotRead(
            start.room_id,
            start.room_name,
            start.claim.user_id,
            start.after,
            history_limit(start.after),
            (start.claim.user_read(), room_read(start.room_name)),
        )
        for start in starts
    ]
    try:
        return room_snapshots(wanted)
    except Exception as error:
        if len(wanted) == 1:
            return [error]
    reads: list[RoomSnapshot | Exception] = []
    for want in wanted:
        try:
            reads += room_snapshots([want])
        except Exception as error:
            reads.append(error)
    return reads


def history_limit(after: int | None) -> int:
    return settings.CHAT["HISTORY_SIZE"] if after is None else settings.CHAT["RESUME_LIMIT"]


def changes_since(room: Room, after: int | None) -> RoomMessagePage | None:
    """On resume, what changed since in the messages the client holds; later ones come live."""
    if after is None:
        return None
    return room_changes_page(room=room, after=after, limit=history_limit(after))


def snapshot_of(online: list[str], read: RoomSnapshot, changed: RoomMessagePage | None) -> Snapshot:
    history = HistoryEvent(
        messages=read.page.results,
        has_more=read.page.has_more,
        changed=changed.results if changed else [],
        changed_more=changed.has_more if changed else False,
    )
    return Snapshot(UserListEvent(users=online), history, read.room_seq, read.mailbox_seq)


def presence_enter_all(sockets: list[tuple[Room, User, str]]) -> list[list[str] | Exception]:
    """Takes each socket's slot and, for a user, puts it into the room's presence and
    announces the user if this is their first socket there (chat/presence.py): for each
    (room, user, connection), all in one round trip, each outcome on its own: who is online,
    or the error (TooManySockets, or Redis's)."""
    entries = [_presence_entry(room, user, connection) for room, user, connection in sockets]
    try:
        entered_all = presence_store().enter_all(entries)
    except Exception as error:  # none is known to have entered: each is closed again
        entered_all = [error] * len(entries)
    return [
        entered if isinstance(entered, Exception) else outcome_of(_presence_entered, entry, entered)
        for entry, entered in zip(entries, entered_all, strict=True)
    ]


def _presence_entry(room: Room, user: User, connection: str) -> Entry:
    slot, limit = keeper.awaited_slot(connection)
    username = user.username if user.is_authenticated else None
    # The joining socket hears its user_join too, but drops it: it names itself as the origin.
    announce = None if username is None else user_joined(room.pk, username, origin=connection)
    return Entry(room.pk, username, connection, slot, limit, announce)


def _presence_entered(entry: Entry, entered: Entered | None) -> list[str]:
    if entered is None:
        raise TooManySockets()
    keeper.track_slot(entry.slot)
    if entry.username is not None:
        keeper.track((entry.room_id, entry.username, entry.connection))
    return entered.online


def session_close(*, room: Room, user: User, connection: str, address: str | None) -> None:
    """Called when a socket that was identified closes: gives back its slot, leaves presence and
    announces the user's departure if it was their last socket there, in one round trip. A
    socket refused its slot holds none, and giving it back is a no-op."""
    slot, _ = socket_slot(user, connection, address)
    username = user.username if user.is_authenticated else None
    keeper.awaited_slot(connection)  # closed before it opened
    keeper.forget_slot(slot)
    if username is not None:
        keeper.forget((room.pk, username, connection))
    # No longer renewed from here on: what fails below (Redis away) expires by itself.
    left = None if username is None else user_left(room.pk, username)
    presence_store().leave(room.pk, username, connection, slot=slot, announce=left)


class PresenceKeeper:
    """Keeps this process's sockets alive in Redis with one timer per process.

    A socket costs nothing between its join and leave: the timer renews all of their presence
    entries in one round trip and, in the same beat, sweeps out the entries of processes that
    died. An entry that vanished while its socket lives (this process stalled past the TTL, or
    Redis lost its data) is put back and announced again.
    """

    def __init__(self) -> None:
        # Written from the socket handlers' worker threads, read by the timer's.
        self._lock = threading.Lock()
        self._connections: set[Connection] = set()
        # The sockets' slots (chat/slots.py), renewed on the same beat.
        self._slots: set[Slot] = set()
        # The slot and its owner's limit of each socket identified but not yet opened, by
        # connection. Only a socket whose task is cancelled while it is being identified (the
        # server stopping) leaves its entry behind.
        self._awaiting: dict[str, tuple[Slot, int]] = {}
        self._task: asyncio.Task | None = None

    def track(self, connection: Connection) -> None:
        with self._lock:
            self._connections.add(connection)

    def forget(self, connection: Connection) -> None:
        with self._lock:
            self._connections.discard(connection)

    def track_slot(self, slot: Slot) -> None:
        with self._lock:
            self._slots.add(slot)

    def forget_slot(self, slot: Slot) -> None:
        with self._lock:
            self._slots.discard(slot)

    def await_slot(self, connection: str, slot: tuple[Slot, int]) -> None:
        with self._lock:
            self._awaiting[connection] = slot

    def awaited_slot(self, connection: str) -> tuple[Slot, int] | None:
        with self._lock:
            return self._awaiting.pop(connection, None)

    def clear(self) -> None:
        with self._lock:
            self._connections.clear()
            self._slots.clear()
            self._awaiting.clear()

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._connections)

    def slots(self) -> list[Slot]:
        with self._lock:
            return list(self._slots)

    def ensure_running(self) -> None:
        """Called from the event loop; starts the timer on this loop if it is not running."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="presence-keeper")

    async def _run(self) -> None:
        interval = settings.CHAT["PRESENCE_SWEEP_INTERVAL"]
        while True:
            await asyncio.sleep(interval)
            try:
                await in_thread(self.beat)()
            except Exception as error:
                # Redis may be briefly away; the next beat tries again well before the TTL.
                logger.warning("presence keep-alive failed: %r", error)

    def beat(self) -> None:
        # Announced by the presence store, in order with the sockets' own (see enter).
        store = presence_store()
        for room_id, username, connection in store.renew(self.connections(), self.slots()):
            store.enter(room_id, username, connection, announce=user_joined(room_id, username))
        store.sweep(farewell=user_left)


def user_joined(room_id: int, username: str, *, origin: str = "") -> Announcement:
    return room_topic(room_id), envelope(UserJoinEvent(user=username), origin=origin)


def user_left(room_id: int, username: str) -> Announcement:
    return room_topic(room_id), envelope(UserLeaveEvent(user=username))


keeper = PresenceKeeper()


class KnownRooms:
    """The id of each room this process opened a socket in, by name, so that the next socket
    can hear the room before its handshake reads anything (``sessions_start``). Only a hint:
    that read checks it. Bounded: forgotten all at once when full, and learned again."""

    LIMIT = 10_000

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._finding: dict[str, asyncio.Task[int | None]] = {}

    def get(self, name: str) -> int | None:
        return self._ids.get(name)

    async def find(self, name: str) -> int | None:
        """The id, known or looked up (None if no room has the name). The sockets of a room
        that arrive together, as after a restart, share one look-up."""
        room_id = self._ids.get(name)
        if room_id is not None:
            return room_id
        finding = self._finding.get(name)
        if finding is None:
            finding = asyncio.ensure_future(self._look_up(name))
            self._finding[name] = finding
            finding.add_done_callback(lambda _: self._finding.pop(name, None))
        # Shielded: a socket that goes away does not cancel the others' look-up.
        return await asyncio.shield(finding)

    async def _look_up(self, name: str) -> int | None:
        room_id = await look_up_room_id(name)
        if room_id is not None:
            self.learn(name, room_id)
        return room_id

    def learn(self, name: str, room_id: int) -> None:
        if len(self._ids) >= self.LIMIT and name not in self._ids:
            self._ids.clear()
        self._ids[name] = room_id

    def forget(self, name: str) -> None:
        self._ids.pop(name, None)

    def clear(self) -> None:
        self._ids.clear()
        self._finding.clear()


known_rooms = KnownRooms()
look_up_room_id = in_thread(room_id_named)
