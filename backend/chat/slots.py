"""How many sockets one user, or one address for anonymous sockets, holds open across all the
server processes: each open socket holds a *slot*, and a new socket past the limit is refused
(close code 4429). With Redis a slot carries an expiry its process pushes forward on the presence
keeper's beat (chat/sessions.py), so the slots of a process that died free themselves.

A handshake takes its slot in the same round trip as its presence entry, and a close gives it
back in the same round trip as its leave (chat/presence.py runs ``CLAIM_FUNCTION`` inside its
own scripts); ``claim`` and ``release`` here are the same steps on their own.
"""

import threading
import time
from abc import ABC, abstractmethod
from collections import defaultdict
from functools import cache

import redis
from django.conf import settings

from chat.delivery.broker import shared_redis

Slot = tuple[str, str]  # (owner, connection id); the owner is "user:ID" or "address:IP"


class SocketSlots(ABC):
    @abstractmethod
    def claim(self, slot: Slot, limit: int) -> bool:
        """Takes a slot for the connection; False when its owner already holds ``limit``."""

    @abstractmethod
    def release(self, slot: Slot) -> None:
        """Called when the socket closes."""


class MemorySocketSlots(SocketSlots):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, set[str]] = defaultdict(set)

    def claim(self, slot: Slot, limit: int) -> bool:
        owner, connection = slot
        with self._lock:
            if len(self._held[owner]) >= limit:
                return False
            self._held[owner].add(connection)
            return True

    def release(self, slot: Slot) -> None:
        owner, connection = slot
        with self._lock:
            self._held[owner].discard(connection)
            if not self._held[owner]:
                del self._held[owner]


# A Lua function, so that other scripts can take a slot in their own round trip. One script
# call is atomic: of two sockets racing for the last slot, in any process, one gets it.
CLAIM_FUNCTION = """
local function claim(key, connection, now, expiry, limit, lifetime)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(limit) then return false end
  redis.call('ZADD', key, expiry, connection)
  redis.call('EXPIRE', key, lifetime)
  return true
end
"""

_CLAIM = CLAIM_FUNCTION + "return claim(KEYS[1], unpack(ARGV)) and 1 or 0"


class RedisSocketSlots(SocketSlots):
    def __init__(self, client: redis.Redis, *, ttl: int, prefix: str = "sockets") -> None:
        self._redis = client
        self._ttl = ttl
        self._prefix = prefix
        self._claim = self._redis.register_script(_CLAIM)

    def key(self, owner: str) -> str:
        return f"{self._prefix}:{owner}"

    def claim_args(self, slot: Slot, limit: int, now: float) -> tuple[str, list]:
        """``CLAIM_FUNCTION``'s key and its other arguments, for a claim at ``now``."""
        owner, connection = slot
        return self.key(owner), [connection, now, now + self._ttl, limit, self._ttl]

    def claim(self, slot: Slot, limit: int) -> bool:
        key, args = self.claim_args(slot, limit, time.time())
        return bool(self._claim(keys=[key], args=args))

    def release(self, slot: Slot) -> None:
        owner, connection = slot
        self._redis.zrem(self.key(owner), connection)

    def renew(self, pipe: redis.client.Pipeline, slots: list[Slot]) -> None:
        """Queues on ``pipe`` (the presence keeper's beat) what pushes live slots' expiry on."""
        expiry = time.time() + self._ttl
        for owner, connection in slots:
            pipe.zadd(self.key(owner), {connection: expiry})
            pipe.expire(self.key(owner), self._ttl)


@cache
def socket_slots() -> SocketSlots:
    if settings.REDIS_URL:
        return RedisSocketSlots(shared_redis(), ttl=settings.CHAT["PRESENCE_TTL"])
    return MemorySocketSlots()
