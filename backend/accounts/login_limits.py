"""Limits on password guessing that hold when the guesses arrive all at once.

Two counters, both in the cache (Redis with REDIS_URL, so shared by every process):

- per client address, LOGIN_RATE attempts (login and sign-up together) per fixed window;
- per username, LOGIN_FAILURE_LIMIT attempts that did not succeed; reaching it locks the
  username for LOGIN_LOCKOUT seconds, from whatever address.

Each attempt is counted with one atomic increment *before* the password is checked, so of N
concurrent attempts at most the limit get a number within it: a read-then-write counter (DRF's
throttles) lets every one of them read "not yet over" first. A success resets its username.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache

from chat.errors import RateLimited

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class LoginLimited(RateLimited):
    default_message = "Too many login attempts; try again later."

    def __init__(self, *, retry_after: float) -> None:
        super().__init__()
        # Whole seconds, at least one, for the Retry-After header.
        self.retry_after = max(1, math.ceil(retry_after))


def check_address_allowed(*, address: str) -> None:
    """Counts one login or sign-up attempt from ``address``; raises LoginLimited past LOGIN_RATE."""
    limit, period = _rate(settings.LOGIN_RATE)
    now = time.time()
    window = int(now // period)
    if _count(f"login-limit:address:{address}:{window}", timeout=period) > limit:
        raise LoginLimited(retry_after=(window + 1) * period - now)


def check_username_allowed(*, username: str) -> None:
    """Counts one login attempt for ``username``; raises LoginLimited while it is locked."""
    attempts = _count(_failures_key(username), timeout=settings.LOGIN_LOCKOUT)
    if attempts > settings.LOGIN_FAILURE_LIMIT:
        # The lock is written once the attempt that reached the limit has failed; until then
        # (it is still being checked) the whole lockout is the honest answer.
        locked_until = cache.get(_lock_key(username), time.time() + settings.LOGIN_LOCKOUT)
        raise LoginLimited(retry_after=locked_until - time.time())


def login_failed(*, username: str) -> None:
    """Called when a counted attempt for ``username`` had the wrong password (or no such user)."""
    failures = cache.get(_failures_key(username), 0)
    if failures >= settings.LOGIN_FAILURE_LIMIT:
        lockout = settings.LOGIN_LOCKOUT
        cache.set(_lock_key(username), time.time() + lockout, timeout=lockout)
        # The count now lives as long as the lock (and has an expiry again, see _count).
        cache.touch(_failures_key(username), timeout=lockout)


def login_succeeded(*, username: str) -> None:
    cache.delete_many([_failures_key(username), _lock_key(username)])


def _count(key: str, *, timeout: int) -> int:
    """Adds one to ``key`` (created with ``timeout``) and returns the new value, atomically:
    add() is SET NX on Redis and locked on locmem, incr() is INCR or locked.

    Django's Redis incr() is EXISTS then INCR: a key that expires in between comes back from
    INCR without an expiry. An address key names its window, so is never read again; a failure
    count gets its expiry back from login_failed() or goes on success."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:
        # Expired (or evicted) between add() and incr(): this attempt starts a new count.
        cache.add(key, 0, timeout=timeout)
        return cache.incr(key)


def _rate(rate: str) -> tuple[int, int]:
    """``10/min`` as (10, 60): attempts, and the window in seconds (config/env.py checked it)."""
    count, _, period = rate.partition("/")
    return int(count), _PERIODS[period[0]]


def _failures_key(username: str) -> str:
    # A digest: usernames in a login body are arbitrary text, cache keys are not.
    return "login-limit:failures:" + hashlib.sha256(username.encode()).hexdigest()


def _lock_key(username: str) -> str:
    return "login-limit:locked:" + hashlib.sha256(username.encode()).hexdigest()
