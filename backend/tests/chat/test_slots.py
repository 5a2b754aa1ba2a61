"""Sockets per user (across workers, with Redis) and per address for anonymous sockets."""

import asyncio

import pytest
from channels.testing import WebsocketCommunicator

from chat.delivery.broker import shared_redis
from chat.models import Room
from chat.presence import presence_store
from chat.sessions import keeper
from chat.slots import socket_slots
from chat.threads import in_thread
from config.asgi import application
from tests.conftest import bearer, open_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def outcome(socket: WebsocketCommunicator) -> str | int:
    """ "open" once the snapshot arrived, else the close code."""
    frame = await socket.receive_output(timeout=5)
    if frame["type"] == "websocket.close":
        return frame["code"]
    return "open"


async def connect(user=None, room: str = "lobby", token: str | None = None):
    token = token or (bearer(user) if user else None)
    headers = [(b"authorization", token.encode())] if token else []
    socket = WebsocketCommunicator(application, f"/ws/chat/{room}/", headers=headers)
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
    # Nor does this process keep anything of it: its slot was named, never taken.
    assert not keeper._awaiting


async def test_credentials_and_room_access_are_refused_before_the_slot(
    alice, lobby, staff_room, settings
):
    """docs/protocol.md: 4401, then 4403, then 4429; a user at the limit hears why else."""
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_USER": 1}
    tab = await open_socket("/ws/chat/lobby/", user=alice)
    assert await outcome(await connect(room="staff", user=alice)) == 4403
    assert await outcome(await connect(token="Bearer not-a-token")) == 4401
    assert await outcome(await connect(alice)) == 4429
    await tab.disconnect()


async def test_a_socket_refused_its_slot_is_not_announced(alice, bob, lobby, settings):
    settings.CHAT = {**settings.CHAT, "WS_SOCKETS_PER_USER": 1}
    await Room.objects.acreate(name="other")
    alices = await open_socket("/ws/chat/other/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    assert await outcome(await connect(alice)) == 4429
    assert await bobs.receive_nothing(timeout=0.3)
    assert await in_thread(presence_store().online)(lobby.pk) == ["bob"]
    for socket in (alices, bobs):
        await socket.disconnect()


CONNECTION_SETUP = {"HELLO", "CLIENT", "AUTH", "SELECT"}


@pytest.mark.services
async def test_a_handshake_takes_its_slot_and_presence_in_one_round_trip(alice, lobby, monkeypatch):
    """The slot claim and the user_join ride in the presence script: one command to Redis from
    the service thread per handshake, and one per close (with its user_leave)."""
    sent = []
    connection_class = shared_redis().connection_pool.connection_class
    send = connection_class.send_command

    def counted(connection, *args, **options):
        # Not what a new connection of the pool says first (HELLO, CLIENT SETINFO).
        if args[0] not in CONNECTION_SETUP:
            sent.append(args[0])
        return send(connection, *args, **options)

    pack_commands = connection_class.pack_commands

    def counted_together(connection, commands):
        # A batch of handshakes sends its presence scripts together (chat/presence.py).
        sent.extend(command[0] for command in commands)
        return pack_commands(connection, commands)

    monkeypatch.setattr(connection_class, "send_command", counted)
    monkeypatch.setattr(connection_class, "pack_commands", counted_together)
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    assert sent == ["EVALSHA"]
    sent.clear()
    await socket.disconnect()
    await asyncio.sleep(0.2)
    assert sent == ["EVALSHA"]
