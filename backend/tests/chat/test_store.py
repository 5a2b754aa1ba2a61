"""Room messages are numbered in commit order, so a reader's cursor can never skip one."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection, connections

from chat.models import DirectMessage, Message
from chat.store import (
    _INSERT_DIRECT,
    _INSERT_MESSAGE,
    _NEXT_MAILBOX_SEQ,
    _NEXT_ROOM_SEQ,
    private_message_insert,
    room_message_insert,
)

pytestmark = pytest.mark.django_db(transaction=True)


def raw_connection() -> psycopg.Connection:
    """A connection of its own, for a transaction held open across the test."""
    dsn = connection.get_connection_params()
    return psycopg.connect(**{key: dsn[key] for key in ("dbname", "user", "host", "port")})


def send_many(room, user, count: int) -> None:
    try:
        for n in range(count):
            room_message_insert(room=room, user=user, content=f"m{n}", client_id=None)
    finally:
        connections.close_all()


# Embedded, the test database is an in-memory SQLite that refuses concurrent writers instead of
# queueing them as the file database of `make run` does.
@pytest.mark.services
def test_concurrent_senders_get_every_seq_once_in_id_order(lobby, alice, bob):
    with ThreadPoolExecutor(8) as pool:
        for future in [pool.submit(send_many, lobby, user, 25) for user in [alice, bob] * 4]:
            future.result()
    rows = list(Message.objects.filter(room=lobby).order_by("id").values_list("seq", flat=True))
    assert rows == list(range(1, 201))
    lobby.refresh_from_db()
    assert lobby.last_seq == 200


@pytest.mark.services
def test_a_message_cannot_commit_before_one_that_took_its_number_earlier(lobby, alice, bob):
    """The case a max-id cursor gets wrong: a slow transaction holding a lower id."""
    slow = raw_connection()
    params = [lobby.pk, alice.pk, lobby.pk, alice.pk, "slow", None, "2026-01-01T00:00:00Z"]
    statement = f"WITH next AS ({_NEXT_ROOM_SEQ}) {_INSERT_MESSAGE}"
    first_id, first_seq = slow.execute(statement, params).fetchone()  # not committed
    later = {}

    def send_later() -> None:
        later["message"] = room_message_insert(room=lobby, user=bob, content="fast", client_id=None)
        connections.close_all()

    sender = threading.Thread(target=send_later)
    sender.start()
    time.sleep(0.3)
    # The later sender waits for the room's row: it cannot take a number, or an id, before
    # the slow one commits.
    assert "message" not in later
    slow.commit()
    slow.close()
    sender.join(timeout=10)
    assert later["message"].seq == first_seq + 1
    assert later["message"].id > first_id


def test_a_refused_insert_leaves_no_hole_in_the_numbering(lobby, alice):
    room_message_insert(room=lobby, user=alice, content="first", client_id="c-1")
    with pytest.raises(Exception):  # noqa: B017 (IntegrityError, wrapped per backend)
        room_message_insert(room=lobby, user=alice, content="again", client_id="c-1")
    second = room_message_insert(room=lobby, user=alice, content="second", client_id="c-2")
    assert second.seq == 2


def test_private_messages_are_numbered_per_recipient(alice, bob, mallory):
    for sender, recipient in [(alice, bob), (mallory, bob), (bob, alice), (alice, bob)]:
        private_message_insert(sender=sender, recipient=recipient, content="hi", client_id=None)
    numbered = DirectMessage.objects.order_by("id").values_list(
        "recipient__username", "recipient_seq"
    )
    assert list(numbered) == [("bob", 1), ("bob", 2), ("alice", 1), ("bob", 3)]


@pytest.mark.services
def test_a_user_s_private_messages_both_ways_commit_in_id_order(alice, bob, mallory):
    """The private catch-up cursor covers messages to and from a user: a message alice sends
    must not commit before one to her that took a lower id."""
    slow = raw_connection()
    rows = sorted({bob.pk: 0, alice.pk: 1}.items())
    statement = _NEXT_MAILBOX_SEQ.format(rows="(%s, %s), (%s, %s)")
    params = [*rows[0], *rows[1], bob.pk, "to alice, slowly", None, "2026-01-01T00:00:00Z"]
    (to_alice,) = slow.execute(
        f"WITH next AS ({statement}) {_INSERT_DIRECT}", [*params, alice.pk]
    ).fetchone()[:1]
    later = {}

    def alice_writes() -> None:
        later["id"] = private_message_insert(
            sender=alice, recipient=mallory, content="from alice", client_id=None
        ).id
        connections.close_all()

    writer = threading.Thread(target=alice_writes)
    writer.start()
    time.sleep(0.3)
    assert "id" not in later
    slow.commit()
    slow.close()
    writer.join(timeout=10)
    assert later["id"] > to_alice


@pytest.mark.services
def test_two_people_writing_to_each_other_at_once_never_deadlock(alice, bob):
    def write_to(sender, recipient) -> None:
        try:
            for n in range(30):
                private_message_insert(
                    sender=sender, recipient=recipient, content=f"{n}", client_id=None
                )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        pairs = [(alice, bob), (bob, alice)] * 2
        for future in [pool.submit(write_to, *pair) for pair in pairs]:
            future.result()
    seqs = DirectMessage.objects.filter(recipient=bob).order_by("id")
    assert list(seqs.values_list("recipient_seq", flat=True)) == list(range(1, 61))
