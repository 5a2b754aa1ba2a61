"""Reactions over the socket: toggling, setting, the bound per message, and refusals."""

import pytest

from chat.errors import InvalidEmoji
from chat.models import Message, Reaction, Room, RoomChange
from chat.reactions import check_emoji
from tests.conftest import apost, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_reaction_toggles_and_the_room_sees_each_change(alice, bob, lobby):
    message = await apost(lobby, alice, "ship it")
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    for added in (True, False):
        await bobs.send_json_to({"type": "react", "id": message.id, "emoji": "🎉"})
        for socket in (alices, bobs):
            event = await receive_until(socket, "reaction")
            assert event == {
                "type": "reaction",
                "id": message.id,
                "room": "lobby",
                "emoji": "🎉",
                "user": "bob",
                "added": added,
            }
        assert await Reaction.objects.filter(message=message).aexists() is added
    for socket in (alices, bobs):
        await socket.disconnect()


async def test_setting_a_reaction_that_already_is_so_changes_and_sends_nothing(alice, bob, lobby):
    message = await apost(lobby, alice, "hi")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    frame = {"type": "react", "id": message.id, "emoji": "👍", "added": True}
    await bobs.send_json_to(frame)
    await receive_until(alices, "reaction")
    await bobs.send_json_to(frame)  # a retry
    await bobs.send_json_to({**frame, "emoji": "👀", "added": False})
    assert await alices.receive_nothing(timeout=0.3)
    assert await Reaction.objects.acount() == 1
    assert await RoomChange.objects.acount() == 1
    room = await Room.objects.aget(pk=lobby.pk)
    assert room.last_seq == 2  # the message and one change: a no-op takes no number
    for socket in (alices, bobs):
        await socket.disconnect()


async def test_a_message_carries_at_most_the_configured_distinct_emoji(alice, bob, lobby, settings):
    settings.CHAT = {**settings.CHAT, "REACTIONS_PER_MESSAGE": 2}
    message = await apost(lobby, alice, "vote")
    socket = await open_socket("/ws/chat/lobby/", user=bob)
    for emoji in ("👍", "👎"):
        await socket.send_json_to({"type": "react", "id": message.id, "emoji": emoji})
        await receive_until(socket, "reaction")
    await socket.send_json_to({"type": "react", "id": message.id, "emoji": "🤷"})
    assert (await receive_until(socket, "error"))["code"] == "too_many_reactions"
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    await alices.send_json_to({"type": "react", "id": message.id, "emoji": "👍"})
    assert (await receive_until(alices, "reaction"))["user"] == "alice"  # an emoji already there
    assert await Reaction.objects.acount() == 3
    for each in (socket, alices):
        await each.disconnect()


@pytest.mark.parametrize("text", ["👍", "❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷"])
def test_one_emoji_of_any_shape_is_an_emoji(text):
    assert check_emoji(text) == text


@pytest.mark.parametrize("text", ["", "a", "👍👍", "x👍", ":+1:", "<b>", " 👍"])
def test_anything_else_is_refused(text):
    with pytest.raises(InvalidEmoji):
        check_emoji(text)


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unknown id", "message_not_found"),
        ("a message of another room", "message_not_found"),
        ("a deleted message", "message_not_found"),
        ("not an emoji", "invalid_emoji"),
        ("two emoji", "invalid_emoji"),
        ("an oversized emoji", "invalid_frame"),
        ("added not a boolean", "invalid_frame"),
        ("anonymous", "not_authenticated"),
    ],
)
async def test_a_bad_reaction_is_refused_stores_nothing_and_the_socket_stays(
    alice, bob, lobby, case, code
):
    other = await Room.objects.acreate(name="other")
    mine = await apost(lobby, alice, "mine")
    elsewhere = await apost(other, alice, "elsewhere")
    deleted = await apost(lobby, alice, "gone")
    await Message.objects.filter(pk=deleted.pk).aupdate(content="", deleted_at=mine.created_at)
    frame = {
        "unknown id": {"id": 999_999, "emoji": "👍"},
        "a message of another room": {"id": elsewhere.id, "emoji": "👍"},
        "a deleted message": {"id": deleted.id, "emoji": "👍"},
        "not an emoji": {"id": mine.id, "emoji": "lol"},
        "two emoji": {"id": mine.id, "emoji": "👍👍"},
        "an oversized emoji": {"id": mine.id, "emoji": "👍" * 40},
        "added not a boolean": {"id": mine.id, "emoji": "👍", "added": "yes"},
        "anonymous": {"id": mine.id, "emoji": "👍"},
    }[case]
    socket = await open_socket("/ws/chat/lobby/", user=None if case == "anonymous" else bob)
    await socket.send_json_to({"type": "react", **frame, "client_id": "r-1"})
    error = await receive_until(socket, "error")
    assert (error["code"], error["client_id"]) == (code, "r-1")
    assert not await Reaction.objects.aexists()
    assert not await RoomChange.objects.aexists()
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong"))["type"] == "pong"
    await socket.disconnect()
