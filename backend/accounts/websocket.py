"""Authentication for WebSocket handshakes: a Bearer header or a single-use ticket, no cookies."""

from typing import NamedTuple
from urllib.parse import parse_qs

from channels.security.websocket import OriginValidator
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.services import active_user
from accounts.tickets import ws_ticket_redeem

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
    """simplejwt's token checks; the user is read with ``active_user``."""

    def get_user(self, validated_token):
        if api_settings.CHECK_REVOKE_TOKEN:  # needs the password hash: the full user
            return super().get_user(validated_token)
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        user = active_user(user_id)
        if user is None:
            raise AuthenticationFailed("User not found or inactive", code="user_not_found")
        return user


def authenticate(credentials: Credentials) -> tuple[object, str | None]:
    """(user, None) on success or no credentials; (AnonymousUser, reason) on bad credentials.
    Blocking (database, cache): run it in a worker thread."""
    if credentials.kind is None:
        return AnonymousUser(), None
    if credentials.kind == "bearer":
        auth = SocketJWTAuthentication()
        try:
            return auth.get_user(auth.get_validated_token(credentials.value.encode())), None
        except (InvalidToken, AuthenticationFailed):
            return AnonymousUser(), "The access token is invalid or expired."
    if credentials.kind == "ticket":
        user = ws_ticket_redeem(credentials.value)
        if user is None:
            return AnonymousUser(), "The ticket is invalid, expired or already used."
        return user, None
    if credentials.kind == "token_in_url":
        return AnonymousUser(), "Tokens are not accepted in the URL; use a ticket."
    return AnonymousUser(), "The Authorization header must be 'Bearer <access token>'."


class WebSocketAuthMiddleware:
    """Sets scope["credentials"]: what the handshake offered, read from its headers and query.

    Checking them needs the database, so it happens in a worker thread, and the consumer does it
    (``authenticate``) in the same thread hop in which it fetches the room: one hop per handshake
    instead of two. Bad credentials are then answered with close code 4401 after the accept (a
    refused handshake has no close code). Not a channels BaseMiddleware, whose __call__ copies
    the scope once more: every open socket keeps its copies."""

    def __init__(self, inner) -> None:
        self.inner = inner

    async def __call__(self, scope, receive, send):
        scope = dict(scope, credentials=credentials_from_scope(scope))
        return await self.inner(scope, receive, send)


class BrowserOriginValidator(OriginValidator):
    """Refuses browser pages from origins we do not serve; clients that send no Origin header
    (mobile apps, scripts) cannot be attacked through a victim's browser, so they pass."""

    def valid_origin(self, parsed_origin) -> bool:
        return parsed_origin is None or super().valid_origin(parsed_origin)


def allowed_origins() -> list[str]:
    hosts = list(settings.ALLOWED_HOSTS)
    return hosts + list(settings.CORS_ALLOWED_ORIGINS)
