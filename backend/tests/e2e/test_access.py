"""Access that ends while sockets are open, across real server processes sharing Redis."""

import asyncio
import json
import time

import pytest
import websockets
from websockets.asyncio.client import connect

from tests.e2e.test_delivery import open_room

pytestmark = [pytest.mark.asyncio, pytest.mark.services]

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize("server_kind", ["uvicorn"])
async def test_logout_on_one_worker_closes_the_users_sockets_on_every_worker(start_server):
    servers = [start_server(ASGI_SERVER=kind) for kind in ("uvicorn", "daphne")]
    alice = servers[0].sign_up("alice")
    bob = servers[0].sign_up("bob")
    servers[0].post("/api/rooms/", {"name": "lobby"}, alice)
    alices = [(await open_room(server, "lobby", alice))[0] for server in servers]
    bobs, _ = await open_room(servers[1], "lobby", bob)
    session = servers[0].post("/api/auth/token/", {"username": "alice", "password": PASSWORD})
    started = time.monotonic()
    servers[0].post("/api/auth/logout/", {"refresh": session["refresh"]})
    for socket in alices:
        async with asyncio.timeout(5):
            with pytest.raises(websockets.ConnectionClosed):
                while True:
                    await socket.recv()
        assert socket.close_code == 4401
    assert time.monotonic() - started < 5
    await bobs.send(json.dumps({"type": "ping"}))
    async with asyncio.timeout(5):
        while json.loads(await bobs.recv())["type"] != "pong":
            pass
    await bobs.close()


@pytest.mark.parametrize("path", ["/ws/chat/a%2Fb/", "/ws/chat/../x/", "/ws/nothing"])
async def test_a_path_that_is_no_room_is_closed_cleanly_by_the_real_server(start_server, path):
    server = start_server()
    async with connect(server.ws + path) as socket:
        with pytest.raises(websockets.ConnectionClosed):
            await socket.recv()
    assert socket.close_code == 4400
