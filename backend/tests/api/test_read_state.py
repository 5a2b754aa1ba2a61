"""Read state over REST: unread counts in the room and conversation lists, marking read."""

import pytest

from tests.conftest import post, write

pytestmark = pytest.mark.django_db


def rooms_by_name(api, user) -> dict:
    return {room["name"]: room for room in api(user).get("/api/rooms/").json()["results"]}


def test_a_room_counts_the_messages_of_others_after_the_marker(api, alice, bob, lobby):
    post(lobby, alice, "mine: never unread")
    first = post(lobby, bob, "one")
    post(lobby, bob, "two")
    room = rooms_by_name(api, alice)["lobby"]
    assert (room["unread_count"], room["last_read_id"]) == (2, None)
    answer = api(alice).post("/api/rooms/lobby/read/", {"id": first.id}, format="json")
    assert answer.status_code == 204
    room = rooms_by_name(api, alice)["lobby"]
    assert (room["unread_count"], room["last_read_id"]) == (1, first.id)
    detail = api(alice).get("/api/rooms/lobby/").json()
    assert (detail["unread_count"], detail["last_read_id"]) == (1, first.id)


def test_anonymous_visitors_have_no_unread_counts(api, bob, lobby):
    post(lobby, bob, "hello")
    room = rooms_by_name(api, None)["lobby"]
    assert (room["unread_count"], room["last_read_id"]) == (0, None)


def test_a_conversation_counts_what_the_other_sent_after_the_marker(api, alice, bob):
    write(alice, bob, "mine")
    first = write(bob, alice, "one")
    write(bob, alice, "two")
    [conversation] = api(alice).get("/api/dms/").json()["results"]
    assert (conversation["unread_count"], conversation["last_read_id"]) == (2, None)
    answer = api(alice).post("/api/dms/bob/read/", {"id": first.id}, format="json")
    assert answer.status_code == 204
    [conversation] = api(alice).get("/api/dms/").json()["results"]
    assert (conversation["unread_count"], conversation["last_read_id"]) == (1, first.id)


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/api/rooms/lobby/read/", {"id": 999_999}, 404, "message_not_found"),
        ("/api/rooms/lobby/read/", {"id": "x"}, 400, "invalid"),
        ("/api/rooms/nowhere/read/", {"id": 1}, 404, "room_not_found"),
        ("/api/rooms/staff/read/", {"id": 1}, 403, "forbidden"),
        ("/api/dms/nobody/read/", {"id": 1}, 404, "user_not_found"),
        ("/api/dms/mallory/read/", {"id": 999_999}, 404, "message_not_found"),
    ],
)
def test_a_bad_mark_is_refused(api, alice, mallory, lobby, staff_room, path, body, status, code):
    answer = api(alice).post(path, body, format="json")
    assert (answer.status_code, answer.json()["code"]) == (status, code)


def test_marking_read_needs_a_login(api, lobby):
    assert api().post("/api/rooms/lobby/read/", {"id": 1}, format="json").status_code == 401


def test_the_limits_are_public(api, settings):
    settings.CHAT = {**settings.CHAT, "MESSAGE_MAX_LENGTH": 123}
    limits = api().get("/api/limits/").json()
    assert limits["message_max_length"] == 123
    assert limits["frame_max_chars"] == 64 * 1024
    assert {"ws_rate", "ws_burst"} <= set(limits)
