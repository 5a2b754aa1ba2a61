"""The process's fan-out: every broadcast crosses Redis once per process, not once per socket.

Services publish an event, already serialized, to a *topic* (a room, or a user's private
messages) after their write commits (``publish_on_commit``). The hub holds this process's end of
each topic it has sockets for (chat/delivery/topics.py): it subscribes once per topic and
writes each event to the topic's local sockets (chat/delivery/outbox.py).

The guarantee (docs/protocol.md, "Delivery guarantees"): every room message reaches every socket
of its room, and every private message every socket of its recipient, in commit order, or that
socket is closed with CLOSE_RESUME and its client fills the gap from the database. The hub
closes sockets that way when their buffer overflows and when this process may have missed
broadcasts (its Redis subscription broke). A message whose publish was lost is fetched from the
database: when a later one of its stream arrives, or at the latest at the next periodic check of
the streams' positions.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from django.db import transaction

from chat.delivery.broker import broker
from chat.delivery.outbox import Outbox
from chat.delivery.topics import NumberedTopic
from chat.history import mailbox_last_seqs, private_replay, room_last_seqs, room_replay
from chat.protocol import CLOSE_RESUME, ServerEvent
from chat.threads import in_thread

logger = logging.getLogger(__name__)

# How often the hub drops topics left without sockets and compares the streams' positions with
# the database (the backstop for a publish that was lost with no later message behind it).
CHECK_INTERVAL = 5.0
# In a payload's seq field: the rest is a change of access, not an event (``publish_control``).
CONTROL = "!"


class Stream(NamedTuple):
    """How the database numbers a kind of topic: where each stream is, and its messages back
    (both run in the service threads)."""

    last_seqs: Callable[[list[int]], Awaitable[dict[int, int]]]
    replay: Callable[[int, int, int], Awaitable[dict[int, str]]]
    # Whether the hub reads the position when it opens the topic. A user's topic leaves it to
    # its first socket (NumberedTopic.begin): one thread hop less per new user.
    read_at_open: bool


STREAMS = {
    "room": Stream(in_thread(room_last_seqs), in_thread(room_replay), read_at_open=True),
    "user": Stream(in_thread(mailbox_last_seqs), in_thread(private_replay), read_at_open=False),
}


def room_topic(room_id: int) -> str:
    return f"room.{room_id}"


def user_topic(user_id: int) -> str:
    return f"user.{user_id}"


def envelope(event: ServerEvent, *, seq: int | None = None, origin: str = "") -> str:
    """What a publish carries: the event's place in its stream, its origin, then its frame.
    ``origin`` names the connection an event is about, so that it is not echoed to itself."""
    return f"{'' if seq is None else seq}\n{origin}\n{event.to_text()}"


def publish(topic: str, event: ServerEvent, *, seq: int | None = None, origin: str = "") -> None:
    """Sends ``event`` to every socket of ``topic`` in every process. Called from worker
    threads; never raises: what it fails to send is the fan-out's to recover (see above)."""
    payload = envelope(event, seq=seq, origin=origin)
    try:
        broker().publish(topic, payload)
    except Exception as error:
        logger.error("could not publish to %s (seq %s): %r", topic, seq, error)


async def apublish(
    topic: str, event: ServerEvent, *, seq: int | None = None, origin: str = ""
) -> None:
    """``publish`` from the event loop that serves the sockets, for a numbered event (``seq``:
    ``Broker.apublish``); never raises either."""
    payload = envelope(event, seq=seq, origin=origin)
    try:
        await broker().apublish(topic, payload)
    except Exception as error:
        logger.error("could not publish to %s (seq %s): %r", topic, seq, error)


def publish_on_commit(topic: str, event: ServerEvent, *, seq: int | None = None) -> None:
    """Publishes once the current transaction commits, so nobody hears of an unstored write."""
    transaction.on_commit(lambda: publish(topic, event, seq=seq))


def publish_control(topic: str, change: dict) -> None:
    """Tells every process with sockets on ``topic`` of a change of access: not an event for the
    sockets, but for ``Hub.on_control`` (chat/sockets.py). Never raises, like ``publish``."""
    try:
        broker().publish(topic, f"{CONTROL}\n\n{json.dumps(change)}")
    except Exception as error:
        logger.error("could not publish an access change to %s: %r", topic, error)


class Hub:
    def __init__(self) -> None:
        self.topics: dict[str, NumberedTopic] = {}
        # Called with (topic, change) for each change of access heard on a topic held here.
        self.on_control: Callable[[str, str], None] = lambda topic, change: None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._maintenance: asyncio.Task | None = None

    def ensure_running(self) -> None:
        """Called on the event loop that serves the sockets, before the first join."""
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return
        self._loop = loop
        self.topics = {}
        broker().start(self._arrived, self._lost)
        self._maintenance = loop.create_task(self._maintain(), name="fan-out maintenance")

    def reset(self) -> None:
        """Forgets every topic and the loop (tests: each has a loop of its own, whose end
        cancels the tasks of the hub and its broker)."""
        for topic in self.topics.values():
            topic.stop()
        self.topics = {}
        self._loop = None
        self._maintenance = None

    async def join(self, name: str, outbox: Outbox) -> NumberedTopic:
        """Called when a socket opens: from now on the topic's broadcasts are held for it until
        ``Topic.go_live``. Raises when broadcasts cannot reach this process."""
        topic = self.topics.get(name) or self._open(name)
        topic.join(outbox)
        if topic.opened is not None:  # still subscribing
            try:
                await asyncio.shield(topic.opened)
            except BaseException:
                topic.leave(outbox)
                raise
        return topic

    def leave(self, name: str, outbox: Outbox) -> None:
        """Called when a socket closes; the topic itself goes at a later check if left empty."""
        topic = self.topics.get(name)
        if topic is not None:
            topic.leave(outbox)

    def _open(self, name: str) -> NumberedTopic:
        kind, _, stream_id = name.partition(".")
        topic = NumberedTopic(name, kind, int(stream_id), STREAMS[kind].replay)
        self.topics[name] = topic
        topic.opened = asyncio.ensure_future(self._subscribe(topic))
        # A failure is read by every joiner; this keeps it from being reported as unread.
        topic.opened.add_done_callback(lambda task: task.cancelled() or task.exception())
        return topic

    async def _subscribe(self, topic: NumberedTopic) -> None:
        try:
            await broker().subscribe(topic.name)
            stream = STREAMS[topic.kind]
            if stream.read_at_open:
                # Read after the subscription is live: every later message will arrive.
                positions = await stream.last_seqs([topic.stream_id])
                topic.start(positions.get(topic.stream_id, 0))
        except BaseException:
            self._drop(topic)
            raise
        # Open now: later joiners need not wait, and the finished task need not be kept.
        topic.opened = None

    def _drop(self, topic: NumberedTopic) -> None:
        if self.topics.get(topic.name) is topic:
            del self.topics[topic.name]
        topic.stop()

    def _arrived(self, name: str, payload: str) -> None:
        topic = self.topics.get(name)
        if topic is None:
            return
        seq, origin, text = payload.split("\n", 2)
        if seq == CONTROL:
            self.on_control(name, text)
            return
        topic.publish_arrived(int(seq) if seq else None, origin or None, text)

    def _lost(self) -> None:
        """Called by the broker when broadcasts may have been missed: every socket resumes."""
        topics, self.topics = self.topics, {}
        sockets = sum(len(topic.live) + len(topic.joining) for topic in topics.values())
        if sockets:
            logger.warning("broadcasts may have been missed; closing %d socket(s)", sockets)
        for topic in topics.values():
            topic.stop()
            topic.close_all(CLOSE_RESUME, "broadcasts may have been missed; reconnect")

    async def _maintain(self) -> None:
        while True:
            await asyncio.sleep(CHECK_INTERVAL)
            try:
                await self.check()
            except Exception as error:
                # The database or Redis is away; the next check tries again.
                logger.warning("fan-out check failed: %r", error)

    async def check(self) -> None:
        """Drops topics found empty twice in a row; tells the others where their stream is."""
        for topic in list(self.topics.values()):
            if not topic.empty:
                continue
            if topic.idle:
                self._drop(topic)
                await broker().unsubscribe(topic.name)
            else:
                topic.idle = True
        for kind, stream in STREAMS.items():
            topics = {t.stream_id: t for t in self.topics.values() if t.kind == kind}
            if topics:
                for stream_id, last_seq in (await stream.last_seqs(list(topics))).items():
                    topics[stream_id].note_last_seq(last_seq)


hub = Hub()
