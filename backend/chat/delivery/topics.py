"""This process's end of one broadcast topic: the local sockets it writes each event to.

A broadcast reaches a process once (chat/delivery/broker.py) and is written from here to every
local socket of its topic as the same ready ASGI message: no per-socket encoding, queue or task.

A socket that is opening is *joining*: what arrives for it meanwhile is held, and released after
its history, less what that history already had (``go_live``). So a socket's stream starts
exactly where its history ends: nothing missed, nothing twice.

A numbered topic (a room, a user's private messages) also keeps its messages in order
(chat/delivery/sequencer.py): an early message waits for the ones before it, and a gap that does
not fill itself within ``GAP_GRACE`` (a publish that failed, a publisher that died between commit
and publish) is filled from the database.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable

from chat.delivery.outbox import Message, Outbox, text_message
from chat.delivery.sequencer import Sequencer
from chat.protocol import CLOSE_RESUME

logger = logging.getLogger(__name__)

# (seq or None, origin connection or None, the ASGI message)
Event = tuple[int | None, str | None, Message]
# (stream id, first seq, last seq) -> {seq: frame text} of the messages the database holds
Replay = Callable[[int, int, int], Awaitable[dict[int, str]]]

# How long an out-of-order message waits for the ones before it before they are fetched.
GAP_GRACE = 0.5


class Topic:
    # A user's private-message topic is one per user, so one per idle socket: slots keep it
    # small (docs/performance.md).
    __slots__ = ("name", "live", "joining", "opened", "idle")

    def __init__(self, name: str) -> None:
        self.name = name
        # Each live socket with the connection it announced itself as (or None): an event from
        # that origin (its own user_join, however late Redis brings it) is not sent back to it.
        self.live: dict[Outbox, str | None] = {}
        self.joining: dict[Outbox, list[Event]] = {}
        # Set by the hub while it subscribes: done once broadcasts to the topic reach this
        # process, and then cleared.
        self.opened: asyncio.Future | None = None
        # Set by the hub's maintenance when it finds the topic without sockets.
        self.idle = False

    def publish_arrived(self, seq: int | None, origin: str | None, text: str) -> None:
        """Called by the hub for every broadcast to this topic that reaches this process."""
        self.deliver((seq, origin, text_message(text)))

    def deliver(self, event: Event) -> None:
        _, origin, message = event
        if origin is None:  # every message: no per-socket comparison
            for outbox in self.live:
                outbox.put(message)
        else:
            for outbox, own in self.live.items():
                if own != origin:
                    outbox.put(message)
        for held in self.joining.values():
            held.append(event)

    def join(self, outbox: Outbox) -> None:
        self.joining[outbox] = []
        self.idle = False

    def go_live(self, outbox: Outbox, *, seen_up_to: int | None, origin: str | None) -> None:
        """Called once the socket's history is out: what was held for it follows, except what
        the history had (seq up to ``seen_up_to``) and the socket's own presence (``origin``)."""
        held = self.joining.pop(outbox, None)
        if held is None:  # it left meanwhile
            return
        if not self.joining:
            # An emptied dict keeps its table; a new empty one shares the interpreter's.
            self.joining = {}
        for seq, from_origin, message in held:
            already_sent = seq is not None and seen_up_to is not None and seq <= seen_up_to
            if not already_sent and (origin is None or from_origin != origin):
                outbox.put(message)
        self.live[outbox] = origin

    def leave(self, outbox: Outbox) -> None:
        self.live.pop(outbox, None)
        self.joining.pop(outbox, None)

    @property
    def empty(self) -> bool:
        return not self.live and not self.joining

    def stop(self) -> None:
        """Called when the hub drops the topic."""

    def close_all(self, code: int, reason: str) -> None:
        """Closes every local socket of the topic, for example when broadcasts may have been
        missed; the topic is of no further use."""
        for outbox in [*self.live, *self.joining]:
            outbox.close(code, reason)
        self.live.clear()
        self.joining.clear()


class NumberedTopic(Topic):
    """A topic whose messages carry their stream's number: ``kind`` (room or user) and
    ``stream_id`` say which stream; events without a number (presence) pass straight through."""

    __slots__ = (
        "kind",
        "stream_id",
        "_replay",
        "_sequencer",
        "_before_start",
        "_gap_timer",
        "_repair",
        "_catching_up",
    )

    def __init__(self, name: str, kind: str, stream_id: int, replay: Replay) -> None:
        super().__init__(name)
        self.kind = kind
        self.stream_id = stream_id
        self._replay = replay
        self._sequencer: Sequencer[Event] | None = None
        # Arrivals before start(): subscribed, but the room's position not read yet; None after.
        self._before_start: list[Event] | None = []
        self._gap_timer: asyncio.TimerHandle | None = None
        self._repair: asyncio.Task | None = None
        # Joining sockets whose history is ahead of what this process has released: each with
        # the ``go_live`` it waits to make, (seen_up_to, origin). None while there are none.
        self._catching_up: dict[Outbox, tuple[int, str | None]] | None = None

    def start(self, last_seq: int) -> None:
        """Called once the subscription is live and the stream's last seq was read after it:
        every message above ``last_seq`` will now arrive (or be found missing)."""
        self._sequencer = Sequencer(last_seq)
        before_start, self._before_start = self._before_start, None
        for event in before_start:
            self._arrived(event)

    def begin(self, last_seq: int) -> None:
        """``start``, unless the stream has started: for a user's private messages, whose
        position a joining socket reads in the hop it makes anyway (chat/sessions.py). A socket
        joining at the same time may have read a smaller position: what lies between is
        committed, and reaches it with the REST catch-up every client makes after connecting."""
        if self._sequencer is None:
            self.start(last_seq)

    def publish_arrived(self, seq: int | None, origin: str | None, text: str) -> None:
        event = (seq, origin, text_message(text))
        if seq is None:  # presence: not part of the numbered stream
            self.deliver(event)
        elif self._sequencer is None:
            self._before_start.append(event)
        else:
            self._arrived(event)

    def go_live(self, outbox: Outbox, *, seen_up_to: int | None, origin: str | None) -> None:
        """``Topic.go_live``, once this process has released every message the socket's history
        had: the history was read from the database, where a message is before its publish
        reaches here (or it was lost), and released after the socket went live it would reach
        the socket a second time. Until then the socket stays joining, and what is released for
        it meanwhile is held, and dropped as the history's. That the history shows a message is
        also news of it: a lost publish is fetched after ``GAP_GRACE``, not at the next check."""
        if seen_up_to is None or self._sequencer is None or seen_up_to < self._sequencer.next:
            super().go_live(outbox, seen_up_to=seen_up_to, origin=origin)
            return
        if outbox not in self.joining:  # it left meanwhile
            return
        if self._catching_up is None:
            self._catching_up = {}
        self._catching_up[outbox] = (seen_up_to, origin)
        self._sequencer.note_exists(seen_up_to)
        self._watch_for_gap()

    def leave(self, outbox: Outbox) -> None:
        super().leave(outbox)
        if self._catching_up is not None:
            self._catching_up.pop(outbox, None)

    def close_all(self, code: int, reason: str) -> None:
        super().close_all(code, reason)
        self._catching_up = None

    def note_last_seq(self, last_seq: int) -> None:
        """Called by the hub's periodic check with the stream's last seq in the database, so a
        lost publish of its latest message is noticed even when no later message follows."""
        if self._sequencer is not None:
            self._sequencer.note_exists(last_seq)
            self._watch_for_gap()

    def _arrived(self, event: Event) -> None:
        for released in self._sequencer.add(event[0], event):
            self.deliver(released)
        self._release_caught_up()
        self._watch_for_gap()

    def _release_caught_up(self) -> None:
        if self._catching_up is None:
            return
        for outbox, (seen_up_to, origin) in list(self._catching_up.items()):
            if seen_up_to < self._sequencer.next:
                del self._catching_up[outbox]
                super().go_live(outbox, seen_up_to=seen_up_to, origin=origin)
        if not self._catching_up:
            self._catching_up = None

    def _watch_for_gap(self) -> None:
        if self._sequencer.missing() and self._gap_timer is None and self._repair is None:
            loop = asyncio.get_running_loop()
            self._gap_timer = loop.call_later(GAP_GRACE, self._gap_grace_over)

    def _gap_grace_over(self) -> None:
        self._gap_timer = None
        if self._sequencer.missing():
            self._repair = asyncio.ensure_future(self._fill_gaps())

    async def _fill_gaps(self) -> None:
        gap = None
        try:
            while gap := self._sequencer.missing():
                first, last = gap
                logger.info("%s: fetching seq %d-%d, which never arrived", self.name, *gap)
                found = await self._replay(self.stream_id, first, last)
                events = {seq: (seq, None, text_message(text)) for seq, text in found.items()}
                for released in self._sequencer.fill(events, last):
                    self.deliver(released)
                self._release_caught_up()
        except Exception:
            logger.warning("%s: could not fill a gap; its sockets must resume", self.name)
            self.close_all(CLOSE_RESUME, "missed messages; reconnect with after=")
            if gap:
                self._sequencer.fill({}, gap[1])
        finally:
            self._repair = None
        self._watch_for_gap()

    def stop(self) -> None:
        """Called when the hub drops the topic: no timer or repair may outlive it."""
        if self._gap_timer is not None:
            self._gap_timer.cancel()
        if self._repair is not None:
            self._repair.cancel()
