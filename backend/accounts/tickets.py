"""Single-use WebSocket tickets: browsers cannot put a token in a WebSocket header, and a long
lived token in a URL would end up in access logs. A ticket is useless once used or after ~30 s.

A ticket is worth no more than the access token that asked for it: a socket opened with it
expires when that token does (``credential_expires_at``), unless the client renews in-band.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache


def _cache_key(ticket: str) -> str:
    # Store a digest, so whoever can read the cache still cannot use what is in it.
    return "ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, user: AbstractBaseUser, credential_expires_at: int) -> tuple[str, int]:
    """A new ticket for ``user``, whose sockets may live until ``credential_expires_at`` (the
    asking access token's ``exp``, seconds since the epoch); returns it and its lifetime."""
    lifetime = settings.CHAT["WS_TICKET_LIFETIME"]
    ticket = secrets.token_urlsafe(32)
    cache.set(_cache_key(ticket), (user.pk, credential_expires_at), timeout=lifetime)
    return ticket, lifetime


def ws_ticket_redeem(ticket: str) -> tuple[int, int] | None:
    """(the ticket's user id, its credential's expiry), exactly once; None for an unknown,
    expired or already used ticket. Whether the user is still active is the caller's check."""
    key = _cache_key(ticket)
    issued = cache.get(key)
    # delete() reports whether this call removed the key, so of two racing redeemers one wins.
    if not isinstance(issued, tuple) or not cache.delete(key):
        return None
    return issued
