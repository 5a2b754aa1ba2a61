"""Through real server processes (uvicorn and daphne) and a real WebSocket client, as a third-party
client sees it."""

import asyncio
import json
import time

import pytest
import websockets

pytestmark = pytest.mark.asyncio


async def next_of(socket, event_type: str, timeout: float = 5) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await socket.recv())
            if frame["type"] == event_type:
                return frame


async def joined(server, room: str, access: str | None = None, query: str = ""):
    """An open socket in ``room`` that has read its user_list and history."""
    params = [f"ticket={server.ticket(access)}"] if access else []
    if query:
        params.append(query)
    url = f"{server.ws}/ws/chat/{room}/" + ("?" + "&".join(params) if params else "")
    socket = await websockets.connect(url, ping_interval=None)
    await next_of(socket, "user_list")
    await next_of(socket, "history")
    return socket


async def test_two_clients_chat_through_a_real_server(start_server):
    server = start_server()
    alice, bob = server.sign_up("alice"), server.sign_up("bob")
    server.post("/api/rooms/", {"name": "lobby"}, alice)
    alices = await joined(server, "lobby", alice)
    # Bob's mobile client uses the Authorization header instead of a ticket.
    bobs = await websockets.connect(
        f"{server.ws}/ws/chat/lobby/", additional_headers={"Authorization": f"Bearer {bob}"}
    )
    assert (await next_of(bobs, "user_list"))["users"] == ["alice", "bob"]
    assert await next_of(alices, "user_join") == {"type": "user_join", "user": "bob"}
    await bobs.send(json.dumps({"type": "chat_message", "message": "hi", "client_id": "b1"}))
    event = await next_of(alices, "chat_message")
    assert (event["user"], event["message"], event["client_id"]) == ("bob", "hi", "b1")
    await bobs.close()
    assert await next_of(alices, "user_leave") == {"type": "user_leave", "user": "bob"}
    history = server.get("/api/rooms/lobby/messages/")["results"]
    assert [m["id"] for m in history] == [event["id"]]
    await alices.close()


async def test_a_client_that_reconnects_with_after_misses_nothing(start_server):
    server = start_server()
    alice, bob = server.sign_up("alice"), server.sign_up("bob")
    server.post("/api/rooms/", {"name": "lobby"}, alice)
    alices = await joined(server, "lobby", alice)
    await alices.send(json.dumps({"message": "before the drop"}))
    last_seen = (await next_of(alices, "chat_message"))["id"]
    await alices.close()
    bobs = await joined(server, "lobby", bob)
    for n in range(3):
        await bobs.send(json.dumps({"message": f"while away {n}"}))
        await next_of(bobs, "chat_message")
    back = await websockets.connect(
        f"{server.ws}/ws/chat/lobby/?ticket={server.ticket(alice)}&after={last_seen}"
    )
    await next_of(back, "user_list")
    history = await next_of(back, "history")
    assert [m["message"] for m in history["messages"]] == [f"while away {n}" for n in range(3)]
    await back.close()
    await bobs.close()


async def test_a_restarted_server_keeps_every_stored_message(start_server):
    server = start_server()
    alice = server.sign_up("alice")
    server.post("/api/rooms/", {"name": "lobby"}, alice)
    alices = await joined(server, "lobby", alice)
    await alices.send(json.dumps({"message": "durable"}))
    sent = await next_of(alices, "chat_message")
    server.kill()
    restarted = start_server()
    # The reconnecting client resumes from before it saw anything, and gets the message back.
    again = await websockets.connect(f"{restarted.ws}/ws/chat/lobby/?after=0")
    await next_of(again, "user_list")
    history = await next_of(again, "history")
    assert [m["id"] for m in history["messages"]] == [sent["id"]]
    assert restarted.get("/api/rooms/lobby/messages/")["results"][0]["id"] == sent["id"]
    await again.close()


@pytest.mark.services
async def test_a_message_crosses_between_two_processes_through_redis(start_server):
    first, second = start_server(), start_server()
    alice, bob = first.sign_up("alice"), first.sign_up("bob")
    first.post("/api/rooms/", {"name": "lobby"}, alice)
    alices = await joined(first, "lobby", alice)
    bobs = await joined(second, "lobby", bob)
    assert await next_of(alices, "user_join") == {"type": "user_join", "user": "bob"}
    await alices.send(json.dumps({"message": "across processes"}))
    assert (await next_of(bobs, "chat_message"))["message"] == "across processes"
    await bobs.send(json.dumps({"type": "private_message", "to": "alice", "message": "psst"}))
    assert (await next_of(alices, "private_message"))["message"] == "psst"
    assert (await next_of(bobs, "private_message_delivered"))["target"] == "alice"
    # A second tab of bob's on the other process is still one bob.
    second_tab = await joined(first, "lobby", bob)
    assert first.get("/api/rooms/lobby/")["online"] == ["alice", "bob"]
    await bobs.close()
    await second_tab.close()
    assert await next_of(alices, "user_leave") == {"type": "user_leave", "user": "bob"}
    await alices.close()


@pytest.mark.services
@pytest.mark.parametrize("server_kind", ["both"])
async def test_an_idle_socket_over_redis_outlives_a_minute(start_server):
    """channels_redis issue 422 killed idle sockets after 5 s; our subscription connection
    blocks without a timeout and is pinged instead. One minute on both servers at once."""
    servers = [start_server(ASGI_SERVER=kind) for kind in ("uvicorn", "daphne")]
    alice, bob = servers[0].sign_up("alice"), servers[0].sign_up("bob")
    servers[0].post("/api/rooms/", {"name": "lobby"}, alice)
    idle = [await joined(server, "lobby", alice) for server in servers]
    await asyncio.sleep(65)
    talker = await joined(servers[0], "lobby", bob)
    await talker.send(json.dumps({"message": "still there?"}))
    for socket in idle:
        assert (await next_of(socket, "chat_message"))["message"] == "still there?"
        await socket.close()
    await talker.close()


@pytest.mark.services
async def test_users_of_a_killed_process_leave_the_online_list(start_server):
    # Short presence timings so the test is quick; production uses 60 s + a 15 s sweep.
    timings = {"PRESENCE_TTL": "3", "PRESENCE_SWEEP_INTERVAL": "1"}
    doomed, survivor = start_server(**timings), start_server(**timings)
    alice, bob = doomed.sign_up("alice"), doomed.sign_up("bob")
    doomed.post("/api/rooms/", {"name": "lobby"}, alice)
    # Bob's socket dies with its process; nobody closes it.
    await joined(doomed, "lobby", bob)
    alices = await joined(survivor, "lobby", alice)
    assert survivor.get("/api/rooms/lobby/")["online"] == ["alice", "bob"]
    killed_at = time.monotonic()
    doomed.kill()
    assert await next_of(alices, "user_leave", timeout=15) == {"type": "user_leave", "user": "bob"}
    assert time.monotonic() - killed_at < 3 + 2 * 1 + 2
    assert survivor.get("/api/rooms/lobby/")["online"] == ["alice"]
    await alices.close()
