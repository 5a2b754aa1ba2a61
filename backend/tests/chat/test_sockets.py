"""What ends a socket's access, for the sockets of this process (chat/sockets.py): here the
changes heard while a socket opens; tests/chat/test_access.py has them end real sockets."""

import json
from types import SimpleNamespace

import pytest

from chat import sockets
from chat.sockets import LocalSockets


class Socket:
    """A socket as LocalSockets sees it: whom, where, and how it was ended."""

    def __init__(self, user_id: int, room_id: int, *, staff: bool = False) -> None:
        self.user = SimpleNamespace(pk=user_id, is_authenticated=True, is_staff=staff)
        self.room = SimpleNamespace(pk=room_id, admin_only=False)
        self.expires_at = None
        self.topics = (f"room.{room_id}", f"user.{user_id}")
        self.ended_with: int | None = None

    def end(self, error) -> None:
        self.ended_with = self.ended_with or error.close_code


def heard(local: LocalSockets, topic: str, **change) -> None:
    local.on_control(topic, json.dumps(change))


def opened(local: LocalSockets, socket: Socket, seen: int) -> Socket:
    local.add(socket, topics=socket.topics, seen=seen)
    return socket


@pytest.mark.parametrize(
    ("topic", "change", "code"),
    [
        ("user.1", {"revoked": "Logged out."}, 4401),
        ("user.1", {"is_staff": False}, 4403),
        ("room.7", {"admin_only": True}, 4403),
    ],
)
def test_a_change_heard_while_a_socket_opened_is_applied_when_it_is_added(topic, change, code):
    local = LocalSockets()
    seen = local.changes_seen()
    heard(local, topic, **change)
    socket = Socket(1, 7, staff="is_staff" in change)
    if "is_staff" in change:
        socket.room.admin_only = True  # a demotion ends a socket in a staff-only room only
    assert opened(local, socket, seen).ended_with == code


def test_a_change_heard_before_the_socket_read_its_access_is_not_applied():
    local = LocalSockets()
    heard(local, "room.7", admin_only=True)
    # Its access was read after that change was heard: the read already has it.
    socket = opened(local, Socket(1, 7, staff=True), local.changes_seen())
    assert socket.ended_with is None


def test_changes_on_other_topics_leave_the_socket_alone():
    local = LocalSockets()
    seen = local.changes_seen()
    heard(local, "room.8", admin_only=True)
    heard(local, "user.2", revoked="Logged out.")
    assert opened(local, Socket(1, 7), seen).ended_with is None


def test_the_changes_replayed_are_judged_on_the_last_of_each():
    local = LocalSockets()
    seen = local.changes_seen()
    heard(local, "user.1", is_staff=False)
    heard(local, "user.1", is_staff=True)
    socket = Socket(1, 7)
    socket.room.admin_only = True
    # Demoted, then made staff again before the socket was added: it keeps the staff room.
    assert opened(local, socket, seen).ended_with is None
    assert socket.user.is_staff is True
    heard(local, "user.2", is_staff=True)
    heard(local, "user.2", is_staff=False)
    demoted = Socket(2, 7, staff=True)
    demoted.room.admin_only = True
    assert opened(local, demoted, seen).ended_with == 4403


def test_a_socket_that_missed_more_changes_than_are_kept_is_ended(monkeypatch):
    monkeypatch.setattr(sockets, "RECENT_CHANGES", 3)
    local = LocalSockets()
    seen = local.changes_seen()
    for n in range(4):
        heard(local, f"room.{100 + n}", admin_only=True)
    assert opened(local, Socket(1, 7), seen).ended_with == 4401
    # One that missed only what is kept is judged on it.
    assert opened(local, Socket(2, 7), seen + 1).ended_with is None


def test_an_added_socket_hears_later_changes_and_a_removed_one_does_not():
    local = LocalSockets()
    staying, leaving = Socket(1, 7), Socket(2, 7)
    for socket in (staying, leaving):
        opened(local, socket, local.changes_seen())
    local.remove(leaving)
    heard(local, "room.7", admin_only=True)
    assert (staying.ended_with, leaving.ended_with) == (4403, None)


@pytest.mark.parametrize(
    ("topic", "text"),
    [
        ("room.7", "not json"),
        ("room.7", "[true]"),
        ("room.7", json.dumps({"is_staff": False})),
        ("user.1", json.dumps({"admin_only": True})),
        ("user.1", json.dumps({"revoked": 1})),
        ("user.x", json.dumps({"revoked": "Logged out."})),
    ],
)
def test_an_unreadable_change_is_logged_and_not_kept(topic, text, caplog):
    local = LocalSockets()
    socket = opened(local, Socket(1, 7), local.changes_seen())
    seen = local.changes_seen()
    local.on_control(topic, text)
    assert "unreadable access change" in caplog.text
    assert socket.ended_with is None
    assert local.changes_seen() == seen
