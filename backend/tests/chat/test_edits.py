"""Editing and deleting messages over the socket: who may, what everyone sees, what is refused."""

from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from chat.history import room_messages_page
from chat.models import DirectMessage, MailboxChange, Message, Reaction, Room, RoomChange
from tests.conftest import apost, awrite, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_an_author_edits_their_message_and_the_whole_room_sees_it(alice, bob, lobby):
    message = await apost(lobby, alice, "helo")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    anonymous = await open_socket("/ws/chat/lobby/")
    await alices.send_json_to({"type": "edit_message", "id": message.id, "message": " hello "})
    for socket in (alices, bobs, anonymous):
        event = await receive_until(socket, "message_edited")
        assert event == {
            "type": "message_edited",
            "id": message.id,
            "room": "lobby",
            "message": "hello",
            "edited_at": event["edited_at"],
        }
    stored = await Message.objects.aget(pk=message.id)
    assert (stored.content, stored.edited_at is not None) == ("hello", True)
    for socket in (alices, bobs, anonymous):
        await socket.disconnect()


async def test_an_author_deletes_their_message_leaving_a_tombstone(alice, bob, lobby):
    message = await apost(lobby, alice, "oops")
    await Reaction.objects.acreate(message=message, user=bob, emoji="👍")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    await alices.send_json_to({"type": "delete_message", "id": message.id})
    for socket in (alices, bobs):
        event = await receive_until(socket, "message_deleted")
        assert event == {"type": "message_deleted", "id": message.id, "room": "lobby"}
    stored = await Message.objects.aget(pk=message.id)
    assert (stored.content, stored.deleted_at is not None) == ("", True)
    assert not await Reaction.objects.filter(message=message).aexists()
    history = (await sync_to_async(room_messages_page)(room=lobby, limit=10)).results
    assert [(m.id, m.message, m.deleted, m.reactions) for m in history] == [
        (message.id, "", True, [])
    ]
    for socket in (alices, bobs):
        await socket.disconnect()


async def test_staff_delete_anyones_room_message_and_others_may_not(alice, bob, sam, lobby):
    message = await apost(lobby, alice, "spam")
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    await bobs.send_json_to({"type": "delete_message", "id": message.id, "client_id": "d"})
    refused = await receive_until(bobs, "error")
    assert (refused["code"], refused["client_id"]) == ("forbidden", "d")
    assert (await Message.objects.aget(pk=message.id)).deleted_at is None
    sams = await open_socket("/ws/chat/lobby/", user=sam)
    await sams.send_json_to({"type": "delete_message", "id": message.id})
    assert (await receive_until(bobs, "message_deleted"))["id"] == message.id
    for socket in (bobs, sams):
        await socket.disconnect()


async def test_staff_rights_taken_away_no_longer_delete_others_messages(alice, sam, lobby):
    message = await apost(lobby, alice, "keep me")
    sams = await open_socket("/ws/chat/lobby/", user=sam)
    await type(sam).objects.filter(pk=sam.pk).aupdate(is_staff=False)
    await sams.send_json_to({"type": "delete_message", "id": message.id})
    assert (await receive_until(sams, "error"))["code"] == "forbidden"
    assert (await Message.objects.aget(pk=message.id)).deleted_at is None
    await sams.disconnect()


async def test_a_private_message_is_edited_and_deleted_on_both_users_sockets(alice, bob, lobby):
    await Room.objects.acreate(name="other")
    message = await awrite(alice, bob, "see you at 5")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    alice_elsewhere = await open_socket("/ws/chat/other/", user=alice)
    bobs = await open_socket("/ws/chat/other/", user=bob)
    edit = {"type": "edit_message", "id": message.id, "with": "bob", "message": "at 6"}
    await alices.send_json_to(edit)
    for socket in (alices, alice_elsewhere, bobs):
        event = await receive_until(socket, "message_edited")
        assert (event["id"], event["room"], event["message"]) == (message.id, None, "at 6")
    await alices.send_json_to({"type": "delete_message", "id": message.id, "with": "bob"})
    for socket in (alices, alice_elsewhere, bobs):
        event = await receive_until(socket, "message_deleted")
        assert event == {"type": "message_deleted", "id": message.id, "room": None}
    stored = await DirectMessage.objects.aget(pk=message.id)
    assert (stored.content, stored.deleted_at is not None) == ("", True)
    for socket in (alices, alice_elsewhere, bobs):
        await socket.disconnect()


async def test_a_message_deleted_after_an_edit_keeps_no_copy_of_its_text(alice, lobby):
    message = await apost(lobby, alice, "first draft")
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"type": "edit_message", "id": message.id, "message": "secret"})
    await receive_until(socket, "message_edited")
    await socket.send_json_to({"type": "delete_message", "id": message.id})
    await receive_until(socket, "message_deleted")
    frames = [frame async for frame in RoomChange.objects.values_list("frame", flat=True)]
    assert not any("secret" in (frame or "") for frame in frames)
    await socket.disconnect()


def _frames(case, ids):
    return {
        "unknown id": {"type": "edit_message", "id": 999_999, "message": "x"},
        "a message of another room": {"type": "edit_message", "id": ids["other"], "message": "x"},
        "someone else's message": {"type": "edit_message", "id": ids["bobs"], "message": "x"},
        "a deleted message": {"type": "edit_message", "id": ids["deleted"], "message": "x"},
        "deleting a deleted message": {"type": "delete_message", "id": ids["deleted"]},
        "an empty edit": {"type": "edit_message", "id": ids["mine"], "message": "  "},
        "an oversized edit": {"type": "edit_message", "id": ids["mine"], "message": "x" * 4001},
        "too late": {"type": "edit_message", "id": ids["old"], "message": "x"},
        "someone else's private message": {
            "type": "edit_message",
            "id": ids["bobs_private"],
            "with": "bob",
            "message": "x",
        },
        "a private message of others": {
            "type": "delete_message",
            "id": ids["between_others"],
            "with": "bob",
        },
        "deleting someone else's private message": {
            "type": "delete_message",
            "id": ids["bobs_private"],
            "with": "bob",
        },
        "a room message as private": {
            "type": "edit_message",
            "id": ids["mine"],
            "with": "bob",
            "message": "x",
        },
        "id not a number": {"type": "edit_message", "id": "1", "message": "x"},
        "anonymous": {"type": "delete_message", "id": ids["mine"]},
    }[case]


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unknown id", "message_not_found"),
        ("a message of another room", "message_not_found"),
        ("someone else's message", "forbidden"),
        ("a deleted message", "message_not_found"),
        ("deleting a deleted message", "message_not_found"),
        ("an empty edit", "empty"),
        ("an oversized edit", "too_long"),
        ("too late", "edit_window_closed"),
        ("someone else's private message", "forbidden"),
        ("a private message of others", "message_not_found"),
        ("deleting someone else's private message", "forbidden"),
        ("a room message as private", "message_not_found"),
        ("id not a number", "invalid_frame"),
        ("anonymous", "not_authenticated"),
    ],
)
async def test_a_bad_edit_or_delete_is_refused_changes_nothing_and_the_socket_stays(
    alice, bob, mallory, lobby, case, code
):
    other = await Room.objects.acreate(name="other")
    ids = {
        "mine": (await apost(lobby, alice, "mine")).id,
        "bobs": (await apost(lobby, bob, "bob's")).id,
        "other": (await apost(other, alice, "elsewhere")).id,
        "deleted": (await apost(lobby, alice, "gone")).id,
        "old": (await apost(lobby, alice, "long ago")).id,
        "bobs_private": (await awrite(bob, alice, "from bob")).id,
        "between_others": (await awrite(bob, mallory, "not alice's")).id,
    }
    await Message.objects.filter(pk=ids["deleted"]).aupdate(content="", deleted_at=timezone.now())
    long_ago = timezone.now() - timedelta(hours=2)
    await Message.objects.filter(pk=ids["old"]).aupdate(created_at=long_ago)
    before = [
        m
        async for m in Message.objects.order_by("id").values_list(
            "content", "edited_at", "deleted_at"
        )
    ]
    private_before = [
        m async for m in DirectMessage.objects.order_by("id").values_list("content", "deleted_at")
    ]
    socket = await open_socket("/ws/chat/lobby/", user=None if case == "anonymous" else alice)
    await socket.send_json_to({**_frames(case, ids), "client_id": "c-1"})
    error = await receive_until(socket, "error")
    assert (error["code"], error["client_id"]) == (code, "c-1")
    after = [
        m
        async for m in Message.objects.order_by("id").values_list(
            "content", "edited_at", "deleted_at"
        )
    ]
    private_after = [
        m async for m in DirectMessage.objects.order_by("id").values_list("content", "deleted_at")
    ]
    assert (after, private_after) == (before, private_before)
    assert not await RoomChange.objects.aexists()
    assert not await MailboxChange.objects.aexists()
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong"))["type"] == "pong"
    await socket.disconnect()
