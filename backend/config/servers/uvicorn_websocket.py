"""The WebSocket protocol uvicorn serves our sockets with: its websockets-sansio protocol, made
leaner per socket and cheaper per frame (docs/performance.md)."""

import logging

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.protocol import State

logger = logging.getLogger("config.server")


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's websockets-sansio protocol, changed in three ways (docs/performance.md):
    - it does not keep the handshake's request and response (their headers parsed twice over)
      for as long as the socket lives: about 3 KiB of every idle socket;
    - a text frame is encoded once for every socket it goes to: a broadcast hands each socket
      the same ASGI message, which uvicorn would encode and frame again for each of them;
    - the text frames a socket is sent in one turn of the event loop go out in one write
      (``Cork``): a join storm sends each socket many user_join frames at once.
    """

    async def send(self, message: dict) -> None:
        # As uvicorn's own send: wait while the transport is paused (the outbox's backpressure).
        await self.writable.wait()
        text = message.get("text")
        if text is not None and message["type"] == "websocket.send" and self.takes_frames():
            cork.add(self, text_frame(text))
        else:
            cork.release(self)  # a close, for one, goes after the frames sent before it
            await super().send(message)

    def shutdown(self) -> None:
        cork.release(self)  # the frames before the server's 1012
        super().shutdown()

    def takes_frames(self) -> bool:
        """Open, with no close sent and no fragmented message or extension in the way: what
        websockets' send_text requires, so a frame written here is the one it would write."""
        conn = self.conn
        return (
            self.handshake_complete
            and not self.close_sent
            and not self.disconnected
            and self.initial_response is None
            and conn.state is State.OPEN
            and not conn.expect_continuation_frame
            and not conn.extensions
        )

    def start_keepalive(self) -> None:
        # Called once, right after the handshake's response went out: neither is read again.
        super().start_keepalive()
        # websockets' ServerProtocol.parse keeps the request in a local of its generator, which
        # stays suspended for the socket's lifetime, so dropping our reference alone frees
        # nothing: its headers (the scope has its own copy) are emptied in place.
        self.request.headers.clear()
        self.request = self.response = None


class Cork:
    """Holds the frames written to each socket until the end of the event loop's turn, then
    writes each socket's in one call: one system call where there were as many as frames.

    A frame waits at most until the loop's next turn, and a socket holds at most
    ``MOST_FRAMES`` (beyond that they are written at once), so a paused transport is noticed,
    and the outbox's backpressure applies, as before. What is held for a socket that closes or
    is lost meanwhile (the peer's close, a failed keep-alive) is dropped: it would follow the
    close frame, where the peer reads nothing.
    """

    MOST_FRAMES = 64

    def __init__(self) -> None:
        self.held: dict[LeanWebSocketProtocol, list[bytes]] = {}

    def add(self, protocol: LeanWebSocketProtocol, frame: bytes) -> None:
        frames = self.held.get(protocol)
        if frames is None:
            if not self.held:
                protocol.loop.call_soon(self.flush)
            self.held[protocol] = [frame]
        elif len(frames) < self.MOST_FRAMES:
            frames.append(frame)
        else:
            self.release(protocol)
            protocol.transport.write(frame)

    def release(self, protocol: LeanWebSocketProtocol) -> None:
        """Writes what is held for ``protocol`` now."""
        frames = self.held.pop(protocol, None)
        if frames:
            protocol.transport.write(joined(frames))

    def flush(self) -> None:
        held, self.held = self.held, {}
        for protocol, frames in held.items():
            if not protocol.takes_frames():
                continue
            try:
                protocol.transport.write(joined(frames))
            except Exception:
                # One socket's broken transport must not cost the others their frames.
                logger.exception("could not write to a socket")


def joined(frames: list[bytes]) -> bytes:
    return frames[0] if len(frames) == 1 else b"".join(frames)


# One per process: uvicorn serves every socket from one event loop.
cork = Cork()

# The last text framed, and its frame: a broadcast's sockets are written one after another.
_last_framed: tuple[str | None, bytes] = (None, b"")


def text_frame(text: str) -> bytes:
    """The unmasked, unfragmented text frame that carries ``text``, as websockets builds it."""
    global _last_framed
    if text is not _last_framed[0]:
        frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])
        _last_framed = (text, frame)
    return _last_framed[1]
