"""Read markers over the socket: mark_read, the read event to the user's other tabs, refusals."""

import pytest

from chat.models import ConversationReadMarker, Room, RoomReadMarker
from tests.conftest import apost, awrite, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_marking_a_room_read_reaches_every_socket_of_the_user_and_no_other(alice, bob, lobby):
    message = await apost(lobby, bob, "hello")
    await Room.objects.acreate(name="other")
    in_lobby = await open_socket("/ws/chat/lobby/", user=alice)
    elsewhere = await open_socket("/ws/chat/other/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    await in_lobby.send_json_to({"type": "mark_read", "id": message.id})
    expected = {"type": "read", "room": "lobby", "with": None, "id": message.id}
    for socket in (in_lobby, elsewhere):
        assert await receive_until(socket, "read") == expected
    assert await bobs.receive_nothing(timeout=0.3)
    marker = await RoomReadMarker.objects.aget(user=alice, room=lobby)
    assert marker.last_read_id == message.id
    for socket in (in_lobby, elsewhere, bobs):
        await socket.disconnect()


async def test_a_marker_only_moves_forward(alice, bob, lobby):
    first = await apost(lobby, bob, "one")
    second = await apost(lobby, bob, "two")
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"type": "mark_read", "id": second.id})
    await receive_until(socket, "read")
    await socket.send_json_to({"type": "mark_read", "id": first.id})
    assert (await receive_until(socket, "read"))["id"] == second.id
    assert (await RoomReadMarker.objects.aget(user=alice)).last_read_id == second.id
    await socket.disconnect()


async def test_marking_a_conversation_read(alice, bob, lobby):
    message = await awrite(bob, alice, "psst")
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"type": "mark_read", "with": "bob", "id": message.id})
    event = await receive_until(socket, "read")
    assert event == {"type": "read", "room": None, "with": "bob", "id": message.id}
    marker = await ConversationReadMarker.objects.aget(user=alice, other=bob)
    assert marker.last_read_id == message.id
    await socket.disconnect()


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("unknown id", "message_not_found"),
        ("a message of another room", "message_not_found"),
        ("someone else's conversation", "message_not_found"),
        ("no such user", "user_not_found"),
        ("id zero", "invalid_frame"),
        ("id not a number", "invalid_frame"),
        ("anonymous", "not_authenticated"),
    ],
)
async def test_a_bad_mark_read_is_refused_and_stores_nothing(
    alice, bob, mallory, lobby, case, code
):
    other = await Room.objects.acreate(name="other")
    elsewhere = await apost(other, bob, "in the other room")
    between_others = await awrite(bob, mallory, "not alice's business")
    frame = {
        "unknown id": {"id": 999_999},
        "a message of another room": {"id": elsewhere.id},
        "someone else's conversation": {"with": "bob", "id": between_others.id},
        "no such user": {"with": "nobody", "id": between_others.id},
        "id zero": {"id": 0},
        "id not a number": {"id": "7"},
        "anonymous": {"id": elsewhere.id},
    }[case]
    socket = await open_socket("/ws/chat/lobby/", user=None if case == "anonymous" else alice)
    await socket.send_json_to({"type": "mark_read", **frame})
    assert (await receive_until(socket, "error"))["code"] == code
    assert await RoomReadMarker.objects.acount() == 0
    assert await ConversationReadMarker.objects.acount() == 0
    await socket.send_json_to({"type": "ping"})
    assert await receive_until(socket, "pong") == {"type": "pong"}
    await socket.disconnect()
