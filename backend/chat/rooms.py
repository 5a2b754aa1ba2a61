"""Rooms: who may see which room, and creating them. Both transports go through room_for()."""

import re

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from chat.errors import Forbidden, InvalidRoomName, RoomNotFound
from chat.models import Room
from chat.rows import fetch_only

ROOM_NAME = re.compile(r"\A[A-Za-z0-9_-]{1,64}\Z")

User = AbstractBaseUser | AnonymousUser


def check_room_name(name: str) -> str:
    if not isinstance(name, str) or not ROOM_NAME.fullmatch(name):
        raise InvalidRoomName()
    return name


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
    check_room_name(name)
    # In plain SQL: every socket handshake reads its room (chat/rows.py).
    room = fetch_only(Room, ["id", "name", "admin_only"], "name = %s", [name])
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
