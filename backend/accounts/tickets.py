"""Single-use WebSocket tickets: browsers cannot put a token in a WebSocket header, and a long
lived token in a URL would end up in access logs. A ticket is useless once used or after ~30 s.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache

from accounts.services import active_user


def _cache_key(ticket: str) -> str:
    # Store a digest, so whoever can read the cache still cannot use what is in it.
    return "ws-ticket:" + hashlib.sha256(ticket.encode()).hexdigest()


def ws_ticket_issue(*, user: AbstractBaseUser) -> tuple[str, int]:
    lifetime = settings.CHAT["WS_TICKET_LIFETIME"]
    ticket = secrets.token_urlsafe(32)
    cache.set(_cache_key(ticket), user.pk, timeout=lifetime)
    return ticket, lifetime


def ws_ticket_redeem(ticket: str) -> AbstractBaseUser | None:
    """The ticket's user, exactly once; None for an unknown, expired or already used ticket."""
    key = _cache_key(ticket)
    user_id = cache.get(key)
    # delete() reports whether this call removed the key, so of two racing redeemers one wins.
    if user_id is None or not cache.delete(key):
        return None
    return active_user(user_id)
