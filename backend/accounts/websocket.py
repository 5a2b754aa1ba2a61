"""Authentication for WebSocket handshakes: a Bearer header or a single-use ticket, no cookies."""

from collections.abc import Awaitable
from typing import NamedTuple
from urllib.parse import ParseResult, parse_qs, urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import Token

from accounts.services import active_user_read
from accounts.tickets import ws_ticket_redeem
from accounts.tokens import issued_before_password_change
from chat.errors import BadCredentials, Forbidden
from chat.rows import Read, fetch_each

_BAD_TOKEN = "The access token is invalid or expired."
_BAD_TICKET = "The ticket is invalid, expired or already used."

# Query parameters that must never carry credentials: they end up in access logs.
_TOKENS_IN_URL = ("token", "access", "refresh", "access_token")


class Credentials(NamedTuple):
    """What the handshake offered: a bearer token, a ticket, a refused kind, or nothing."""

    kind: str | None = None
    value: str = ""

    @property
    def checked_in_place(self) -> bool:
        """Whether ``credentials_claim`` needs no I/O for them: all but a ticket (in the cache)."""
        return self.kind != "ticket"


def credentials_from_scope(scope: dict) -> Credentials:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.decode("latin1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return Credentials("bearer", token.strip())
            return Credentials("malformed")
    query = parse_qs(scope.get("query_string", b"").decode("latin1"))
    if any(name in query for name in _TOKENS_IN_URL):
        return Credentials("token_in_url")
    if "ticket" in query:
        return Credentials("ticket", query["ticket"][0])
    return Credentials()


class Identity(NamedTuple):
    """Who a socket is, and until when (seconds since the epoch; None: anonymous, no expiry)."""

    user: object
    expires_at: float | None = None


class Claim(NamedTuple):
    """Whom valid credentials name, before their user is read: nobody for an anonymous socket."""

    # As the credential carries it: simplejwt puts the id in its token as a string.
    user_id: int | str | None = None
    expires_at: float | None = None
    # A bearer token's claims, for its revocation check against the user row.
    token: Token | None = None

    def user_read(self) -> Read | None:
        """What reads the user (chat/rows.py), with the password hash where the token's
        revocation claim is checked; None for an anonymous socket."""
        if self.user_id is None:
            return None
        revocable = self.token is not None and api_settings.CHECK_REVOKE_TOKEN
        return active_user_read(self.user_id, with_password=revocable)


def credentials_claim(credentials: Credentials) -> Claim:
    """Checks the credentials up to their user row (the token's signature and expiry; a ticket
    is used up); raises BadCredentials. Blocking for a ticket (it is in the cache), which must be
    redeemed in a worker thread; the rest only cost CPU (``Credentials.checked_in_place``).
    ``claimed_identity`` then checks the user row."""
    if credentials.kind is None:
        return Claim()
    if credentials.kind == "bearer":
        return _bearer_claim(credentials.value)
    if credentials.kind == "ticket":
        redeemed = ws_ticket_redeem(credentials.value)
        if redeemed is None:
            raise BadCredentials(_BAD_TICKET)
        return Claim(*redeemed)
    if credentials.kind == "token_in_url":
        raise BadCredentials("Tokens are not accepted in the URL; use a ticket.")
    raise BadCredentials("The Authorization header must be 'Bearer <access token>'.")


def claimed_identity(claim: Claim, user) -> Identity:
    """The identity of ``claim`` given its user row (``Claim.user_read``'s, None if not
    found); raises BadCredentials for a user gone or deactivated, or a revoked token."""
    if claim.user_id is None:
        return Identity(AnonymousUser())
    if user is None:
        raise BadCredentials(_BAD_TOKEN if claim.token is not None else _BAD_TICKET)
    if claim.token is not None and api_settings.CHECK_REVOKE_TOKEN:
        if issued_before_password_change(claim.token, user):
            raise BadCredentials(_BAD_TOKEN)
        # Read for that check only: the socket keeps no copy of the hash (the field is
        # deferred again, as if never read).
        del user.password
    return Identity(user, claim.expires_at)


def bearer_identity(token: str) -> Identity:
    """The active user of a valid access token, until the token expires; raises BadCredentials."""
    claim = _bearer_claim(token)
    return claimed_identity(claim, fetch_each(claim.user_read())[0])


def _bearer_claim(token: str) -> Claim:
    """simplejwt's checks of an access token (JWTAuthentication's), short of reading the user."""
    try:
        validated = JWTAuthentication().get_validated_token(token.encode())
        return Claim(validated[api_settings.USER_ID_CLAIM], validated["exp"], validated)
    except (InvalidToken, KeyError):
        raise BadCredentials(_BAD_TOKEN) from None


def identity_renew(*, user, token: str) -> Identity:
    """A socket's new identity from a fresh access token of the same user (the in-band
    ``authenticate`` frame); raises BadCredentials or Forbidden, leaving the old one in force."""
    if not user.is_authenticated:
        raise Forbidden("An anonymous socket cannot log in; reconnect with credentials.")
    renewed = bearer_identity(token)
    if renewed.user.pk != user.pk:
        raise Forbidden("The token belongs to another user; reconnect to change users.")
    return renewed


class WebSocketAuthMiddleware:
    """Sets scope["credentials"]: what the handshake offered, read from its headers and query.

    Checking them needs the database, so it happens in a worker thread, and the consumer does it
    in the same thread hop and the same statement in which it reads the room and the history
    (chat/sessions.py, ``sessions_start``), or where the process cannot tell the room's id, the
    room (``socket_check``): no hop or round trip of its own. Bad credentials are then answered
    with close code 4401 after the accept (a refused handshake has no close code).

    Not a channels BaseMiddleware, whose __call__ copies the scope once more and awaits the
    inner application: ``__call__`` returns the inner application's coroutine instead (a tail
    call), so an open socket keeps neither this frame nor this copy of its scope (the router's
    own copy supersedes it)."""

    def __init__(self, inner) -> None:
        self.inner = inner

    def __call__(self, scope, receive, send) -> Awaitable[None]:
        return self.inner(dict(scope, credentials=credentials_from_scope(scope)), receive, send)


class BrowserOriginValidator(OriginValidator):
    """Refuses browser pages from origins we do not serve; clients that send no Origin header
    (mobile apps, scripts) cannot be attacked through a victim's browser, so they pass.

    Channels' check, with a ``__call__`` that returns the next application's coroutine rather
    than awaiting it, so that no frame of this layer stays on an open socket's stack."""

    def __call__(self, scope, receive, send) -> Awaitable[None]:
        if scope["type"] != "websocket":
            raise ValueError("You cannot use OriginValidator on a non-WebSocket connection")
        if self.valid_origin(origin_of(scope)):
            return self.application(scope, receive, send)
        return WebsocketDenier()(scope, receive, send)

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or super().valid_origin(parsed_origin)


def origin_of(scope: dict) -> ParseResult | None:
    """The handshake's Origin header, parsed, as Channels' OriginValidator reads it (the last
    one, if several)."""
    origin = None
    for name, value in scope.get("headers", []):
        if name == b"origin":
            origin = urlparse(value.decode("latin1"))
    return origin


def allowed_origins() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    return hosts + list(settings.CORS_ALLOWED_ORIGINS)
