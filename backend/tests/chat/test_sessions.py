"""What a socket's open reads, apart from presence (tests/chat/test_presence.py)."""

import pytest
from rest_framework_simplejwt.tokens import AccessToken

from accounts.services import active_user_read
from accounts.websocket import Credentials, credentials_claim
from chat.errors import BadCredentials, Forbidden, TooManySockets
from chat.history import SnapshotRead, room_snapshot, room_snapshots
from chat.models import Room
from chat.presence import presence_store
from chat.rooms import room_read
from chat.sessions import Opened, Start, keeper, session_close, sessions_start
from tests.conftest import post, write

pytestmark = pytest.mark.django_db


def texts(snapshot) -> list[str]:
    return [message.message for message in snapshot.page.results]


def test_the_snapshot_reads_the_page_and_the_rooms_and_the_users_positions(alice, bob, lobby):
    post(lobby, bob, "one")
    post(lobby, bob, "two")
    post(lobby, bob, "three")
    write(bob, alice, "a private one")
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name=lobby.name, user_id=alice.pk, after=None, limit=2
    )
    assert (snapshot.room_seq, snapshot.mailbox_seq) == (3, 1)
    assert texts(snapshot) == ["two", "three"]
    assert snapshot.page.has_more is True


def test_a_resumed_snapshot_reads_what_came_after(alice, bob, lobby):
    first = post(lobby, bob, "one")
    post(lobby, bob, "two")
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name=lobby.name, user_id=alice.pk, after=first.id, limit=10
    )
    assert (snapshot.room_seq, texts(snapshot), snapshot.page.has_more) == (2, ["two"], False)


def test_an_empty_room_an_anonymous_socket_and_an_empty_mailbox_are_at_zero(alice, lobby):
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name=lobby.name, user_id=None, after=None, limit=10
    )
    assert (snapshot.room_seq, snapshot.mailbox_seq, texts(snapshot)) == (0, 0, [])
    post(lobby, alice, "one")
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name=lobby.name, user_id=alice.pk, after=None, limit=10
    )
    assert (snapshot.room_seq, snapshot.mailbox_seq, texts(snapshot)) == (1, 0, ["one"])
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name=lobby.name, user_id=None, after=None, limit=10
    )
    assert (snapshot.room_seq, snapshot.mailbox_seq) == (1, 0)


def test_the_snapshot_reads_the_users_and_rooms_rows_in_its_statement(alice, bob, lobby):
    post(lobby, bob, "one")
    post(lobby, bob, "two")
    reads = (active_user_read(alice.pk), room_read("lobby"))
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name="lobby", user_id=alice.pk, after=None, limit=10, reads=reads
    )
    user, room = snapshot.rows
    assert (user.pk, user.username, room.pk, room.name) == (alice.pk, "alice", lobby.pk, "lobby")
    assert texts(snapshot) == ["one", "two"]
    # A read that finds nothing, or none asked for, is None; the page is read all the same.
    reads = (active_user_read(alice.pk + 1000), None, room_read("nowhere"))
    snapshot = room_snapshot(
        room_id=lobby.pk, room_name="lobby", user_id=None, after=None, limit=1, reads=reads
    )
    assert snapshot.rows == [None, None, None]
    assert (texts(snapshot), snapshot.page.has_more, snapshot.room_seq) == (["two"], True, 2)


def test_the_snapshots_of_a_batch_are_each_their_own(alice, bob, lobby):
    other = Room.objects.create(name="other")
    first = post(lobby, bob, "one")
    post(lobby, bob, "two")
    post(other, alice, "elsewhere")
    write(bob, alice, "a private one")
    wanted = [
        SnapshotRead(lobby.pk, "lobby", alice.pk, None, 10, (active_user_read(alice.pk),)),
        SnapshotRead(other.pk, "other", bob.pk, None, 10, (room_read("other"),)),
        SnapshotRead(lobby.pk, "lobby", None, first.id, 10),
        SnapshotRead(lobby.pk, "lobby", None, None, 1),
    ]
    batch = room_snapshots(wanted)
    assert batch == [room_snapshots([want])[0] for want in wanted]
    assert [texts(snapshot) for snapshot in batch] == [
        ["one", "two"],
        ["elsewhere"],
        ["two"],
        ["two"],
    ]
    assert [(s.room_seq, s.mailbox_seq) for s in batch] == [(2, 1), (1, 0), (2, 0), (2, 0)]
    assert batch[0].rows[0].username == "alice"
    assert batch[1].rows[0].name == "other"


def start(user, room, connection: str, *, room_id=None) -> Start:
    token = str(AccessToken.for_user(user))
    claim = credentials_claim(Credentials("bearer", token))
    return Start(claim, room_id or room.pk, room.name, connection, None, None)


def test_each_socket_of_a_batch_has_its_own_outcome(alice, bob, mallory, sam, lobby, settings):
    """One socket opens, one is refused, one finds the name now names another room, one is
    over its limit: each is told its own, and only the opened one is online."""
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_USER": 1}
    staff_only = Room.objects.create(name="staff", admin_only=True)
    renamed = Room.objects.create(name="renamed")
    mallorys_other_tab = start(mallory, lobby, "tab-0")
    assert isinstance(sessions_start([mallorys_other_tab])[0], Opened)
    outcomes = sessions_start(
        [
            start(alice, lobby, "tab-1"),
            start(bob, staff_only, "tab-2"),
            start(sam, renamed, "tab-3", room_id=lobby.pk),
            start(mallory, lobby, "tab-4"),
        ]
    )
    opened, refused, elsewhere, over = outcomes
    assert (opened.identity.user, opened.room) == (alice, lobby)
    assert opened.snapshot.users.users == ["alice", "mallory"]
    assert isinstance(refused, Forbidden)
    assert elsewhere is None
    assert isinstance(over, TooManySockets)
    assert presence_store().online(lobby.pk) == ["alice", "mallory"]
    assert presence_store().online(staff_only.pk) == []
    session_close(room=lobby, user=alice, connection="tab-1", address=None)
    session_close(room=lobby, user=mallory, connection="tab-0", address=None)


def test_a_batch_whose_statement_fails_reads_each_alone(alice, bob, lobby, monkeypatch):
    """One socket's read must not fail the others' (say, a value its database refuses)."""
    from chat import sessions

    real = sessions.room_snapshots

    def refuses_bobs(wanted):
        if any(str(want.user_id) == str(bob.pk) for want in wanted):
            raise ValueError("refused")
        return real(wanted)

    monkeypatch.setattr(sessions, "room_snapshots", refuses_bobs)
    alices, bobs = sessions_start([start(alice, lobby, "tab-1"), start(bob, lobby, "tab-2")])
    assert isinstance(alices, Opened)
    assert isinstance(bobs, ValueError)
    assert presence_store().online(lobby.pk) == ["alice"]
    session_close(room=lobby, user=alice, connection="tab-1", address=None)


def test_a_deactivated_user_is_refused_in_a_batch(alice, lobby):
    alice.is_active = False
    alice.save()
    (outcome,) = sessions_start([start(alice, lobby, "tab-1")])
    assert isinstance(outcome, BadCredentials)


def test_a_batch_whose_presence_round_trip_fails_leaves_nothing_awaited(
    alice, bob, lobby, monkeypatch
):
    def unreachable(entries):
        raise ConnectionError("Redis unreachable")

    monkeypatch.setattr(presence_store(), "enter_all", unreachable)
    outcomes = sessions_start([start(alice, lobby, "tab-1"), start(bob, lobby, "tab-2")])
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)
    assert not keeper._awaiting
    assert presence_store().online(lobby.pk) == []
