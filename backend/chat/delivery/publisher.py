"""The event loop's PUBLISHes to Redis, on one connection (chat/delivery/broker.py).

Taking a connection from redis-py's pool for every message checks it each time, with a read
attempt: about 50 µs of CPU a message (docs/performance.md). Holding one instead and sending one
PUBLISH at a time would hold the next back for a whole turn of the loop each, since a reply is
read only when the loop comes round to it. So the PUBLISHes asked for while others are out wait
and go together, in one write, and their replies are read in order: one round trip for all the
messages of a busy turn, and no more than one for a lone message.
"""

import asyncio

import redis
import redis.asyncio


class BatchPublisher:
    """Sends PUBLISHes on ``connection`` until ``stop``; made for each connection to Redis."""

    def __init__(self, connection: redis.asyncio.Connection) -> None:
        self._connection = connection
        self._queued: list[tuple[str, str, asyncio.Future]] = []
        self._wanted = asyncio.Event()
        self._task = asyncio.ensure_future(self._send_queued())

    async def publish(self, channel: str, payload: str) -> None:
        """Returns once Redis has it; raises if it could not be sent."""
        sent = asyncio.get_running_loop().create_future()
        self._queued.append((channel, payload, sent))
        self._wanted.set()
        await sent

    def stop(self) -> None:
        self._task.cancel()

    async def _send_queued(self) -> None:
        batch: list[tuple[str, str, asyncio.Future]] = []
        try:
            while True:
                await self._wanted.wait()
                self._wanted.clear()
                batch, self._queued = self._queued, []
                try:
                    try:
                        await self._send(batch)
                    except redis.ConnectionError:
                        # Closed while idle (a Redis restart, its idle timeout): once more, on
                        # a new one. Only numbered events come this way, so a PUBLISH that did
                        # reach Redis the first time is heard twice and its copy dropped
                        # (chat/delivery/sequencer.py).
                        await self._send(batch)
                except Exception as error:
                    _fail(batch, error)
                else:
                    _succeed(batch)
        finally:
            # Stopped: the batch out, if any, and those waiting fail (the hub logs each).
            _fail([*batch, *self._queued], redis.ConnectionError("the connection was closed"))

    async def _send(self, batch: list[tuple[str, str, asyncio.Future]]) -> None:
        connection = self._connection
        commands = [("PUBLISH", channel, payload) for channel, payload, _ in batch]
        try:
            await connection.send_packed_command(connection.pack_commands(commands))
            for _ in batch:
                await connection.read_response()
        except BaseException:
            # Replies may still come: the next batch must not read them as its own.
            await connection.disconnect(nowait=True)
            raise


def _succeed(batch: list[tuple[str, str, asyncio.Future]]) -> None:
    for _, _, sent in batch:
        if not sent.done():  # its caller may have gone (cancelled)
            sent.set_result(None)


def _fail(batch: list[tuple[str, str, asyncio.Future]], error: Exception) -> None:
    for _, _, sent in batch:
        if not sent.done():
            sent.set_exception(error)
