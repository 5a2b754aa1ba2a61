"""One socket's way out: every frame in order, a bounded backlog, and a close code on overflow.

A broadcast is written to every local socket of a room from one loop, so writing must never
wait on one slow socket. ``Outbox.put`` is synchronous: it starts the ASGI ``send`` right away
and, in the usual case where the server takes the frame without waiting, that is all. Only when
a send has to wait (the server applies backpressure: the client is not reading) does the outbox
hand the rest of that send to a task and queue later frames behind it, up to ``limit`` frames.
Past that the socket has fallen too far behind to catch up live: the queue is dropped and the
socket is closed with ``CLOSE_RESUME``, which tells the client to reconnect with ``after=``
and fetch what it missed from the database. Nothing is lost silently.

Starting a coroutine without a task is what Python 3.12's eager tasks do; on 3.11 we step it
ourselves (``_start_send``), which costs no Task per frame.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from chat.protocol import CLOSE_RESUME

logger = logging.getLogger(__name__)

Message = dict[str, Any]
Send = Callable[[Message], Awaitable[None]]

# Sends that had to wait, until they finish: the loop itself keeps only weak references to tasks.
_finishing: set[asyncio.Task] = set()


def text_message(text: str) -> Message:
    """The ASGI message for a text frame; one object may be shared by every socket it goes to."""
    return {"type": "websocket.send", "text": text}


def close_message(code: int, reason: str = "") -> Message:
    return {"type": "websocket.close", "code": code, "reason": reason}


class Outbox:
    __slots__ = ("_send", "_limit", "_backlog", "closed")

    def __init__(self, send: Send, *, limit: int) -> None:
        self._send = send
        self._limit = limit
        # Frames waiting behind a send that could not finish at once; None while none waits.
        self._backlog: deque[Message] | None = None
        # Set once the close is queued (or the socket is gone): later frames are dropped.
        self.closed = False

    def put(self, message: Message) -> None:
        """Called for every frame to this socket, broadcast or reply, in the order to send."""
        if self.closed:
            return
        if self._backlog is None:
            self._start_send(message)
        elif len(self._backlog) < self._limit:
            self._backlog.append(message)
        else:
            logger.info("socket fell %d frames behind; closing it to resume", self._limit)
            self._backlog.clear()
            self.close(CLOSE_RESUME, "fell behind; reconnect with after=")

    def close(self, code: int, reason: str = "") -> None:
        """Close after the frames already put; nothing put later is sent."""
        if self.closed:
            return
        self.put(close_message(code, reason))
        self.closed = True

    @property
    def backlog(self) -> int:
        return 0 if self._backlog is None else len(self._backlog)

    def _start_send(self, message: Message) -> None:
        sending = self._send(message)
        try:
            waiting_on = sending.send(None)
        except StopIteration:
            return
        except Exception:
            # The socket is gone (the server refuses sends after a disconnect); its
            # disconnect event is on its way to the consumer, which cleans up.
            sending.close()
            self.closed = True
            return
        self._backlog = deque()
        task = asyncio.ensure_future(self._finish(sending, waiting_on))
        _finishing.add(task)
        task.add_done_callback(_finishing.discard)

    async def _finish(self, sending: Coroutine, waiting_on: Any) -> None:
        """Completes a send that had to wait, then sends the backlog that queued behind it."""
        try:
            await _resume(sending, waiting_on)
            while self._backlog:
                await self._send(self._backlog.popleft())
        except Exception:
            self.closed = True
        finally:
            self._backlog = None


async def _resume(coroutine: Coroutine, waiting_on: Any) -> None:
    """Runs the rest of a coroutine that was stepped outside any task and suspended on
    ``waiting_on``, exactly as a task would: resume it each time what it waits for is done."""
    while True:
        try:
            if waiting_on is None:  # a bare yield: it only wanted the loop to run once
                await asyncio.sleep(0)
            else:
                # wait() never raises the future's own error: the coroutine gets it itself.
                await asyncio.wait((waiting_on,))
        except asyncio.CancelledError:
            coroutine.close()
            raise
        try:
            waiting_on = coroutine.send(None)
        except StopIteration:
            return
