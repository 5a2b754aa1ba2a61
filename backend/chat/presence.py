"""Who is online in each room: per user (not per socket), shared by all server processes.

Each open socket is one *connection* entry. A user is online in a room while they have at least
one live entry there. With Redis, every entry carries an expiry that its process pushes forward
on a timer; when a process dies its entries stop being renewed, expire, and a sweep (run by one
process at a time) announces those users as gone. Without Redis there is one process, so a
plain in-memory map is enough.

A socket's slot (chat/slots.py) is taken and given back with its entry, and the user's arrival
or departure announced, in the same round trip: a handshake and a close each cost one, and the
announcements of a user's sockets are published in the order their entries changed. Anonymous
sockets have a slot but no entry.
"""

import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from typing import Any, NamedTuple

import redis
from django.conf import settings
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from chat.delivery.broker import broker, shared_redis
from chat.slots import (
    CLAIM_FUNCTION,
    MemorySocketSlots,
    RedisSocketSlots,
    Slot,
    socket_slots,
)
from chat.threads import outcome_of

Connection = tuple[int, str, str]  # (room id, username, connection id)
# A hub topic and what to publish to it (chat/delivery/hub.py, ``envelope``).
Announcement = tuple[str, str]
Publish = Callable[[str, str], None]
# What to publish when the sweep finds a user gone from a room: (room id, username) -> it.
Farewell = Callable[[int, str], Announcement]


class Entered(NamedTuple):
    # The user's first live connection in the room (never for an anonymous socket).
    first: bool
    # The usernames online in the room afterwards, sorted.
    online: list[str]


class Entry(NamedTuple):
    """One ``PresenceStore.enter``'s arguments, in its order, for ``enter_all``."""

    room_id: int
    username: str | None
    connection: str
    slot: Slot | None = None
    limit: int = 0
    announce: Announcement | None = None


class PresenceStore(ABC):
    @abstractmethod
    def enter(
        self,
        room_id: int,
        username: str | None,
        connection: str,
        slot: Slot | None = None,
        limit: int = 0,
        announce: Announcement | None = None,
    ) -> Entered | None:
        """Add a connection, and read who is online afterwards, in one round trip (``first``:
        the user's first live connection in the room); ``username`` None for an anonymous
        socket, which only reads who is online. With ``slot`` its slot is taken first,
        in the same round trip: None when its owner already holds ``limit``, and nothing else
        was done. ``announce`` is published, in the same round trip, when the connection is the
        user's first."""

    def start_enter(self, *args, **kwargs) -> Callable[[], Entered | None]:
        """``enter``, whose command goes out now and whose outcome the returned function waits
        for, so that the caller can make another round trip meanwhile (a handshake reads its
        snapshot). Call it once. A store that does no I/O simply enters."""
        entered = self.enter(*args, **kwargs)
        return lambda: entered

    def enter_all(self, entries: list[Entry]) -> list[Entered | None | Exception]:
        """``enter`` for each entry, in their order, each outcome on its own (what it returned,
        or what it raised): for the handshakes of a batch (chat/sessions.py). Redis enters them
        all in one round trip."""
        return [outcome_of(self.enter, *entry) for entry in entries]

    @abstractmethod
    def leave(
        self,
        room_id: int,
        username: str | None,
        connection: str,
        *,
        slot: Slot | None = None,
        announce: Announcement | None = None,
    ) -> bool:
        """Remove a connection, and give back ``slot``; True when it was the user's last live
        one in the room, and then ``announce`` is published in the same round trip."""

    @abstractmethod
    def online(self, room_id: int) -> list[str]:
        """The usernames online in the room, sorted."""

    @abstractmethod
    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        """How many users are online in each room."""

    def renew(self, connections: list[Connection], slots: list[Slot] = ()) -> list[Connection]:
        """Push the expiry of live connections and slots forward; returns the connections that
        were swept meanwhile."""
        return []

    def sweep(self, farewell: Farewell | None = None) -> list[tuple[int, str]]:
        """Drop expired connections; returns (room id, username) for users who went offline.
        With ``farewell``, each is announced, unless a socket of theirs entered meanwhile (it
        announced them already, and a farewell would follow its arrival)."""
        return []


class MemoryPresenceStore(PresenceStore):
    def __init__(
        self, slots: MemorySocketSlots | None = None, publish: Publish = lambda topic, payload: None
    ) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._slots = slots or MemorySocketSlots()
        self._publish = publish

    def enter(
        self,
        room_id: int,
        username: str | None,
        connection: str,
        slot: Slot | None = None,
        limit: int = 0,
        announce: Announcement | None = None,
    ) -> Entered | None:
        if slot is not None and not self._slots.claim(slot, limit):
            return None
        with self._lock:
            if username is None:
                return Entered(False, sorted(self._rooms.get(room_id, {})))
            connections = self._rooms[room_id][username]
            connections.add(connection)
            first = len(connections) == 1
            # Under the lock, as the Redis script does: announcements in the entries' order.
            if first and announce is not None:
                self._publish(*announce)
            return Entered(first, sorted(self._rooms[room_id]))

    def leave(
        self,
        room_id: int,
        username: str | None,
        connection: str,
        *,
        slot: Slot | None = None,
        announce: Announcement | None = None,
    ) -> bool:
        if slot is not None:
            self._slots.release(slot)
        if username is None:
            return False
        with self._lock:
            users = self._rooms[room_id]
            connections = users.get(username)
            if not connections or connection not in connections:
                return False
            connections.discard(connection)
            if connections:
                return False
            del users[username]
            if announce is not None:
                self._publish(*announce)
            return True

    def online(self, room_id: int) -> list[str]:
        with self._lock:
            return sorted(self._rooms.get(room_id, {}))

    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        with self._lock:
            return {room_id: len(self._rooms.get(room_id, {})) for room_id in room_ids}


# KEYS: the room's entries, the set of rooms with entries, and with a slot its owner's slots.
# ARGV: the entry ("username\nconnection", see _entry; empty for an anonymous socket), its
# expiry, now, the user's prefix, the room id, the channel and message to publish when the
# entry is the user's first (an empty channel: none), then the slot's claim arguments
# (chat/slots.py).
_ENTER = (
    CLAIM_FUNCTION
    + """
if KEYS[3] and not claim(KEYS[3], unpack(ARGV, 8)) then return {0} end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], '+inf')
if ARGV[1] == '' then return {1, 0, live} end
local prefix = ARGV[4]
local first = 1
for _, m in ipairs(live) do
  if m ~= ARGV[1] and string.sub(m, 1, #prefix) == prefix then first = 0 break end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[5])
if first == 1 and ARGV[6] ~= '' then redis.call('PUBLISH', ARGV[6], ARGV[7]) end
return {1, first, live}
"""
)

# KEYS: the room's entries, and with a slot its owner's slots. ARGV: the entry (empty for an
# anonymous socket), now, the user's prefix, the slot's connection, and the channel and message
# to publish when the entry was the user's last (an empty channel: none).
_LEAVE = """
if KEYS[2] then redis.call('ZREM', KEYS[2], ARGV[4]) end
if ARGV[1] == '' or redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')
local prefix = ARGV[3]
for _, m in ipairs(live) do
  if string.sub(m, 1, #prefix) == prefix then return 0 end
end
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[5], ARGV[6]) end
return 1
"""

_SWEEP = """
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
local gone = {}
if #stale > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])
  local online = {}
  for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
    online[string.match(m, '^[^\\n]*')] = true
  end
  for _, m in ipairs(stale) do
    local user = string.match(m, '^[^\\n]*')
    if not online[user] then online[user] = true; table.insert(gone, user) end
  end
end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[2]) end
return gone
"""


# KEYS: the room's entries. ARGV: now, the user's prefix, the channel and the message.
_FAREWELL = """
for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[1], '+inf')) do
  if string.sub(m, 1, #ARGV[2]) == ARGV[2] then return 0 end
end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
"""


def _script_started(script: Script, keys: list, args: list) -> Callable[[], Any]:
    """Sends ``script`` now and returns what reads its reply, so that the calling thread can
    wait for another server (PostgreSQL) meanwhile: redis-py's EVALSHA, split in two, on a
    connection of its pool held until the reply is read.

    Where the script surely did not run (it could not be sent, or Redis lost its scripts in a
    restart), it runs the usual way, with redis-py's retries. A failure while waiting for the
    reply is raised: the script may have run, and running it again could be refused what the
    first run took (the socket's slot)."""
    pool = script.registered_client.connection_pool
    connection = pool.get_connection()
    try:
        connection.send_command("EVALSHA", script.sha, len(keys), *keys, *args)
    except (redis.ConnectionError, redis.TimeoutError):
        pool.release(connection)
        result = script(keys=keys, args=args)
        return lambda: result

    def reply() -> Any:
        try:
            return connection.read_response()
        except NoScriptError:
            pass
        finally:
            pool.release(connection)
        return script(keys=keys, args=args)

    return reply


def _scripts_run(script: Script, calls: list[tuple[list, list]]) -> list[Any]:
    """Runs ``script`` once per (keys, args) in one round trip: all are sent on one connection
    of the pool, then their replies read in order. Each outcome stands alone: the reply, or the
    error it raised. What surely did not run (it could not be sent, or Redis lost its scripts)
    then runs the usual way, as in ``_script_started``; a failure while reading the replies is
    the outcome of that one and of every later one (they may have run)."""
    commands = [("EVALSHA", script.sha, len(keys), *keys, *args) for keys, args in calls]
    rerun = object()
    pool = script.registered_client.connection_pool
    connection = pool.get_connection()
    try:
        connection.send_packed_command(connection.pack_commands(commands))
    except (redis.ConnectionError, redis.TimeoutError):
        replies = [rerun] * len(calls)
    else:
        replies = []
        for _ in calls:
            try:
                replies.append(connection.read_response())
            except NoScriptError:
                replies.append(rerun)
            except redis.ResponseError as error:  # read whole: the connection is still in step
                replies.append(error)
            except (redis.ConnectionError, redis.TimeoutError) as error:
                replies += [error] * (len(calls) - len(replies))
                break
    finally:
        pool.release(connection)
    return [
        outcome_of(script, keys=keys, args=args) if reply is rerun else reply
        for (keys, args), reply in zip(calls, replies, strict=True)
    ]


def _entered(reply: list, username: str | None) -> Entered | None:
    """``_ENTER``'s reply."""
    admitted, *rest = reply
    if not admitted:
        return None
    first, live = rest
    online = {_username(entry) for entry in live}
    if username is not None:
        online.add(username)
    return Entered(bool(first), sorted(online))


def _entry(username: str, connection: str) -> str:
    return f"{_owner(username)}{connection}"


def _owner(username: str) -> str:
    """The start of every entry of ``username``; usernames cannot contain a newline."""
    return f"{username}\n"


def _entry_and_owner(username: str | None, connection: str) -> tuple[str, str]:
    """The scripts' arguments for a socket's entry: empty for an anonymous socket (none)."""
    if username is None:
        return "", ""
    return _entry(username, connection), _owner(username)


def _username(entry: str) -> str:
    return entry.partition("\n")[0]


class RedisPresenceStore(PresenceStore):
    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl: int,
        sweep_interval: int,
        prefix: str = "presence",
        slots: RedisSocketSlots | None = None,
        channel: Callable[[str], str] = lambda topic: topic,
    ) -> None:
        self._redis = client
        # The Redis channel of a hub topic (RedisBroker.channel), for the announcements.
        self._channel = channel
        self._ttl = ttl
        self._sweep_interval = sweep_interval
        self._prefix = prefix
        self._rooms_key = f"{prefix}:rooms"
        self._slots = slots or RedisSocketSlots(client, ttl=ttl, prefix=f"{prefix}:sockets")
        self._enter = self._redis.register_script(_ENTER)
        self._leave = self._redis.register_script(_LEAVE)
        self._sweep = self._redis.register_script(_SWEEP)
        self._farewell = self._redis.register_script(_FAREWELL)

    def _key(self, room_id: int) -> str:
        return f"{self._prefix}:room:{room_id}"

    def start_enter(self, *args, **kwargs) -> Callable[[], Entered | None]:
        entry = Entry(*args, **kwargs)
        reply = _script_started(self._enter, *self._enter_call(entry))
        return lambda: _entered(reply(), entry.username)

    def enter_all(self, entries: list[Entry]) -> list[Entered | None | Exception]:
        replies = _scripts_run(self._enter, [self._enter_call(entry) for entry in entries])
        return [
            reply if isinstance(reply, Exception) else _entered(reply, entry.username)
            for entry, reply in zip(entries, replies, strict=True)
        ]

    def _enter_call(self, entry: Entry) -> tuple[list, list]:
        """``_ENTER``'s keys and arguments."""
        now = time.time()
        keys = [self._key(entry.room_id), self._rooms_key]
        name, owner = _entry_and_owner(entry.username, entry.connection)
        args = [name, now + self._ttl, now, owner, entry.room_id]
        args += self._publish_args(entry.announce)
        if entry.slot is not None:
            slot_key, claim_args = self._slots.claim_args(entry.slot, entry.limit, now)
            keys.append(slot_key)
            args += claim_args
        return keys, args

    def enter(self, *args, **kwargs) -> Entered | None:
        return self.start_enter(*args, **kwargs)()

    def leave(
        self,
        room_id: int,
        username: str | None,
        connection: str,
        *,
        slot: Slot | None = None,
        announce: Announcement | None = None,
    ) -> bool:
        entry, owner = _entry_and_owner(username, connection)
        keys = [self._key(room_id)]
        if slot is not None:
            keys.append(self._slots.key(slot[0]))
        args = [entry, time.time(), owner, connection, *self._publish_args(announce)]
        return bool(self._leave(keys=keys, args=args))

    def _publish_args(self, announce: Announcement | None) -> tuple[str, str]:
        if announce is None:
            return "", ""
        topic, payload = announce
        return self._channel(topic), payload

    def online(self, room_id: int) -> list[str]:
        entries = self._redis.zrangebyscore(self._key(room_id), time.time(), "+inf")
        return sorted({_username(entry) for entry in entries})

    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        now = time.time()
        pipe = self._redis.pipeline(transaction=False)
        for room_id in room_ids:
            pipe.zrangebyscore(self._key(room_id), now, "+inf")
        results = pipe.execute()
        return {
            room_id: len({_username(entry) for entry in entries})
            for room_id, entries in zip(room_ids, results, strict=True)
        }

    def renew(self, connections: list[Connection], slots: list[Slot] = ()) -> list[Connection]:
        if not connections and not slots:
            return []
        expiry = time.time() + self._ttl
        pipe = self._redis.pipeline(transaction=False)
        for room_id, username, connection in connections:
            # XX: never resurrect an entry the sweep removed; CH: 0 tells us it was missing.
            pipe.zadd(self._key(room_id), {_entry(username, connection): expiry}, xx=True, ch=True)
        # A slot is put back if it went missing (Redis lost its data): its socket still holds it.
        self._slots.renew(pipe, slots)
        changed = pipe.execute()[: len(connections)]
        return [conn for conn, count in zip(connections, changed, strict=True) if not count]

    def sweep(self, farewell: Farewell | None = None) -> list[tuple[int, str]]:
        # One sweeper per interval across all processes; the others skip.
        lock = f"{self._prefix}:sweep-lock"
        if not self._redis.set(lock, "1", nx=True, ex=self._sweep_interval):
            return []
        now = time.time()
        gone = []
        for room_id in self._redis.smembers(self._rooms_key):
            keys = [self._key(int(room_id)), self._rooms_key]
            for username in self._sweep(keys=keys, args=[now, room_id]):
                if farewell is None or self._say_farewell(int(room_id), username, farewell):
                    gone.append((int(room_id), username))
        return gone

    def _say_farewell(self, room_id: int, username: str, farewell: Farewell) -> bool:
        # Its own round trip, after the sweep's: a socket entering in between is seen here.
        announce = self._publish_args(farewell(room_id, username))
        args = [time.time(), _owner(username), *announce]
        return bool(self._farewell(keys=[self._key(room_id)], args=args))


@cache
def presence_store() -> PresenceStore:
    chat = settings.CHAT
    if settings.REDIS_URL:
        return RedisPresenceStore(
            shared_redis(),
            ttl=chat["PRESENCE_TTL"],
            sweep_interval=chat["PRESENCE_SWEEP_INTERVAL"],
            slots=socket_slots(),
            channel=broker().channel,
        )
    return MemoryPresenceStore(slots=socket_slots(), publish=broker().publish)
