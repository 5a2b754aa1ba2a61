"""Live delivery under real servers (uvicorn and daphne): no silent loss, whatever happens.

Every test counts what each socket received against what the database stored.
"""

import asyncio
import json

import pytest
import websockets
from websockets.asyncio.client import connect

from tests.e2e.servers import seed_users

pytestmark = [pytest.mark.asyncio, pytest.mark.services]

RESUME = 4409


async def open_room(
    server, room: str, token: str, after: int | None = None, online: list | None = None, **options
):
    """A socket that has read its user_list (its users appended to ``online``) and history;
    returns (socket, history frame)."""
    url = f"{server.ws}/ws/chat/{room}/" + ("" if after is None else f"?after={after}")
    socket = await connect(
        url,
        additional_headers={"Authorization": f"Bearer {token}"},
        ping_interval=None,
        compression=None,
        **options,
    )
    users = json.loads(await socket.recv())
    assert users["type"] == "user_list"
    if online is not None:
        online += users["users"]
    history = json.loads(await socket.recv())
    assert history["type"] == "history"
    return socket, history


def stored_ids(server, room: str) -> list[int]:
    ids, after = [], 0
    while True:
        page = server.get(f"/api/rooms/{room}/messages/?after={after}&limit=100")
        ids += [message["id"] for message in page["results"]]
        if not page["has_more"]:
            return ids
        after = ids[-1]


async def read_messages(socket, into: list[int], joined: list | None = None) -> int | None:
    """Appends the id of every chat_message until the socket closes (and the user of every
    user_join to ``joined``); returns its close code."""
    try:
        async for text in socket:
            frame = json.loads(text)
            if frame["type"] == "chat_message":
                into.append(frame["id"])
            elif frame["type"] == "user_join" and joined is not None:
                joined.append(frame["user"])
    except websockets.ConnectionClosed:
        pass
    return socket.close_code


async def test_concurrent_senders_reach_a_reader_in_commit_order_without_a_gap(start_server):
    server = start_server(WS_RATE="1000", WS_BURST="1000")
    tokens = seed_users(server.database_url, ["reader", *[f"sender{n}" for n in range(8)]])
    server.post("/api/rooms/", {"name": "busy"}, tokens["reader"])
    reader, _ = await open_room(server, "busy", tokens["reader"])
    senders = [(await open_room(server, "busy", tokens[f"sender{n}"]))[0] for n in range(8)]
    received: list[int] = []
    reading = asyncio.ensure_future(read_messages(reader, received))

    async def send(socket, name):
        for n in range(40):
            await socket.send(json.dumps({"message": f"{name} {n}", "client_id": f"{name}-{n}"}))

    await asyncio.gather(*(send(socket, f"s{n}") for n, socket in enumerate(senders)))
    async with asyncio.timeout(30):
        while len(received) < 320:
            await asyncio.sleep(0.05)
    # In the order they committed, which is id order within a room: a cursor never skips one.
    assert received == sorted(received)
    assert received == stored_ids(server, "busy")
    for socket in [reader, *senders]:
        await socket.close()
    await reading


async def test_sockets_opening_while_the_room_is_busy_get_each_message_once(start_server):
    # Half of them on the other worker, where a message can be in the database, and so in the
    # history, before its publish arrives: it must not then come live as well.
    servers = [start_server(WS_RATE="1000", WS_BURST="1000") for _ in range(2)]
    joiners = [f"joiner{n}" for n in range(40)]
    tokens = seed_users(servers[0].database_url, ["s0", "s1", "s2", "s3", *joiners])
    servers[0].post("/api/rooms/", {"name": "churn"}, tokens["s0"])
    senders = [(await open_room(servers[0], "churn", tokens[f"s{n}"]))[0] for n in range(4)]
    opened: list[tuple[dict, list[int]]] = []
    sockets, reading = [], []

    async def send(socket, name: str) -> None:
        for n in range(60):
            await socket.send(json.dumps({"message": f"{name} {n}"}))
            await asyncio.sleep(0.02)

    async def join_meanwhile() -> None:
        for n, name in enumerate(joiners):
            socket, history = await open_room(servers[n % 2], "churn", tokens[name])
            received: list[int] = []
            opened.append((history, received))
            sockets.append(socket)
            reading.append(asyncio.ensure_future(read_messages(socket, received)))

    await asyncio.gather(join_meanwhile(), *(send(s, f"s{n}") for n, s in enumerate(senders)))
    stored = stored_ids(servers[0], "churn")
    assert len(stored) == 240

    def expected(history: dict) -> list[int]:
        seen_up_to = max((message["id"] for message in history["messages"]), default=0)
        return [id_ for id_ in stored if id_ > seen_up_to]

    async with asyncio.timeout(30):
        while any(len(received) < len(expected(history)) for history, received in opened):
            await asyncio.sleep(0.05)
    await asyncio.sleep(0.3)  # time for a second copy to show
    for history, received in opened:
        assert received == expected(history)
    for socket in [*senders, *sockets]:
        await socket.close()
    await asyncio.gather(*reading)


async def test_a_reader_that_stops_reading_is_closed_to_resume_and_then_misses_nothing(
    start_server,
):
    server = start_server(SOCKET_BACKLOG="20", WS_RATE="1000", WS_BURST="1000")
    tokens = seed_users(server.database_url, ["slow", "talker"])
    server.post("/api/rooms/", {"name": "flood"}, tokens["talker"])
    # The client library stops reading from the network once two frames wait unread.
    slow, history = await open_room(server, "flood", tokens["slow"], max_queue=2)
    talker, _ = await open_room(server, "flood", tokens["talker"])
    talked: list[int] = []
    talking = asyncio.ensure_future(read_messages(talker, talked))
    big = "x" * 3900
    for n in range(2000):  # 8 MB: more than the kernel, the server and the backlog hold
        await talker.send(json.dumps({"message": f"{n} {big}"}))
    # Until all are stored and broadcast: the talker hears its own. Not by paging the room over
    # REST (8 MB a poll), which slowed a loaded run past daphne's ping timeout (20 + 30 s), after
    # which daphne drops a client that reads nothing, pongs included, without a close (1006).
    async with asyncio.timeout(40):
        while len(talked) < 2000:
            await asyncio.sleep(0.2)
    seen: list[int] = []
    assert await read_messages(slow, seen) == RESUME
    assert len(seen) < 2000
    # Resume exactly as the close code says: reconnect with after= the last id it has.
    back, history = await open_room(server, "flood", tokens["slow"], after=seen[-1])
    seen += [message["id"] for message in history["messages"]]
    cursor = seen[-1]
    while history["has_more"]:
        page = server.get(f"/api/rooms/flood/messages/?after={cursor}&limit=100")
        seen += [message["id"] for message in page["results"]]
        cursor, history = seen[-1], {"has_more": page["has_more"]}
    assert seen == stored_ids(server, "flood")
    for socket in (back, talker):
        await socket.close()
    await talking


@pytest.mark.parametrize("server_kind", ["uvicorn"])
async def test_a_redis_restart_closes_every_socket_to_resume_and_they_miss_nothing(
    start_server, private_redis
):
    servers = [
        start_server(
            REDIS_URL=private_redis.url,
            ASGI_SERVER=kind,
            PRESENCE_TTL="3",
            PRESENCE_SWEEP_INTERVAL="1",
        )
        for kind in ("uvicorn", "daphne")
    ]
    tokens = seed_users(servers[0].database_url, ["alice", "bob"])
    servers[0].post("/api/rooms/", {"name": "lobby"}, tokens["alice"])
    alices, _ = await open_room(servers[0], "lobby", tokens["alice"])
    bobs, _ = await open_room(servers[1], "lobby", tokens["bob"])
    await bobs.send(json.dumps({"message": "before"}))
    seen = {"alice": [], "bob": []}
    closes = asyncio.gather(read_messages(alices, seen["alice"]), read_messages(bobs, seen["bob"]))
    await asyncio.sleep(0.5)
    private_redis.stop()
    async with asyncio.timeout(30):
        # Both processes notice the broken subscription and close every socket with 4409.
        assert await closes == [RESUME, RESUME]
    private_redis.start()
    # Nobody reconnected yet: nobody is online, and the presence keepers, which forgot the
    # closed sockets, bring nobody back on their next beats.
    await asyncio.sleep(4)
    for server in servers:
        assert server.get("/api/rooms/lobby/")["online"] == []
    async with asyncio.timeout(30):
        while True:
            try:
                again = [
                    await open_room(servers[0], "lobby", tokens["alice"], after=seen["alice"][-1]),
                    await open_room(servers[1], "lobby", tokens["bob"], after=seen["bob"][-1]),
                ]
                break
            except (websockets.ConnectionClosed, AssertionError):
                await asyncio.sleep(0.5)
    (alices, _), (bobs, _) = again
    await alices.send(json.dumps({"message": "after"}))
    for socket in (alices, bobs):
        async with asyncio.timeout(10):
            while json.loads(await socket.recv()).get("message") != "after":
                pass
        await socket.close()
    assert seen["alice"] == seen["bob"] == stored_ids(servers[0], "lobby")[:1]


async def test_a_thousand_sockets_join_one_room_at_once_and_every_one_hears_every_message(
    start_server,
):
    server = start_server(WS_RATE="1000", WS_BURST="1000")
    names = [f"user{n}" for n in range(100)]
    tokens = seed_users(server.database_url, names)
    server.post("/api/rooms/", {"name": "crowd"}, tokens["user0"])
    sockets, online = [], [[] for _ in range(1000)]
    for batch in range(20):  # 50 at a time, 10 tabs of each of 100 users
        sockets += await asyncio.gather(
            *(
                open_room(server, "crowd", tokens[names[n % 100]], online=online[n])
                for n in range(batch * 50, batch * 50 + 50)
            )
        )
    assert server.get("/api/rooms/crowd/")["online"] == sorted(names)
    received, joined = [[] for _ in sockets], [[] for _ in sockets]
    readers = [
        asyncio.ensure_future(read_messages(socket, *seen))
        for (socket, _), *seen in zip(sockets, received, joined, strict=True)
    ]
    for n in range(5):
        await sockets[n][0].send(json.dumps({"message": f"hello {n}"}))
    stored = []
    async with asyncio.timeout(60):
        while len(stored) < 5 or any(len(into) < 5 for into in received):
            stored = stored_ids(server, "crowd")
            await asyncio.sleep(0.2)
    assert all(into == stored for into in received)
    # Every socket knows everyone: online when it opened, or announced since (before the
    # messages, which were sent after the last join).
    known = [set(users) | set(seen) for users, seen in zip(online, joined, strict=True)]
    assert all(users == set(names) for users in known)
    for socket, _ in sockets:
        await socket.close()
    assert set(await asyncio.gather(*readers)) == {1000}
    async with asyncio.timeout(10):
        while server.get("/api/rooms/crowd/")["online"]:
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("server_kind", ["uvicorn"])
async def test_edits_and_reactions_reach_another_worker_in_order_with_the_messages(start_server):
    servers = [
        start_server(ASGI_SERVER=kind, WS_RATE="1000", WS_BURST="1000")
        for kind in ("uvicorn", "daphne")
    ]
    tokens = seed_users(servers[0].database_url, ["writer", "reader"])
    servers[0].post("/api/rooms/", {"name": "edits"}, tokens["writer"])
    writer, _ = await open_room(servers[0], "edits", tokens["writer"])
    reader, _ = await open_room(servers[1], "edits", tokens["reader"])
    frames: list[dict] = []

    async def read_until(count: int) -> None:
        while len(frames) < count:
            frame = json.loads(await reader.recv())
            if frame["type"] in ("chat_message", "message_edited", "reaction", "message_deleted"):
                frames.append(frame)

    await writer.send(json.dumps({"message": "first"}))
    async with asyncio.timeout(10):
        await read_until(1)
    first = frames[0]["id"]
    for n in range(20):
        await writer.send(json.dumps({"message": f"m{n}"}))
        await writer.send(json.dumps({"type": "edit_message", "id": first, "message": f"e{n}"}))
        await writer.send(json.dumps({"type": "react", "id": first, "emoji": "👍"}))
    await writer.send(json.dumps({"type": "delete_message", "id": first}))
    async with asyncio.timeout(20):
        await read_until(1 + 20 * 3 + 1)
    kinds = [frame["type"] for frame in frames[1:-1]]
    assert kinds == ["chat_message", "message_edited", "reaction"] * 20
    assert [frame["message"] for frame in frames if frame["type"] == "message_edited"] == [
        f"e{n}" for n in range(20)
    ]
    assert [frame["added"] for frame in frames if frame["type"] == "reaction"] == [True, False] * 10
    assert frames[-1] == {"type": "message_deleted", "id": first, "room": "edits"}
    # A reader resuming from the first message learns of the deletion without replaying it.
    resumed, history = await open_room(servers[1], "edits", tokens["reader"], after=first)
    assert [(m["id"], m["deleted"]) for m in history["changed"]] == [(first, True)]
    for socket in (writer, reader, resumed):
        await socket.close()
