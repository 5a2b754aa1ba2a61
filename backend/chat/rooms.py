"""Rooms: who may see which room, and creating them. Both transports check a room with
room_checked(): REST through room_for(), a socket on the row its handshake reads with its user."""

import re

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from chat.errors import Forbidden, InvalidRoomName, RoomNotFound
from chat.models import Room
from chat.rows import Read, fetch_each

ROOM_NAME = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")

User = AbstractBaseUser | AnonymousUser


def check_room_name(name: str) -> str:
    if not _is_room_name(name):
        raise InvalidRoomName()
    return name


def _is_room_name(name: str) -> bool:
    return isinstance(name, str) and ROOM_NAME.fullmatch(name) is not None


def check_room_access(*, user: User, room: Room) -> None:
    if room.admin_only and not user.is_staff:
        raise Forbidden("This room is for staff only.")


def rooms_visible_to(user: User) -> QuerySet[Room]:
    rooms = Room.objects.all()
    if not user.is_staff:
        rooms = rooms.filter(admin_only=False)
    return rooms


def room_for(*, user: User, name: str) -> Room:
    """The room called ``name`` if ``user`` may use it; the one permission-checked fetch."""
    return room_checked(fetch_each(room_read(name))[0], user=user, name=name)


def room_read(name: str) -> Read | None:
    """What reads the room called ``name`` (None for a name no room can have), for a handshake
    that reads it along with its user (chat/rows.py); ``room_checked`` then checks it."""
    if not _is_room_name(name):
        return None
    return Read(Room, ["id", "name", "admin_only"], "name = %s", [name])


def room_id_named(name: str) -> int | None:
    """The id of the room called ``name``, if there is one, unchecked: only a hint for which
    topic a socket hears before its handshake reads and checks the room (chat/sessions.py)."""
    if not _is_room_name(name):
        return None
    return Room.objects.filter(name=name).values_list("id", flat=True).first()


def room_checked(room: Room | None, *, user: User, name: str) -> Room:
    """``room_read``'s row, if it is there and ``user`` may use it."""
    check_room_name(name)
    if room is None:
        raise RoomNotFound(f'No room named "{name}".')
    check_room_access(user=user, room=room)
    return room


def room_get_or_create(*, user: User, name: str, admin_only: bool = False) -> tuple[Room, bool]:
    """Create a room, or return the existing one of that name; staff alone make admin-only rooms."""
    check_room_name(name)
    if admin_only and not user.is_staff:
        raise Forbidden("Only staff may create admin-only rooms.")
    try:
        with transaction.atomic():
            room, created = Room.objects.get_or_create(
                name=name, defaults={"admin_only": admin_only}
            )
    except IntegrityError:
        # Two creators raced; the other one won.
        room, created = Room.objects.get(name=name), False
    check_room_access(user=user, room=room)
    return room, created
