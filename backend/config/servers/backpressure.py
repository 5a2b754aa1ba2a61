"""Backpressure for daphne: a WebSocket's ASGI `send` waits while its socket cannot keep up.

daphne writes every frame into Twisted's transport at once, and the transport buffers without
bound, so a client that stops reading would grow the process by everything sent to it. A
SendGate is registered as the transport's streaming producer: Twisted pauses it when more than
`bufferSize` (64 KiB) is buffered and resumes it once the buffer has drained, which is what
`await send()` waits for. It is the flow control that uvicorn's `writable` event gives.
"""

import asyncio
from typing import Any

from twisted.internet.interfaces import IPushProducer
from zope.interface import implementer


@implementer(IPushProducer)
class SendGate:
    """Open while the transport takes more data; opened for good once the connection is gone."""

    def __init__(self) -> None:
        self.writable = asyncio.Event()
        self.writable.set()
        self.released = False

    @classmethod
    def register(cls, transport: Any) -> "SendGate":
        gate = cls()
        # twisted.web's HTTPChannel registered itself when the connection was still HTTP;
        # daphne hands the transport to the WebSocket protocol without unregistering it, and a
        # transport has room for one producer. It has nothing to pause once upgraded.
        transport.unregisterProducer()
        # On a transport already lost this calls stopProducing() straight away.
        transport.registerProducer(gate, True)
        return gate

    async def wait(self) -> None:
        """Returns once the buffer has drained, or at once if the connection is gone."""
        await self.writable.wait()

    def release(self) -> None:
        """Called when the connection is lost: nothing will drain, so nothing may wait."""
        self.released = True
        self.writable.set()

    # IPushProducer, called by the transport.

    def pauseProducing(self) -> None:
        if not self.released:
            self.writable.clear()

    def resumeProducing(self) -> None:
        self.writable.set()

    def stopProducing(self) -> None:
        self.release()
