"""A bare ASGI app the launcher tests serve: `python -m config.server <this module>:application`.

- WebSocket: accepts, then sends FRAMES text frames of 64 KiB as fast as `await send()` lets it
  (256 MiB in all, far more than any buffer should hold); none go out once the client left.
- HTTP, any path: `flood app: <n> frames sent, <m> requests sleeping`, n counted over every
  socket so far; on /slow?seconds=N, only after N seconds (m counts those under way). On
  /scope: `client=<address> scheme=<scheme>`, as the server put them in the scope.
"""

import asyncio
from urllib.parse import parse_qs

FRAME = "x" * 64 * 1024
FRAMES = 4096


class Flood:
    def __init__(self) -> None:
        self.sent = 0
        self.sleeping = 0

    async def __call__(self, scope: dict, receive, send) -> None:
        if scope["type"] == "http":
            await self.answer(send, await self.page(scope))
        elif scope["type"] == "websocket":
            await self.flood(receive, send)

    async def page(self, scope: dict) -> str:
        if scope["path"] == "/scope":
            return f"client={scope['client'][0]} scheme={scope['scheme']}"
        if scope["path"] == "/slow":
            await self.sleep(float(parse_qs(scope["query_string"].decode())["seconds"][0]))
        return f"flood app: {self.sent} frames sent, {self.sleeping} requests sleeping"

    async def sleep(self, seconds: float) -> None:
        self.sleeping += 1
        try:
            await asyncio.sleep(seconds)
        finally:
            self.sleeping -= 1

    async def answer(self, send, text: str) -> None:
        body = text.encode()
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/plain"),
                    (b"content-length", b"%d" % len(body)),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def flood(self, receive, send) -> None:
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        for _ in range(FRAMES):
            try:
                await send({"type": "websocket.send", "text": FRAME})
            except OSError:  # uvicorn's ClientDisconnected; daphne drops the frame instead
                return
            self.sent += 1


application = Flood()
