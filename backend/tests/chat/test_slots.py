"""Sockets per user (across workers, with Redis) and per address for anonymous sockets."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from chat.slots import socket_slots
from config.asgi import application
from tests.conftest import bearer, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def outcome(socket: WebsocketCommunicator) -> str | int:
    """ "open" once the snapshot arrived, else the close code."""
    frame = await socket.receive_output(timeout=5)
    if frame["type"] == "websocket.close":
        return frame["code"]
    return "open"


async def connect(user=None) -> WebsocketCommunicator:
    headers = [(b"authorization", bearer(user).encode())] if user else []
    socket = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=headers)
    assert (await socket.connect())[0]
    return socket


async def test_a_user_past_the_limit_is_closed_with_4429(alice, bob, lobby, settings):
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_USER": 2}
    tabs = [await open_socket("/ws/chat/lobby/", user=alice) for _ in range(2)]
    third = await connect(alice)
    assert await outcome(third) == 4429
    bobs = await open_socket("/ws/chat/lobby/", user=bob)  # others are not affected
    # A closed tab gives its slot back.
    await tabs.pop().disconnect()
    await asyncio.sleep(0.2)
    tabs.append(await open_socket("/ws/chat/lobby/", user=alice))
    for socket in (*tabs, bobs):
        await socket.disconnect()


async def test_sockets_racing_for_the_last_slots_get_exactly_the_limit(alice, lobby, settings):
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_USER": 3}
    sockets = await asyncio.gather(*[connect(alice) for _ in range(10)])
    outcomes = await asyncio.gather(*[outcome(socket) for socket in sockets])
    assert sorted(outcomes, key=str) == [4429] * 7 + ["open"] * 3
    for socket, result in zip(sockets, outcomes, strict=True):
        if result == "open":
            await socket.disconnect()


async def test_anonymous_sockets_are_limited_per_address(alice, lobby, settings):
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_ADDRESS": 1}
    reader = await open_socket("/ws/chat/lobby/")
    assert await outcome(await connect()) == 4429
    # A logged-in user from the same address counts against their own limit instead.
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    for socket in (reader, alices):
        await socket.disconnect()


@pytest.mark.parametrize(("path", "code"), [("nowhere/", 4404), ("lobby/?after=x", 4400)])
async def test_a_refused_socket_holds_no_slot(alice, lobby, settings, path, code):
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_USER": 1}
    for _ in range(3):
        socket = WebsocketCommunicator(
            application, f"/ws/chat/{path}", headers=[(b"authorization", bearer(alice).encode())]
        )
        assert (await socket.connect())[0]
        assert await outcome(socket) == code
        await socket.wait()
    assert socket_slots().claim((f"user:{alice.pk}", "probe"), 1)
