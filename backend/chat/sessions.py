"""What happens when a socket opens or closes in a room: presence, the snapshot, the keep-alive."""

import asyncio
import logging
import threading
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from chat.broadcast import group_send
from chat.groups import room_group
from chat.messages import room_messages_page
from chat.models import Room
from chat.presence import Connection, presence_store
from chat.protocol import HistoryEvent, UserJoinEvent, UserLeaveEvent, UserListEvent

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser


def presence_enter(*, room: Room, user: User, connection: str) -> None:
    if not user.is_authenticated:
        return
    if presence_store().join(room.pk, user.username, connection):
        group_send(room.group_name, UserJoinEvent(user=user.username))
    keeper.track((room.pk, user.username, connection))


def presence_exit(*, room: Room, user: User, connection: str) -> None:
    if not user.is_authenticated:
        return
    keeper.forget((room.pk, user.username, connection))
    if presence_store().leave(room.pk, user.username, connection):
        group_send(room.group_name, UserLeaveEvent(user=user.username))


def room_snapshot(*, room: Room, after: int | None) -> tuple[UserListEvent, HistoryEvent]:
    """What a new socket is sent first: who is online, then the history it is missing."""
    users = UserListEvent(users=presence_store().online(room.pk))
    if after is None:
        page = room_messages_page(room=room, limit=settings.CHAT["HISTORY_SIZE"])
    else:
        page = room_messages_page(room=room, after=after, limit=settings.CHAT["RESUME_LIMIT"])
    return users, HistoryEvent(messages=page.results, has_more=page.has_more)


class PresenceKeeper:
    """Keeps this process's sockets alive in Redis with one timer per process.

    A socket costs nothing between its join and leave: the timer renews all of their presence
    entries in one round trip and, in the same beat, sweeps out the entries of processes that
    died. When Redis lost its data (a restart; it keeps nothing on disk), the timer also puts
    this process's sockets back into their channel-layer groups and presence.
    """

    def __init__(self) -> None:
        # Written from the socket handlers' worker threads, read by the timer's.
        self._lock = threading.Lock()
        self._connections: set[Connection] = set()
        self._groups: dict[str, tuple[str, ...]] = {}
        self._process = uuid.uuid4().hex
        self._marked = False
        self._task: asyncio.Task | None = None

    def track(self, connection: Connection) -> None:
        with self._lock:
            self._connections.add(connection)

    def forget(self, connection: Connection) -> None:
        with self._lock:
            self._connections.discard(connection)

    def track_groups(self, channel: str, groups: tuple[str, ...]) -> None:
        with self._lock:
            self._groups[channel] = groups

    def forget_groups(self, channel: str) -> None:
        with self._lock:
            self._groups.pop(channel, None)

    def clear(self) -> None:
        with self._lock:
            self._connections.clear()
            self._groups.clear()
            self._marked = False

    def connections(self) -> list[Connection]:
        with self._lock:
            return list(self._connections)

    def ensure_running(self) -> None:
        """Called from the event loop; starts the timer on this loop if it is not running."""
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run(), name="presence-keeper")

    async def _run(self) -> None:
        interval = settings.CHAT["PRESENCE_SWEEP_INTERVAL"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.tick()
            except Exception:
                # Redis may be briefly away; the next beat tries again well before the TTL.
                logger.exception("presence keep-alive failed")

    async def tick(self) -> None:
        """One beat: groups back first if Redis lost them, so the beat's user_join is heard."""
        if not await sync_to_async(self.store_survived, thread_sensitive=False)():
            await self.restore_groups()
        await sync_to_async(self.beat, thread_sensitive=False)()

    def store_survived(self) -> bool:
        survived = presence_store().still_holds(self._process)
        if not self._marked:
            # This process's first beat sets its marker; nothing was there to lose yet.
            self._marked = True
            return True
        return survived

    async def restore_groups(self) -> None:
        with self._lock:
            sockets = list(self._groups.items())
        logger.warning("Redis lost its data; restoring the groups of %d socket(s)", len(sockets))
        layer = get_channel_layer()
        for channel, groups in sockets:
            for group in groups:
                await layer.group_add(group, channel)

    def beat(self) -> None:
        store = presence_store()
        for room_id, username, connection in store.renew(self.connections()):
            # Swept while alive (this process stalled past the TTL): come back, announced.
            if store.join(room_id, username, connection):
                group_send(room_group(room_id), UserJoinEvent(user=username))
        for room_id, username in store.sweep():
            group_send(room_group(room_id), UserLeaveEvent(user=username))


keeper = PresenceKeeper()
