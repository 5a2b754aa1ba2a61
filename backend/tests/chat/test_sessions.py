"""What a socket's open reads, apart from presence (tests/chat/test_presence.py)."""

import pytest

from accounts.services import active_user_read
from chat.delivery.broker import SHARED_CONNECTIONS
from chat.history import room_snapshot
from chat.rooms import room_read
from chat.sessions import keeper, session_close, session_open
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


@pytest.mark.services
def test_a_failed_snapshot_still_reads_the_entrys_reply(alice, lobby, monkeypatch):
    """Until its reply is read, an entry holds one of the process's few Redis connections
    (SHARED_CONNECTIONS): a snapshot that fails must not keep it."""

    def unreachable(**kwargs):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr("chat.sessions.room_snapshot", unreachable)
    for n in range(SHARED_CONNECTIONS + 4):
        connection = f"tab-{n}"
        keeper.await_slot(connection, ((f"user:{alice.pk}", connection), 1000))
        with pytest.raises(ConnectionError):
            session_open(room=lobby, user=alice, connection=connection, after=None)
        session_close(room=lobby, user=alice, connection=connection, address=None)


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
