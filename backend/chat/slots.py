"""How many sockets one user, or one address for anonymous sockets, holds open across all the
server processes: each open socket holds a *slot*, and a new socket past the limit is refused
(close code 4429). With Redis a slot carries an expiry its process pushes forward on the presence
keeper's beat (chat/sessions.py), so the slots of a process that died free themselves.
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

    def renew(self, slots: list[Slot]) -> None:  # noqa: B027 (only expiring slots renew)
        """Pushes the expiry of live slots forward."""


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


# KEYS[1]: the owner's slots; ARGV: connection, now, expiry, limit, key lifetime.
_CLAIM = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisSocketSlots(SocketSlots):
    def __init__(self, client: redis.Redis, *, ttl: int, prefix: str = "sockets") -> None:
        self._redis = client
        self._ttl = ttl
        self._prefix = prefix
        # One script call: of two sockets racing for the last slot, one gets it.
        self._claim = self._redis.register_script(_CLAIM)

    def _key(self, owner: str) -> str:
        return f"{self._prefix}:{owner}"

    def claim(self, slot: Slot, limit: int) -> bool:
        owner, connection = slot
        now = time.time()
        args = [connection, now, now + self._ttl, limit, self._ttl]
        return bool(self._claim(keys=[self._key(owner)], args=args))

    def release(self, slot: Slot) -> None:
        owner, connection = slot
        self._redis.zrem(self._key(owner), connection)

    def renew(self, slots: list[Slot]) -> None:
        if not slots:
            return
        expiry = time.time() + self._ttl
        pipe = self._redis.pipeline(transaction=False)
        for owner, connection in slots:
            pipe.zadd(self._key(owner), {connection: expiry})
            pipe.expire(self._key(owner), self._ttl)
        pipe.execute()


@cache
def socket_slots() -> SocketSlots:
    if settings.REDIS_URL:
        return RedisSocketSlots(shared_redis(), ttl=settings.CHAT["PRESENCE_TTL"])
    return MemorySocketSlots()
