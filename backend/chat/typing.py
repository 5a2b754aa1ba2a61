"""Typing notices: "alice is typing" for the others in the room, never stored."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from chat.delivery.hub import publish, room_topic
from chat.errors import NotAuthenticated
from chat.models import Room
from chat.protocol import TypingEvent

# A socket's typing frames are passed on at most this often (seconds); the ones between are
# absorbed: the others still show the last notice, which clients keep for a few seconds.
TYPING_INTERVAL = 2.0


def typing_notify(*, user: AbstractBaseUser | AnonymousUser, room: Room, connection: str) -> None:
    """Tells the room's other sockets that ``user`` is typing (not the typing socket itself)."""
    if not user.is_authenticated:
        raise NotAuthenticated("Log in to type.")
    publish(room_topic(room.pk), TypingEvent(user=user.username), origin=connection)
