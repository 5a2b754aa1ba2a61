"""The server's own floor: a chat room in plain ASGI, under the same ASGI server as our app.

    python -m config.server bench.bare_app:app      (PYTHONPATH must include the repo root)

No Django, no auth (headers are ignored), no database, no channel layer: a socket joins its
room's set, and a frame it sends is built into one chat_message text and written to every
socket of the room with `await send(...)`. What our app spends per delivery above this is the
cost of our code; the bench states it as a ratio to this floor.

It speaks just enough of docs/protocol.md for the bench's client to drive it unchanged: the
first two frames are `user_list` and `history` (the room's latest messages, so the client's
"joined after id N" bookkeeping works), and chat_message frames carry the same fields as the
real ones. GET /readyz names this app, so the bench can tell a launcher that ignored the app
argument (and served the real app) from one that did not; GET /bench/rooms/ROOM/ gives the
room's last id, the floor's stand-in for the database in the loss check (ids are 1..last).
"""

import json
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

Send = Callable[[dict], Awaitable[None]]
Receive = Callable[[], Awaitable[dict]]
HISTORY_SIZE = 10
APP_NAME = "bench.bare_app"


class Room:
    def __init__(self, name: str) -> None:
        self.name = name
        self.sockets: set[Send] = set()
        self.last_id = 0
        # (id, message as history carries it, the chat_message text) of the latest messages.
        self.recent: deque[tuple[int, dict, str]] = deque(maxlen=HISTORY_SIZE)

    def post(self, text: str, client_id: str | None) -> str:
        """Stores nothing but the latest few; returns the one text sent to every socket."""
        self.last_id += 1
        message = {
            "id": self.last_id,
            "room": self.name,
            "user": "bare",
            "message": text,
            "timestamp": datetime.now(UTC).isoformat(timespec="microseconds")[:-6] + "Z",
        }
        frame = json.dumps({"type": "chat_message", **message, "client_id": client_id})
        self.recent.append((self.last_id, message, frame))
        return frame


rooms: dict[str, Room] = {}


async def app(scope: dict, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await serve_socket(scope, receive, send)
    elif scope["type"] == "http":
        await serve_http(scope, send)
    elif scope["type"] == "lifespan":
        await serve_lifespan(receive, send)


async def serve_socket(scope: dict, receive: Receive, send: Send) -> None:
    if (await receive())["type"] != "websocket.connect":
        return
    await send({"type": "websocket.accept"})
    room = rooms.setdefault(room_name(scope["path"]), Room(room_name(scope["path"])))
    await send_text(send, {"type": "user_list", "users": []})
    await join(room, send)
    try:
        while True:
            event = await receive()
            if event["type"] == "websocket.disconnect":
                return
            if event.get("text") is not None:
                await on_frame(room, event["text"], send)
    finally:
        room.sockets.discard(send)


async def join(room: Room, send: Send) -> None:
    """History, then live frames, with no gap: messages posted while the history was being
    written are caught up before the socket enters the set (nothing awaits in between)."""
    recent = list(room.recent)
    await send_text(
        send, {"type": "history", "messages": [m for _, m, _ in recent], "has_more": False}
    )
    sent_up_to = recent[-1][0] if recent else 0
    while missed := [frame for id_, _, frame in room.recent if id_ > sent_up_to]:
        sent_up_to = room.recent[-1][0]
        for frame in missed:
            await send({"type": "websocket.send", "text": frame})
    room.sockets.add(send)


async def on_frame(room: Room, text: str, send: Send) -> None:
    frame = json.loads(text)
    kind = frame.get("type", "chat_message")
    if kind == "ping":
        await send_text(send, {"type": "pong"})
    elif kind == "chat_message":
        await broadcast(room, room.post(frame["message"].strip(), frame.get("client_id")))


async def broadcast(room: Room, frame: str) -> None:
    event = {"type": "websocket.send", "text": frame}
    for peer in list(room.sockets):
        try:
            await peer(event)
        except Exception:
            # The peer closed while we were writing; its own task removes it as well.
            room.sockets.discard(peer)


async def send_text(send: Send, frame: dict) -> None:
    await send({"type": "websocket.send", "text": json.dumps(frame)})


def room_name(path: str) -> str:
    # /ws/chat/ROOM/
    return path.strip("/").split("/")[2]


async def serve_http(scope: dict, send: Send) -> None:
    parts = scope["path"].strip("/").split("/")
    if parts == ["readyz"]:
        status, body = 200, {"status": "ok", "app": APP_NAME}
    elif len(parts) == 3 and parts[:2] == ["bench", "rooms"]:
        room = rooms.get(parts[2])
        status, body = 200, {"room": parts[2], "last_id": room.last_id if room else 0}
    else:
        status, body = 404, {"code": "not_found"}
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(body).encode()})


async def serve_lifespan(receive: Receive, send: Send) -> None:
    while True:
        event = await receive()
        if event["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif event["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
