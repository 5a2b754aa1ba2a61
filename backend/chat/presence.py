"""Who is online in each room: per user (not per socket), shared by all server processes.

Each open socket is one *connection* entry. A user is online in a room while they have at least
one live entry there. With Redis, every entry carries an expiry that its process pushes forward
on a timer; when a process dies its entries stop being renewed, expire, and a sweep (run by one
process at a time) announces those users as gone. Without Redis there is one process, so a
plain in-memory map is enough.
"""

import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from functools import cache

import redis
from django.conf import settings

from chat.delivery.broker import shared_redis

Connection = tuple[int, str, str]  # (room id, username, connection id)


class PresenceStore(ABC):
    def join(self, room_id: int, username: str, connection: str) -> bool:
        """Add a connection; True when it is the user's first live one in the room."""
        return self.enter(room_id, username, connection)[0]

    @abstractmethod
    def enter(self, room_id: int, username: str, connection: str) -> tuple[bool, list[str]]:
        """``join``, and the usernames online in the room afterwards, sorted: one round trip."""

    @abstractmethod
    def leave(self, room_id: int, username: str, connection: str) -> bool:
        """Remove a connection; True when it was the user's last live one in the room."""

    @abstractmethod
    def online(self, room_id: int) -> list[str]:
        """The usernames online in the room, sorted."""

    @abstractmethod
    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        """How many users are online in each room."""

    def renew(self, connections: list[Connection]) -> list[Connection]:
        """Push the expiry of live connections forward; returns those that were swept meanwhile."""
        return []

    def sweep(self) -> list[tuple[int, str]]:
        """Drop expired connections; returns (room id, username) for users who went offline."""
        return []


class MemoryPresenceStore(PresenceStore):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rooms: dict[int, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def enter(self, room_id: int, username: str, connection: str) -> tuple[bool, list[str]]:
        with self._lock:
            connections = self._rooms[room_id][username]
            connections.add(connection)
            return len(connections) == 1, sorted(self._rooms[room_id])

    def leave(self, room_id: int, username: str, connection: str) -> bool:
        with self._lock:
            users = self._rooms[room_id]
            connections = users.get(username)
            if not connections or connection not in connections:
                return False
            connections.discard(connection)
            if connections:
                return False
            del users[username]
            return True

    def online(self, room_id: int) -> list[str]:
        with self._lock:
            return sorted(self._rooms.get(room_id, {}))

    def online_counts(self, room_ids: list[int]) -> dict[int, int]:
        with self._lock:
            return {room_id: len(self._rooms.get(room_id, {})) for room_id in room_ids}


# An entry is "username\nconnection" (see _entry).
_JOIN = """
local live = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[3], '+inf')
local prefix = ARGV[4]
local first = 1
for _, m in ipairs(live) do
  if m ~= ARGV[1] and string.sub(m, 1, #prefix) == prefix then first = 0 break end
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[5])
return {first, live}
"""

_LEAVE = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local live = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf')
local prefix = ARGV[3]
for _, m in ipairs(live) do
  if string.sub(m, 1, #prefix) == prefix then return 0 end
end
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


def _entry(username: str, connection: str) -> str:
    return f"{_owner(username)}{connection}"


def _owner(username: str) -> str:
    """The start of every entry of ``username``; usernames cannot contain a newline."""
    return f"{username}\n"


def _username(entry: str) -> str:
    return entry.partition("\n")[0]


class RedisPresenceStore(PresenceStore):
    def __init__(
        self, client: redis.Redis, *, ttl: int, sweep_interval: int, prefix: str = "presence"
    ) -> None:
        self._redis = client
        self._ttl = ttl
        self._sweep_interval = sweep_interval
        self._prefix = prefix
        self._rooms_key = f"{prefix}:rooms"
        self._join = self._redis.register_script(_JOIN)
        self._leave = self._redis.register_script(_LEAVE)
        self._sweep = self._redis.register_script(_SWEEP)

    def _key(self, room_id: int) -> str:
        return f"{self._prefix}:room:{room_id}"

    def enter(self, room_id: int, username: str, connection: str) -> tuple[bool, list[str]]:
        now = time.time()
        keys = [self._key(room_id), self._rooms_key]
        args = [_entry(username, connection), now + self._ttl, now, _owner(username), room_id]
        first, live = self._join(keys=keys, args=args)
        return bool(first), sorted({username, *(_username(entry) for entry in live)})

    def leave(self, room_id: int, username: str, connection: str) -> bool:
        args = [_entry(username, connection), time.time(), _owner(username)]
        return bool(self._leave(keys=[self._key(room_id)], args=args))

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

    def renew(self, connections: list[Connection]) -> list[Connection]:
        if not connections:
            return []
        expiry = time.time() + self._ttl
        pipe = self._redis.pipeline(transaction=False)
        for room_id, username, connection in connections:
            # XX: never resurrect an entry the sweep removed; CH: 0 tells us it was missing.
            pipe.zadd(self._key(room_id), {_entry(username, connection): expiry}, xx=True, ch=True)
        changed = pipe.execute()
        return [conn for conn, count in zip(connections, changed, strict=True) if not count]

    def sweep(self) -> list[tuple[int, str]]:
        # One sweeper per interval across all processes; the others skip.
        lock = f"{self._prefix}:sweep-lock"
        if not self._redis.set(lock, "1", nx=True, ex=self._sweep_interval):
            return []
        now = time.time()
        gone = []
        for room_id in self._redis.smembers(self._rooms_key):
            keys = [self._key(int(room_id)), self._rooms_key]
            for username in self._sweep(keys=keys, args=[now, room_id]):
                gone.append((int(room_id), username))
        return gone


@cache
def presence_store() -> PresenceStore:
    chat = settings.CHAT
    if settings.REDIS_URL:
        return RedisPresenceStore(
            shared_redis(),
            ttl=chat["PRESENCE_TTL"],
            sweep_interval=chat["PRESENCE_SWEEP_INTERVAL"],
        )
    return MemoryPresenceStore()
