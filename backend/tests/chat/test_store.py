"""Room messages are numbered in commit order, so a reader's cursor can never skip one."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from django.db import connection, connections

from chat.models import Message
from chat.store import _INSERT_IN_ORDER, room_message_insert

pytestmark = pytest.mark.django_db(transaction=True)


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
    dsn = connection.get_connection_params()
    slow = psycopg.connect(**{key: dsn[key] for key in ("dbname", "user", "host", "port")})
    params = [lobby.pk, lobby.pk, alice.pk, "slow", None, "2026-01-01T00:00:00Z"]
    first_id, first_seq = slow.execute(_INSERT_IN_ORDER, params).fetchone()  # not committed
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
