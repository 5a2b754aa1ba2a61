"""Typing notices: to the others in the room, throttled, never stored."""

import pytest

from chat.models import DirectMessage, Message
from tests.conftest import open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_typing_reaches_the_others_in_the_room_but_not_the_typist(alice, bob, lobby):
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    alices_other_tab = await open_socket("/ws/chat/lobby/", user=alice)
    await alices.send_json_to({"type": "typing"})
    assert await receive_until(bobs, "typing") == {"type": "typing", "user": "alice"}
    # Her other tab hears it too (it is another socket); the typing socket does not.
    assert await receive_until(alices_other_tab, "typing") == {"type": "typing", "user": "alice"}
    assert await alices.receive_nothing(timeout=0.3)
    assert await Message.objects.acount() == 0
    assert await DirectMessage.objects.acount() == 0
    for socket in (alices, alices_other_tab, bobs):
        await socket.disconnect()


async def test_typing_is_passed_on_at_most_every_two_seconds(alice, bob, lobby):
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    for _ in range(5):
        await alices.send_json_to({"type": "typing"})
    await receive_until(bobs, "typing")
    frames = []
    while not await bobs.receive_nothing(timeout=0.5):
        frames.append(await bobs.receive_json_from())
    assert [frame for frame in frames if frame["type"] == "typing"] == []
    # Absorbed, not refused: no error reached alice.
    assert await alices.receive_nothing(timeout=0.1)
    for socket in (alices, bobs):
        await socket.disconnect()


async def test_typing_while_anonymous_is_refused(alice, lobby):
    reader = await open_socket("/ws/chat/lobby/")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    await reader.send_json_to({"type": "typing"})
    assert (await receive_until(reader, "error"))["code"] == "not_authenticated"
    assert await alices.receive_nothing(timeout=0.3)
    for socket in (reader, alices):
        await socket.disconnect()


async def test_typing_in_one_room_is_not_heard_in_another(alice, bob, lobby):
    from chat.models import Room

    await Room.objects.acreate(name="other")
    bob_elsewhere = await open_socket("/ws/chat/other/", user=bob)
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    await alices.send_json_to({"type": "typing"})
    assert await bob_elsewhere.receive_nothing(timeout=0.3)
    for socket in (alices, bob_elsewhere):
        await socket.disconnect()
