"""How a broadcast gets from the process that stored it to every process with sockets for it.

With Redis: one PUBLISH per broadcast, and one subscription per topic per *process*, on one
connection, held while the process has sockets for the topic. Without Redis there is one
process, and publishing hands the event straight to its hub.

Redis pub/sub delivers at most once: while a process's subscription connection is down, what is
published is lost to it. So every break of that connection, or a Redis that stops answering its
pings, is reported (``on_lost``): the hub then closes every local socket with CLOSE_RESUME, and
the clients fetch what they missed from the database.
"""

import asyncio
import logging
import os
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from collections.abc import Callable
from functools import cache

import redis
import redis.asyncio
from django.conf import settings
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from chat.delivery.publisher import BatchPublisher

logger = logging.getLogger(__name__)

OnMessage = Callable[[str, str], None]
OnLost = Callable[[], None]

# The subscription connection is pinged this often, and given up on after this long silent.
PING_INTERVAL = 5.0
SILENCE_LIMIT = 15.0
# How long a subscribe waits for the connection (at start-up) and for Redis's confirmation.
SUBSCRIBE_TIMEOUT = 5.0
# Sync connections shared by the worker threads (their number bounds the users): publishing,
# presence. A blocking pool waits for a free one rather than failing under a join storm.
SHARED_CONNECTIONS = 16


class BrokerUnavailable(Exception):
    """Broadcasts cannot reach this process now (Redis is down or reconnecting)."""


class Broker(ABC):
    @abstractmethod
    def publish(self, topic: str, payload: str) -> None:
        """Called from worker threads (after a commit); never from the event loop."""

    @abstractmethod
    async def apublish(self, topic: str, payload: str) -> None:
        """``publish`` from the event loop that serves the sockets, once ``start`` ran: for
        numbered events (room messages), which may be published twice (a subscriber drops the
        copy) where a connection broke."""

    @abstractmethod
    def start(self, on_message: OnMessage, on_lost: OnLost) -> None:
        """Called on the event loop that serves the sockets, once."""

    @abstractmethod
    async def subscribe(self, topic: str) -> None:
        """Returns once everything published to ``topic`` from now on reaches this process."""

    @abstractmethod
    async def unsubscribe(self, topic: str) -> None:
        """Called when the process has had no socket for ``topic`` for a while."""

    @abstractmethod
    def check(self) -> None:
        """Raises unless broadcasts can be published now; for the readiness probe."""


class MemoryBroker(Broker):
    """One process: a publish is delivered on the loop that serves the sockets."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._on_message: OnMessage | None = None

    def publish(self, topic: str, payload: str) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._on_message, topic, payload)

    async def apublish(self, topic: str, payload: str) -> None:
        self._loop.call_soon(self._on_message, topic, payload)

    def start(self, on_message: OnMessage, on_lost: OnLost) -> None:
        self._loop = asyncio.get_running_loop()
        self._on_message = on_message

    async def subscribe(self, topic: str) -> None:
        pass  # every publish reaches the one process

    async def unsubscribe(self, topic: str) -> None:
        pass

    def check(self) -> None:
        pass  # nothing outside the process to fail


class RedisBroker(Broker):
    def __init__(self, url: str, *, namespace: str) -> None:
        self._url = url
        # Pub/sub channels, unlike keys, are shared by every database number of a Redis: the
        # namespace keeps two deployments (or test runs) on one Redis from hearing each other.
        self._prefix = f"{namespace}/"
        self._publisher = shared_redis()
        self._pubsub: redis.asyncio.client.PubSub | None = None
        # The loop's PUBLISHes, on a connection of the subscription's pool.
        self._publishing: BatchPublisher | None = None
        self._connected: asyncio.Event | None = None
        # SUBSCRIBE confirmations come back in order; one queue of waiters per topic.
        self._confirmations: dict[str, deque[asyncio.Future]] = defaultdict(deque)
        # (Un)subscriptions waiting to be sent, in call order, by one task (``_send_queued``):
        # so an unsubscribe and a later subscribe of a topic reach Redis in that order, and the
        # subscriptions of a join storm (a new topic per user) go out as one command.
        self._outgoing: deque[tuple[str, str]] = deque()
        self._sender: asyncio.Task | None = None
        self._reader: asyncio.Task | None = None

    def publish(self, topic: str, payload: str) -> None:
        self._publisher.publish(self.channel(topic), payload)

    async def apublish(self, topic: str, payload: str) -> None:
        publishing = self._publishing
        if publishing is None:
            raise BrokerUnavailable("not connected to Redis")
        await publishing.publish(self.channel(topic), payload)

    def channel(self, topic: str) -> str:
        """The Redis channel of ``topic``, for a script that publishes along with its write."""
        return self._prefix + topic

    def check(self) -> None:
        self._publisher.ping()

    def start(self, on_message: OnMessage, on_lost: OnLost) -> None:
        self._connected = asyncio.Event()
        self._reader = asyncio.ensure_future(self._run(on_message, on_lost))

    async def subscribe(self, topic: str) -> None:
        try:
            await asyncio.wait_for(self._connected.wait(), SUBSCRIBE_TIMEOUT)
        except TimeoutError:
            raise BrokerUnavailable("not connected to Redis") from None
        confirmed = asyncio.get_running_loop().create_future()
        # Its outcome is read below, unless the wait timed out: never leave it unread.
        confirmed.add_done_callback(lambda future: future.cancelled() or future.exception())
        self._confirmations[topic].append(confirmed)
        self._send("SUBSCRIBE", topic)
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), SUBSCRIBE_TIMEOUT)
        except TimeoutError:
            raise BrokerUnavailable("Redis did not confirm the subscription") from None

    async def unsubscribe(self, topic: str) -> None:
        self._send("UNSUBSCRIBE", topic)

    def _send(self, command: str, topic: str) -> None:
        self._outgoing.append((command, topic))
        if self._sender is None:
            self._sender = asyncio.ensure_future(self._send_queued())

    async def _send_queued(self) -> None:
        try:
            while self._outgoing:
                command, channels = self._outgoing[0][0], []
                while self._outgoing and self._outgoing[0][0] == command:
                    channels.append(self._prefix + self._outgoing.popleft()[1])
                pubsub = self._pubsub
                if pubsub is None:  # lost: the reader's end fails the waiters
                    continue
                if command == "SUBSCRIBE":
                    await pubsub.subscribe(*channels)
                else:
                    await pubsub.unsubscribe(*channels)
        except Exception as error:
            # The connection broke; the reader notices, and the waiters fail with it.
            logger.warning("could not send %s to Redis: %r", command, error)
        finally:
            self._sender = None

    async def _run(self, on_message: OnMessage, on_lost: OnLost) -> None:
        backoff = ExponentialBackoff(cap=5.0, base=0.1)
        failures = 0
        while True:
            pool = redis.asyncio.BlockingConnectionPool.from_url(
                self._url,
                # The subscription's, and the loop's publishing connection.
                max_connections=2,
                timeout=SUBSCRIBE_TIMEOUT,
                # Which process a subscription belongs to, for CLIENT LIST.
                client_name=subscriber_name(),
                decode_responses=True,
                socket_connect_timeout=5,
                socket_timeout=5,
                socket_keepalive=True,
                # No silent reconnect-and-resubscribe: a break must be seen, to be reported.
                retry=AsyncRetry(NoBackoff(), 0),
            )
            client = redis.asyncio.Redis.from_pool(pool)  # closing it closes the pool
            pubsub = client.pubsub()
            try:
                await pubsub.connect()
                self._publishing = BatchPublisher(await pool.get_connection())
                self._pubsub = pubsub
                self._connected.set()
                failures = 0
                await self._serve(pubsub, on_message)
            except Exception as error:
                failures += 1
                logger.warning("Redis subscription connection lost: %r", error)
            finally:
                self._connected.clear()
                if self._publishing is not None:
                    self._publishing.stop()
                self._pubsub = self._publishing = None
                self._fail_waiters()
                await _quietly(pubsub.aclose())
                await _quietly(client.aclose())
            on_lost()
            await asyncio.sleep(backoff.compute(failures))

    async def _serve(self, pubsub: redis.asyncio.client.PubSub, on_message: OnMessage) -> None:
        """Reads until the connection fails or falls silent; raises when it does."""
        heard_at = asyncio.get_running_loop().time()

        async def read() -> None:
            nonlocal heard_at
            while True:
                message = await pubsub.get_message(timeout=None)
                heard_at = asyncio.get_running_loop().time()
                if message is None:
                    continue
                kind = message["type"]
                if kind == "message":
                    on_message(message["channel"].removeprefix(self._prefix), message["data"])
                elif kind == "subscribe":
                    self._confirm(message["channel"].removeprefix(self._prefix))

        async def watch() -> None:
            loop = asyncio.get_running_loop()
            while True:
                await asyncio.sleep(PING_INTERVAL)
                if loop.time() - heard_at > SILENCE_LIMIT:
                    raise ConnectionError(f"Redis silent for over {SILENCE_LIMIT:.0f}s")
                await pubsub.ping()

        tasks = [asyncio.ensure_future(read()), asyncio.ensure_future(watch())]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _confirm(self, topic: str) -> None:
        waiters = self._confirmations.get(topic)
        if waiters:
            waiter = waiters.popleft()
            if not waiters:
                del self._confirmations[topic]
            if not waiter.done():
                waiter.set_result(None)

    def _fail_waiters(self) -> None:
        for waiters in self._confirmations.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(BrokerUnavailable("the connection to Redis was lost"))
        self._confirmations.clear()


async def _quietly(closing) -> None:
    try:
        await closing
    except Exception:
        logger.debug("error while closing a Redis connection", exc_info=True)


def subscriber_name() -> str:
    return f"chat-fanout-{os.getpid()}"


@cache
def shared_redis() -> redis.Redis:
    """The process's synchronous Redis client, for worker threads (publishing, presence)."""
    pool = redis.BlockingConnectionPool.from_url(
        settings.REDIS_URL,
        max_connections=SHARED_CONNECTIONS,
        timeout=5,
        decode_responses=True,
        socket_connect_timeout=5,
        socket_timeout=5,
        retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 3),
    )
    return redis.Redis(connection_pool=pool)


@cache
def broker() -> Broker:
    if not settings.REDIS_URL:
        return MemoryBroker()
    redis_db = shared_redis().connection_pool.connection_kwargs.get("db", 0)
    database = settings.DATABASES["default"]["NAME"]
    return RedisBroker(settings.REDIS_URL, namespace=f"chat/{redis_db}/{database}")
