"""Editing, deleting and reacting over REST, and the changes pages a returning client reads."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import DirectMessage, Message, Reaction
from tests.conftest import post, write


def message_url(room="lobby", message_id=None) -> str:
    return f"/api/rooms/{room}/messages/{message_id}/"


@pytest.fixture
def alices(lobby, alice):
    return post(lobby, alice, "helo")


def test_the_author_edits_a_room_message(api, alice, alices):
    answer = api(alice).patch(
        message_url(message_id=alices.id), {"message": "hello"}, format="json"
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["id"], body["message"], body["deleted"]) == (alices.id, "hello", False)
    assert body["edited_at"] is not None
    assert Message.objects.get(pk=alices.id).content == "hello"


def test_the_author_deletes_a_room_message_and_its_page_shows_a_tombstone(api, alice, alices):
    assert api(alice).delete(message_url(message_id=alices.id)).status_code == 204
    shown = api(alice).get("/api/rooms/lobby/messages/").json()["results"][0]
    assert (shown["id"], shown["message"], shown["deleted"]) == (alices.id, "", True)


def test_staff_delete_any_room_message(api, sam, alices):
    assert api(sam).delete(message_url(message_id=alices.id)).status_code == 204


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("someone else's", 403, "forbidden"),
        ("unknown id", 404, "message_not_found"),
        ("huge id", 404, "message_not_found"),
        ("unknown room", 404, "room_not_found"),
        ("empty", 400, "empty"),
        ("too long", 400, "too_long"),
        ("no message field", 400, "invalid"),
        ("too late", 403, "edit_window_closed"),
        ("anonymous", 401, "not_authenticated"),
    ],
)
def test_a_bad_edit_is_refused_and_changes_nothing(api, alice, bob, alices, case, status, code):
    if case == "too late":
        Message.objects.filter(pk=alices.pk).update(created_at=timezone.now() - timedelta(days=1))
    user = {"someone else's": bob, "anonymous": None}.get(case, alice)
    room = "nowhere" if case == "unknown room" else "lobby"
    message_id = {"unknown id": 999_999, "huge id": 2**70}.get(case, alices.id)
    body = {"empty": {"message": " "}, "too long": {"message": "x" * 4001}}.get(
        case, {} if case == "no message field" else {"message": "changed"}
    )
    answer = api(user).patch(message_url(room, message_id), body, format="json")
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    stored = Message.objects.get(pk=alices.pk)
    assert (stored.content, stored.edited_at) == ("helo", None)


def test_someone_else_may_not_delete_a_room_message(api, bob, alices):
    answer = api(bob).delete(message_url(message_id=alices.id))
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert Message.objects.get(pk=alices.pk).deleted_at is None


def test_a_reaction_toggles_over_rest_and_the_message_shows_who(api, alice, bob, alices):
    url = message_url(message_id=alices.id) + "reactions/"
    body = api(bob).post(url, {"emoji": "👍"}, format="json").json()
    assert body["reactions"] == [{"emoji": "👍", "count": 1, "users": ["bob"]}]
    body = api(alice).post(url, {"emoji": "👍", "added": True}, format="json").json()
    assert body["reactions"] == [{"emoji": "👍", "count": 2, "users": ["bob", "alice"]}]
    body = api(bob).post(url, {"emoji": "👍"}, format="json").json()
    assert body["reactions"] == [{"emoji": "👍", "count": 1, "users": ["alice"]}]
    shown = api().get("/api/rooms/lobby/messages/").json()["results"][0]
    assert shown["reactions"] == body["reactions"]


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"emoji": "lol"}, 400, "invalid_emoji"),
        ({"emoji": "👍👍"}, 400, "invalid_emoji"),
        ({}, 400, "invalid"),
        ({"emoji": "👍", "added": "perhaps"}, 400, "invalid"),
    ],
)
def test_a_bad_reaction_is_refused(api, bob, alices, body, status, code):
    answer = api(bob).post(message_url(message_id=alices.id) + "reactions/", body, format="json")
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert not Reaction.objects.exists()


def test_a_reaction_past_the_limit_is_a_conflict(api, bob, alices, settings):
    settings.CHAT = {**settings.CHAT, "REACTIONS_PER_MESSAGE": 1}
    url = message_url(message_id=alices.id) + "reactions/"
    assert api(bob).post(url, {"emoji": "👍"}, format="json").status_code == 200
    answer = api(bob).post(url, {"emoji": "👎"}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (409, "too_many_reactions")


def test_an_admin_only_room_s_messages_are_not_changed_by_non_staff(api, alice, sam, staff_room):
    message = post(staff_room, sam, "staff only")
    answer = api(alice).post(
        message_url("staff", message.id) + "reactions/", {"emoji": "👍"}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")


def test_the_room_changes_page_lists_held_messages_changed_since_the_cursor(api, alice, lobby):
    held = [post(lobby, alice, f"m{n}") for n in range(3)]
    api(alice).patch(message_url(message_id=held[0].id), {"message": "new"}, format="json")
    api(alice).delete(message_url(message_id=held[1].id))
    body = api().get(f"/api/rooms/lobby/changes/?after={held[2].id}").json()
    assert [(m["id"], m["message"], m["deleted"]) for m in body["results"]] == [
        (held[0].id, "new", False),
        (held[1].id, "", True),
    ]
    assert body["has_more"] is False


@pytest.mark.parametrize("query", ["", "?after=x", "?after=-1", "?after=1&limit=0"])
def test_the_changes_pages_need_a_valid_cursor(api, alice, lobby, query):
    for url in ("/api/rooms/lobby/changes/", "/api/dms/changes/"):
        answer = api(alice).get(url + query)
        assert (answer.status_code, answer.json()["code"]) == (400, "invalid")


def test_a_private_message_is_edited_and_deleted_by_its_sender_only(api, alice, bob):
    message = write(alice, bob, "hi")
    url = f"/api/dms/bob/messages/{message.id}/"
    answer = api(alice).patch(url, {"message": "hi!"}, format="json")
    assert (answer.status_code, answer.json()["message"]) == (200, "hi!")
    refused = api(bob).delete(f"/api/dms/alice/messages/{message.id}/")
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert api(alice).delete(url).status_code == 204
    assert DirectMessage.objects.get(pk=message.id).deleted_at is not None
    body = api(bob).get(f"/api/dms/changes/?after={message.id}").json()
    assert [(m["id"], m["deleted"]) for m in body["results"]] == [(message.id, True)]


def test_a_private_message_of_others_is_not_found(api, alice, bob, mallory):
    between_others = write(bob, mallory, "not alice's")
    answer = api(alice).patch(
        f"/api/dms/bob/messages/{between_others.id}/", {"message": "x"}, format="json"
    )
    assert (answer.status_code, answer.json()["code"]) == (404, "message_not_found")


def test_the_limits_state_the_edit_window_and_the_reaction_bound(api, db):
    body = api().get("/api/limits/").json()
    assert (body["edit_window"], body["reactions_per_message"]) == (3600, 20)
