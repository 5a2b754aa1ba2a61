"""Authentication for WebSocket handshakes: a Bearer header or a single-use ticket, no cookies."""

from collections.abc import Awaitable
from typing import NamedTuple
from urllib.parse import ParseResult, parse_qs, urlparse

from channels.security.websocket import OriginValidator, WebsocketDenier
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.services import active_user
from accounts.tickets import ws_ticket_redeem
from accounts.tokens import issued_before_password_change
from chat.errors import BadCredentials, Forbidden

# Query parameters that must never carry credentials: they end up in access logs.
_TOKENS_IN_URL = ("token", "access", "refresh", "access_token")


class Credentials(NamedTuple):
    """What the handshake offered: a bearer token, a ticket, a refused kind, or nothing."""

    kind: str | None = None
    value: str = ""


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


class SocketJWTAuthentication(JWTAuthentication):
    """simplejwt's token checks, with the user read by ``active_user`` (plain SQL, once per
    handshake) instead of the ORM."""

    def get_user(self, validated_token):
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        revocable = api_settings.CHECK_REVOKE_TOKEN
        user = active_user(user_id, with_password=revocable)
        if user is None:
            raise AuthenticationFailed("User not found or inactive", code="user_not_found")
        if revocable:
            if issued_before_password_change(validated_token, user):
                raise AuthenticationFailed(
                    "The password has been changed.", code="password_changed"
                )
            # Read for that check only: the socket keeps no copy of the hash (the field is
            # deferred again, as if never read).
            del user.password
        return user


class Identity(NamedTuple):
    """Who a socket is, and until when (seconds since the epoch; None: anonymous, no expiry)."""

    user: object
    expires_at: float | None = None


def authenticate(credentials: Credentials) -> Identity:
    """The socket's identity: anonymous without credentials; raises BadCredentials for bad ones.
    Blocking (database, cache): run it in a worker thread."""
    if credentials.kind is None:
        return Identity(AnonymousUser())
    if credentials.kind == "bearer":
        return bearer_identity(credentials.value)
    if credentials.kind == "ticket":
        redeemed = ws_ticket_redeem(credentials.value)
        if redeemed is None:
            raise BadCredentials("The ticket is invalid, expired or already used.")
        return Identity(*redeemed)
    if credentials.kind == "token_in_url":
        raise BadCredentials("Tokens are not accepted in the URL; use a ticket.")
    raise BadCredentials("The Authorization header must be 'Bearer <access token>'.")


def bearer_identity(token: str) -> Identity:
    """The active user of a valid access token, until the token expires; raises BadCredentials."""
    auth = SocketJWTAuthentication()
    try:
        validated = auth.get_validated_token(token.encode())
        return Identity(auth.get_user(validated), validated["exp"])
    except (InvalidToken, AuthenticationFailed, KeyError):
        raise BadCredentials("The access token is invalid or expired.") from None


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
    (``authenticate``) in the same thread hop in which it fetches the room: one hop per handshake
    instead of two. Bad credentials are then answered with close code 4401 after the accept (a
    refused handshake has no close code).

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
