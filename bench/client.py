"""The load client: one ChatSocket per user and room, written against docs/protocol.md only.

It shares two cores with the server, so each frame costs as little as we can make it: frames are
told apart by a regex on their `type`, and a chat_message is read with two more (its `id`, and
the send time the sender put in its text) instead of json.loads; only the rare frames (history,
errors) are parsed whole. Sockets never apply backpressure by accident (max_queue=None, a
reader task per socket that always reads), never close on their own (no keepalive pings: an
overloaded server that answers a ping late must not be charged with a close we made), and
compression is off.

A ChatSocket follows one user's socket across closes: with a close code in ``resume_on``
(4409, "you may have missed messages") it reconnects with `after=<largest id it has>`, takes
what the resumed history brings, pages the rest over REST while `has_more`, and reads on.
"""

import asyncio
import contextlib
import json
import re
import socket
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, WebSocketException

from bench import rest
from bench.seed import User

MAY_HAVE_MISSED = 4409
TYPE_FIELD = re.compile(r'"type"\s*:\s*"(\w+)"')
ID_FIELD = re.compile(r'"id"\s*:\s*(\d+)')
# Senders write "bench-t<monotonic ns>-<sender mark>-<seq>" as the message text: JSON needs no
# escaping for it, so it appears in the frame verbatim whatever the server's JSON style.
SENT_AT = re.compile(r"bench-t(\d+)-")
OPEN_TIMEOUT = 30.0
HISTORY_TIMEOUT = 30.0
CLOSE_TIMEOUT = 5.0
RESUME_ATTEMPTS = 8
REST_PAGE = 100
SMALL_RECEIVE_BUFFER = 4096
# What a connection attempt may end with: refused, timed out, closed before its history, or a
# history that is not what the protocol says.
JOIN_FAILURES = (OSError, TimeoutError, WebSocketException, ValueError, KeyError)


@dataclass(frozen=True)
class Endpoint:
    """One server process, as the client reaches it."""

    ws: str
    http: str


@dataclass
class Tally:
    """What every socket of a load adds to: deliveries, their latencies, and who is resuming."""

    deliveries: int = 0
    # Any frame, not only chat_message: a server still busy announcing joins is not quiet.
    last_frame_ns: int = 0
    recording: bool = False
    latencies_ns: array = field(default_factory=lambda: array("q"))
    other_frames: Counter = field(default_factory=Counter)
    resuming: int = 0


class ChatSocket:
    """One user's socket in one room, from its first join to its close, across resumes."""

    def __init__(
        self,
        user: User,
        room: str,
        endpoint: Endpoint,
        tally: Tally,
        *,
        resume_on: frozenset[int] = frozenset(),
        small_receive_buffer: bool = False,
    ) -> None:
        self.user = user
        self.room = room
        self.endpoint = endpoint
        self.tally = tally
        self.resume_on = resume_on
        self.small_receive_buffer = small_receive_buffer
        self.ws: ClientConnection | None = None
        self.follower: asyncio.Task | None = None
        # Expected messages are the stored ones above the last id of the first history.
        self.boundary: int | None = None
        self.live_ids = array("q")
        self.recovered_ids: set[int] = set()
        self.max_id = 0
        self.handshake_s: float | None = None
        self.join_error: str | None = None
        self.server_closes: list[tuple[int | None, str]] = []
        self.errors: list[dict] = []
        self.error_count = 0
        self.resumes = 0
        self.rest_pages = 0
        self.resume_error: str | None = None
        self.client_error: str | None = None
        self.client_drops = 0
        self.drop_for_s: float | None = None
        self.closing = False
        # Sender side: set by become_sender().
        self.echo_mark = ""
        self.client_id_prefix = ""
        self.sent = self.echoed = self.send_skipped = 0
        self.first_live_since_resume: int | None = None

    # Joining -----------------------------------------------------------------------------

    async def join(self) -> None:
        """Called once: opens the socket; it counts as joined when its history arrives."""
        started = time.perf_counter()
        try:
            ws, history = await self._open(after=None)
        except JOIN_FAILURES as error:
            self.join_error = describe(error)
            return
        self.handshake_s = time.perf_counter() - started
        self.boundary = max((m["id"] for m in history["messages"]), default=0)
        self.max_id = self.boundary
        self.ws = ws
        self.follower = asyncio.create_task(self._follow(ws))

    @property
    def joined(self) -> bool:
        return self.boundary is not None

    @property
    def open(self) -> bool:
        return self.ws is not None and self.ws.close_code is None

    async def _open(self, *, after: int | None) -> tuple[ClientConnection, dict]:
        """A connection that got its history; nothing is left open when that fails."""
        ws = await self._connect(after=after)
        try:
            return ws, await self._read_until_history(ws)
        except BaseException:
            ws.transport.abort()
            raise

    async def _connect(self, *, after: int | None) -> ClientConnection:
        url = f"{self.endpoint.ws}/ws/chat/{self.room}/"
        if after is not None:
            url += f"?after={after}"
        return await connect(
            url,
            additional_headers={"Authorization": f"Bearer {self.user.token}"},
            compression=None,
            max_queue=None,
            max_size=None,
            ping_interval=None,
            open_timeout=OPEN_TIMEOUT,
            close_timeout=CLOSE_TIMEOUT,
            user_agent_header=None,
            proxy=None,
            **await self._socket_options(),
        )

    async def _socket_options(self) -> dict:
        if not self.small_receive_buffer:
            return {}
        # A socket whose reads stall fills a tiny buffer fast, so the server's own per-socket
        # buffer is what overflows: the way to provoke a real 4409 without a huge load.
        parts = urlsplit(self.endpoint.ws)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_RECEIVE_BUFFER)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (parts.hostname, parts.port))
        except BaseException:
            sock.close()
            raise
        return {"sock": sock}

    async def _read_until_history(self, ws: ClientConnection) -> dict:
        """user_list comes first and history second (docs/protocol.md); anything before the
        history is taken as it comes, so a server that adds a frame does not break us."""
        async with asyncio.timeout(HISTORY_TIMEOUT):
            while True:
                text = await ws.recv()
                kind = frame_type(text)
                if kind == "history":
                    return json.loads(text)
                self._take(kind, text)

    # Reading -----------------------------------------------------------------------------

    async def _follow(self, ws: ClientConnection | None) -> None:
        """Reads until the socket closes; resumes after a close that asks for it."""
        try:
            await self._follow_closes(ws)
        except Exception as error:
            # A bug of ours, not the server's: recorded, so the run says the bench failed.
            self.client_error = describe(error)

    async def _follow_closes(self, ws: ClientConnection | None) -> None:
        while ws is not None:
            await self._read(ws)
            if self.closing:
                return
            if self.drop_for_s is not None:
                away, self.drop_for_s = self.drop_for_s, None
                await asyncio.sleep(away)
            else:
                self.server_closes.append((ws.close_code, ws.close_reason or ""))
                if ws.close_code not in self.resume_on:
                    return
            ws = await self._resume()
            if self.closing and ws is not None:
                await ws.close()
                return

    async def _read(self, ws: ClientConnection) -> None:
        take = self._take
        try:
            async for text in ws:
                take(frame_type(text), text)
        except ConnectionClosed:
            pass

    def _take(self, kind: str, text: str) -> None:
        if kind == "chat_message":
            self._take_chat(text)
        else:
            self.tally.other_frames[kind] += 1
            self.tally.last_frame_ns = time.monotonic_ns()
            if kind == "error":
                self.error_count += 1
                if len(self.errors) < 5:
                    self.errors.append(json.loads(text))

    def _take_chat(self, text: str) -> None:
        now = time.monotonic_ns()
        found = ID_FIELD.search(text)
        if found is None:
            self.tally.other_frames["chat_message without an id"] += 1
            return
        message_id = int(found.group(1))
        self.live_ids.append(message_id)
        if message_id > self.max_id:
            self.max_id = message_id
        if self.first_live_since_resume is None:
            self.first_live_since_resume = message_id
        tally = self.tally
        tally.deliveries += 1
        tally.last_frame_ns = now
        if tally.recording and (sent := SENT_AT.search(text)):
            tally.latencies_ns.append(now - int(sent.group(1)))
        if self.echo_mark and self.echo_mark in text:
            self.echoed += 1

    # Resuming ----------------------------------------------------------------------------

    async def _resume(self) -> ClientConnection | None:
        """Reconnects with after=<largest id we have>; the history and REST fill the gap."""
        self.tally.resuming += 1
        try:
            for attempt in range(RESUME_ATTEMPTS):
                try:
                    ws, history = await self._open(after=self.max_id)
                except JOIN_FAILURES as error:
                    self.resume_error = describe(error)
                    await asyncio.sleep(min(2.0, 0.1 * 2**attempt))
                    continue
                self.resume_error = None
                self.resumes += 1
                self.ws = ws
                self.first_live_since_resume = None
                ids = [m["id"] for m in history["messages"]]
                self._recover(ids)
                if history["has_more"]:
                    await self._page_rest(after=max(ids, default=self.max_id))
                return ws
            return None
        finally:
            self.tally.resuming -= 1

    async def _page_rest(self, *, after: int) -> None:
        """Pages GET /api/rooms/ROOM/messages/?after=ID until has_more is false, or until it
        reaches what the new socket already delivers live (the rest comes that way)."""
        while True:
            url = f"{self.endpoint.http}/api/rooms/{self.room}/messages/"
            url += f"?after={after}&limit={REST_PAGE}"
            try:
                page = await asyncio.to_thread(rest.get_json, url, token=self.user.token)
            except (OSError, ValueError) as error:
                # Left missing; the loss report names the socket and this reason.
                self.resume_error = f"REST paging failed: {describe(error)}"
                return
            self.rest_pages += 1
            ids = [m["id"] for m in page["results"]]
            self._recover(ids)
            live = self.first_live_since_resume
            if not page["has_more"] or not ids or (live is not None and ids[-1] >= live):
                return
            after = ids[-1]

    def _recover(self, ids: list[int]) -> None:
        self.recovered_ids.update(ids)
        self.max_id = max(self.max_id, *ids) if ids else self.max_id

    # Driving -----------------------------------------------------------------------------

    def become_sender(self, mark: str) -> None:
        """``mark`` is unique to this sender in this load; it also makes the client_ids unique,
        since users are reused across loads and a reused client_id would not be broadcast."""
        self.echo_mark = f"-{mark}-"
        self.client_id_prefix = f"{mark}-"

    async def send_chat(self, seq: int, padding: str = "") -> None:
        ws = self.ws
        if ws is None or ws.close_code is not None:
            self.send_skipped += 1
            return
        text = f"bench-t{time.monotonic_ns()}{self.echo_mark}{seq}{padding}"
        frame = f'{{"type": "chat_message", "message": "{text}", '
        frame += f'"client_id": "{self.client_id_prefix}{seq}"}}'
        try:
            await ws.send(frame)
            self.sent += 1
        except ConnectionClosed:
            self.send_skipped += 1

    async def drop_and_resume(self, away_s: float) -> None:
        """Closes from our side, stays away, then resumes: the reconnect path, on demand."""
        if self.open:
            self.client_drops += 1
            self.drop_for_s = away_s
            await self.ws.close()

    async def stall(self, seconds: float) -> None:
        """Stops reading for a while, as a slow phone on a bad network would."""
        ws = self.ws
        if ws is None or not self.open:
            return
        ws.transport.pause_reading()
        await asyncio.sleep(seconds)
        ws.transport.resume_reading()

    async def close(self) -> None:
        self.closing = True
        if self.ws is not None:
            with contextlib.suppress(OSError, WebSocketException):
                await self.ws.close()
        if self.follower is not None:
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self.follower, CLOSE_TIMEOUT)


def frame_type(text: str | bytes) -> str:
    if not isinstance(text, str):
        return "binary"
    found = TYPE_FIELD.search(text)
    return found.group(1) if found else "untyped"


def describe(error: BaseException) -> str:
    if isinstance(error, ConnectionClosed):
        code = error.rcvd.code if error.rcvd else None
        return f"closed {code}" if code else "connection lost"
    return f"{type(error).__name__}: {error}"[:200]


async def join_all(sockets: list[ChatSocket], batch: int) -> float:
    """Opens sockets ``batch`` at a time (each batch concurrently, awaited before the next);
    returns the storm's length in seconds."""
    started = time.perf_counter()
    for start in range(0, len(sockets), batch):
        await asyncio.gather(*(s.join() for s in sockets[start : start + batch]))
    return time.perf_counter() - started


async def close_all(sockets: list[ChatSocket], batch: int) -> None:
    """Closes ``batch`` at a time, as they were opened: a teardown that storms the server
    would fill its log with errors that are not the load's."""
    for start in range(0, len(sockets), batch):
        await asyncio.gather(*(s.close() for s in sockets[start : start + batch]))
