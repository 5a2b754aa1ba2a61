"""The change log: edits, deletions and reactions numbered with their room's (or mailbox's)
messages, replayed into gaps, and handed to a client that resumes."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import connections

from chat.changes import private_changes_page, room_changes_page
from chat.delivery.hub import CHECK_INTERVAL
from chat.edits import message_delete, message_edit, private_message_edit
from chat.history import private_replay, room_replay
from chat.messages import message_send
from chat.models import Message, RoomChange
from chat.reactions import reaction_set
from config.asgi import application
from tests.conftest import apost, open_socket, post, receive_until, write

pytestmark = pytest.mark.django_db(transaction=True)


def test_changes_share_the_room_s_numbering_with_its_messages(alice, bob, lobby):
    first = post(lobby, alice, "one")
    message_edit(user=alice, room=lobby, message_id=first.id, text="one!")
    second = post(lobby, bob, "two")
    reaction_set(user=bob, room=lobby, message_id=first.id, emoji="👍")
    lobby.refresh_from_db()
    assert (first.seq, second.seq, lobby.last_seq) == (1, 3, 4)
    assert list(RoomChange.objects.order_by("seq").values_list("seq", flat=True)) == [2, 4]


def test_a_replay_holds_messages_in_their_current_state_and_changes_as_broadcast(alice, bob, lobby):
    first = post(lobby, alice, "draft")
    message_edit(user=alice, room=lobby, message_id=first.id, text="final")
    reaction_set(user=bob, room=lobby, message_id=first.id, emoji="👍")
    frames = {seq: json.loads(text) for seq, text in room_replay(lobby.pk, 1, 3).items()}
    assert frames[1]["message"] == "final"
    assert frames[1]["reactions"] == [{"emoji": "👍", "count": 1, "users": ["bob"]}]
    assert (frames[2]["type"], frames[2]["message"]) == ("message_edited", "final")
    assert (frames[3]["type"], frames[3]["user"]) == ("reaction", "bob")


def test_a_replay_after_a_deletion_skips_the_changes_that_held_its_text(alice, lobby):
    first = post(lobby, alice, "draft")
    message_edit(user=alice, room=lobby, message_id=first.id, text="secret")
    message_delete(user=alice, room=lobby, message_id=first.id)
    frames = {seq: json.loads(text) for seq, text in room_replay(lobby.pk, 1, 3).items()}
    assert sorted(frames) == [1, 3]  # seq 2, the edit, is skipped by a gap filler
    assert (frames[1]["deleted"], frames[1]["message"]) == (True, "")
    assert frames[3] == {"type": "message_deleted", "id": first.id, "room": "lobby"}


def test_a_private_replay_holds_the_changes_of_both_directions(alice, bob):
    to_bob = write(alice, bob, "hi bob")
    private_message_edit(user=alice, username="bob", message_id=to_bob.id, text="hello bob")
    bobs = {seq: json.loads(text) for seq, text in private_replay(bob.pk, 1, 2).items()}
    alices = {seq: json.loads(text) for seq, text in private_replay(alice.pk, 1, 1).items()}
    assert (bobs[1]["message"], bobs[1]["edited_at"] is not None) == ("hello bob", True)
    assert bobs[2]["type"] == alices[1]["type"] == "message_edited"


def test_the_changes_page_lists_what_changed_in_held_messages_since_the_cursor(alice, bob, lobby):
    held = [post(lobby, alice, f"m{n}") for n in range(4)]
    message_edit(user=alice, room=lobby, message_id=held[0].id, text="changed before the cursor")
    cursor = post(lobby, bob, "the client's last message")
    message_edit(user=alice, room=lobby, message_id=held[1].id, text="edited")
    message_delete(user=alice, room=lobby, message_id=held[2].id)
    reaction_set(user=bob, room=lobby, message_id=held[3].id, emoji="🎉")
    reaction_set(user=bob, room=lobby, message_id=held[3].id, emoji="👀")
    post(lobby, bob, "after the cursor: in the history, not here")
    page = room_changes_page(room=lobby, after=cursor.id, limit=50)
    assert [m.id for m in page.results] == [held[1].id, held[2].id, held[3].id]
    edited, deleted, reacted = page.results
    assert (edited.message, edited.edited_at is not None) == ("edited", True)
    assert (deleted.message, deleted.deleted) == ("", True)
    assert [r.emoji for r in reacted.reactions] == ["🎉", "👀"]
    assert page.has_more is False


def test_the_changes_page_pages_back_from_the_newest(alice, lobby):
    held = [post(lobby, alice, f"m{n}") for n in range(5)]
    for message in held:
        reaction_set(user=alice, room=lobby, message_id=message.id, emoji="👍")
    newest = room_changes_page(room=lobby, after=held[-1].id, limit=2)
    assert ([m.id for m in newest.results], newest.has_more) == ([m.id for m in held[3:]], True)
    rest = room_changes_page(room=lobby, after=held[-1].id, before=held[3].id, limit=50)
    assert ([m.id for m in rest.results], rest.has_more) == ([m.id for m in held[:3]], False)


def test_the_private_changes_page_counts_from_the_newest_message_received(alice, bob, mallory):
    sent = write(alice, bob, "to bob")
    received = write(bob, alice, "to alice")
    private_message_edit(user=alice, username="bob", message_id=sent.id, text="to bob, edited")
    write(mallory, bob, "not alice's business")
    other = write(bob, mallory, "not alice's either")
    private_message_edit(user=bob, username="mallory", message_id=other.id, text="still not")
    page = private_changes_page(user=alice, after=received.id, limit=50)
    assert [(m.id, m.message) for m in page.results] == [(sent.id, "to bob, edited")]
    assert private_changes_page(user=mallory, after=other.id, limit=50).results[0].id == other.id


async def test_a_resuming_socket_gets_what_changed_since_its_cursor(alice, bob, lobby):
    held = [await apost(lobby, alice, f"m{n}") for n in range(3)]
    await sync_to_async(message_edit)(user=alice, room=lobby, message_id=held[1].id, text="new")
    newer = await apost(lobby, bob, "newer")
    socket = WebsocketCommunicator(application, f"/ws/chat/lobby/?after={held[-1].id}")
    await socket.connect()
    await socket.receive_json_from()
    history = await socket.receive_json_from()
    assert [m["id"] for m in history["messages"]] == [newer.id]
    assert [(m["id"], m["message"]) for m in history["changed"]] == [(held[1].id, "new")]
    assert history["changed_more"] is False
    await socket.disconnect()


async def test_a_new_socket_without_a_cursor_gets_no_changes(alice, lobby):
    message = await apost(lobby, alice, "m")
    await sync_to_async(message_edit)(user=alice, room=lobby, message_id=message.id, text="n")
    socket = WebsocketCommunicator(application, "/ws/chat/lobby/")
    await socket.connect()
    await socket.receive_json_from()
    history = await socket.receive_json_from()
    assert (history["changed"], history["changed_more"]) == ([], False)
    assert history["messages"][0]["message"] == "n"
    await socket.disconnect()


async def test_a_change_whose_publish_was_lost_arrives_after_the_periodic_check(
    alice, bob, lobby, monkeypatch
):
    message = await apost(lobby, alice, "hello")
    socket = await open_socket("/ws/chat/lobby/", user=bob)
    # Stored, but its publish never happened (its process died between the two).
    monkeypatch.setattr("chat.changes.publish_on_commit", lambda *args, **kwargs: None)
    await sync_to_async(reaction_set)(user=bob, room=lobby, message_id=message.id, emoji="👍")
    event = await receive_until(socket, "reaction", timeout=CHECK_INTERVAL + 3)
    assert (event["id"], event["emoji"], event["added"]) == (message.id, "👍", True)
    await socket.disconnect()


def send_and_react(room, user, message_id: int, count: int) -> None:
    try:
        for n in range(count):
            message_send(user=user, room=room, text=f"m{n}")
            reaction_set(user=user, room=room, message_id=message_id, emoji="👍")
    finally:
        connections.close_all()


# Embedded, the test database is an in-memory SQLite that refuses concurrent writers.
@pytest.mark.services
def test_concurrent_messages_and_changes_take_every_number_once(alice, bob, mallory, lobby):
    target = post(lobby, alice, "react to me")
    with ThreadPoolExecutor(6) as pool:
        futures = [
            pool.submit(send_and_react, lobby, user, target.id, 15)
            for user in [alice, bob, mallory] * 2
        ]
        for future in futures:
            future.result()
    messages = Message.objects.filter(room=lobby).values_list("seq", flat=True)
    changes = RoomChange.objects.filter(room=lobby).values_list("seq", flat=True)
    numbers = sorted([*messages, *changes])
    assert numbers == list(range(1, 1 + 1 + 6 * 15 * 2))
    lobby.refresh_from_db()
    assert lobby.last_seq == numbers[-1]
    # Ids of messages still follow their numbers: the resume cursor stays safe.
    by_id = list(Message.objects.filter(room=lobby).order_by("id").values_list("seq", flat=True))
    assert by_id == sorted(by_id)
