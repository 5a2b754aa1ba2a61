"""Plain-SQL reads (chat/rows.py): several reads in one statement, several statements in one
round trip."""

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accounts.services import active_user_read
from chat.rooms import room_read
from chat.rows import Read, fetch_all, fetch_each

pytestmark = pytest.mark.django_db


def test_two_reads_are_one_statement_and_each_row_is_the_orms_own(alice, lobby):
    with CaptureQueriesContext(connection) as queries:
        user, room = fetch_each(active_user_read(alice.pk), room_read("lobby"))
    assert len(queries) == 1
    assert (user.pk, user.username, user.is_staff) == (alice.pk, "alice", False)
    assert (room.pk, room.name, room.admin_only) == (lobby.pk, "lobby", False)
    # The fields not read are deferred, as .only() leaves them.
    assert "password" not in user.__dict__
    assert "last_seq" not in room.__dict__


def test_a_read_that_finds_nothing_is_none_and_the_others_still_found(alice, lobby):
    user, room = fetch_each(active_user_read(alice.pk + 1000), room_read("lobby"))
    assert user is None and room.pk == lobby.pk
    user, room = fetch_each(active_user_read(alice.pk), room_read("nowhere"))
    assert user.pk == alice.pk and room is None
    assert fetch_each(active_user_read(alice.pk + 1000), room_read("nowhere")) == [None, None]


def test_a_deactivated_user_is_not_found(alice):
    alice.is_active = False
    alice.save()
    assert fetch_each(active_user_read(alice.pk)) == [None]


def test_reads_that_are_none_cost_nothing(alice):
    with CaptureQueriesContext(connection) as queries:
        assert fetch_each(None, room_read("not a room name!")) == [None, None]
        user, nothing = fetch_each(active_user_read(alice.pk), None)
    assert len(queries) == 1
    assert (user.pk, nothing) == (alice.pk, None)


def test_a_read_with_params_keeps_them_in_order(alice, bob):
    bobs, alices = fetch_each(
        Read(type(alice), ["id", "username"], "username = %s", ["bob"]),
        Read(type(alice), ["id", "username"], "username = %s", ["alice"]),
    )
    assert (bobs.username, alices.username) == ("bob", "alice")


def test_statements_fetched_together_are_each_their_own(alice, bob):
    found = fetch_all(
        [
            ("SELECT username FROM auth_user WHERE id = %s", [alice.pk]),
            ("SELECT username FROM auth_user WHERE id = %s", [bob.pk]),
            ("SELECT username FROM auth_user WHERE id = %s", [0]),
        ]
    )
    assert found == [[("alice",)], [("bob",)], []]


def test_a_statement_that_fails_raises_djangos_error():
    with pytest.raises(DatabaseError):
        fetch_all([("SELECT 1", []), ("SELECT * FROM no_such_table", [])])


@pytest.mark.services
def test_on_postgresql_the_statements_are_prepared_once_per_connection(alice):
    sql = "SELECT username FROM auth_user WHERE id = %s"
    for _ in range(3):
        assert fetch_all([(sql, [alice.pk])]) == [[("alice",)]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ["SELECT username FROM auth_user WHERE id = $1%"],
        )
        assert cursor.fetchone() == (1,)
