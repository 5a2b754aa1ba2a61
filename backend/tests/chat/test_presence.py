import asyncio
import time

import pytest
import redis
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat.delivery.broker import shared_redis
from chat.presence import Entry, MemoryPresenceStore, RedisPresenceStore, presence_store
from chat.sessions import keeper
from config.asgi import application
from tests.conftest import bearer, open_socket, receive_until


def redis_store(**overrides):
    options = {"ttl": 60, "sweep_interval": 1, "prefix": "test-presence"} | overrides
    return RedisPresenceStore(shared_redis(), **options)


@pytest.fixture(
    params=[
        pytest.param(MemoryPresenceStore, id="memory"),
        pytest.param(redis_store, id="redis", marks=pytest.mark.services),
    ]
)
def store(request):
    return request.param()


def test_a_user_is_online_once_however_many_sockets(store):
    assert store.enter(1, "alice", "tab-1").first is True
    assert store.enter(1, "alice", "tab-2").first is False
    assert store.enter(1, "bob", "tab-1").first is True
    assert store.online(1) == ["alice", "bob"]
    assert store.online_counts([1, 2]) == {1: 2, 2: 0}


def test_a_user_leaves_with_their_last_socket(store):
    store.enter(1, "alice", "tab-1")
    store.enter(1, "alice", "tab-2")
    assert store.leave(1, "alice", "tab-1") is False
    assert store.online(1) == ["alice"]
    assert store.leave(1, "alice", "tab-2") is True
    assert store.online(1) == []


def test_leaving_twice_or_unknown_sockets_announce_nothing(store):
    store.enter(1, "alice", "tab-1")
    assert store.leave(1, "alice", "tab-1") is True
    assert store.leave(1, "alice", "tab-1") is False
    assert store.leave(1, "bob", "never-joined") is False


def test_rooms_are_separate(store):
    store.enter(1, "alice", "tab-1")
    store.enter(2, "alice", "tab-2")
    assert store.leave(1, "alice", "tab-1") is True
    assert store.online(2) == ["alice"]


def test_a_socket_past_its_slot_limit_enters_nothing(store):
    alices = [("user:1", "tab-1"), ("user:1", "tab-2")]
    assert store.enter(1, "alice", "tab-1", slot=alices[0], limit=1) == (True, ["alice"])
    assert store.enter(1, "alice", "tab-2", slot=alices[1], limit=1) is None
    assert store.online(1) == ["alice"]
    # Bob's slots are his own; alice's closed tab gives hers back, in the same call as its leave.
    assert store.enter(1, "bob", "tab-1", slot=("user:2", "tab-1"), limit=1) == (
        True,
        ["alice", "bob"],
    )
    assert store.leave(1, "alice", "tab-1", slot=alices[0]) is True
    assert store.enter(1, "alice", "tab-2", slot=alices[1], limit=1) == (True, ["alice", "bob"])


def test_entries_made_together_each_have_their_own_outcome(store):
    """A batch of handshakes enters in one call (one round trip on Redis), in its order."""
    alices = [("user:1", "tab-1"), ("user:1", "tab-2")]
    outcomes = store.enter_all(
        [
            Entry(1, "alice", "tab-1", alices[0], 1),
            Entry(1, "alice", "tab-2", alices[1], 1),  # over alice's limit
            Entry(1, "bob", "tab-1"),
            Entry(2, "bob", "tab-1"),
            Entry(1, None, "reader-1"),
        ]
    )
    assert outcomes == [
        (True, ["alice"]),
        None,
        (True, ["alice", "bob"]),
        (True, ["bob"]),
        (False, ["alice", "bob"]),
    ]
    assert store.enter_all([]) == []


def test_an_anonymous_socket_holds_a_slot_but_is_not_listed(store):
    store.enter(1, "alice", "tab-1")
    readers = [("address:192.0.2.1", "reader-1"), ("address:192.0.2.1", "reader-2")]
    assert store.enter(1, None, "reader-1", slot=readers[0], limit=1) == (False, ["alice"])
    assert store.enter(1, None, "reader-2", slot=readers[1], limit=1) is None
    assert store.online(1) == ["alice"]
    assert store.leave(1, None, "reader-1", slot=readers[0]) is False
    assert store.enter(1, None, "reader-2", slot=readers[1], limit=1) == (False, ["alice"])


class Heard:
    """What a store published, as (topic, payload): through its publish function (memory) or
    on Redis, read from a subscription to the topics' channels."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.published: list[tuple[str, str]] = []
        if kind == "redis":
            self.pubsub = shared_redis().pubsub()
            self.pubsub.psubscribe("test-presence-channel/*")
            self.pubsub.get_message(timeout=1)  # the confirmation

    def store(self, **overrides):
        if self.kind == "memory":
            return MemoryPresenceStore(publish=lambda *message: self.published.append(message))
        return redis_store(channel=lambda topic: f"test-presence-channel/{topic}", **overrides)

    def read(self) -> list[tuple[str, str]]:
        if self.kind == "redis":
            while message := self.pubsub.get_message(timeout=0.2):
                topic = message["channel"].removeprefix("test-presence-channel/")
                self.published.append((topic, message["data"]))
        heard, self.published = self.published, []
        return heard


@pytest.fixture(
    params=[
        pytest.param("memory", id="memory"),
        pytest.param("redis", id="redis", marks=pytest.mark.services),
    ]
)
def heard(request):
    heard = Heard(request.param)
    yield heard
    if request.param == "redis":
        heard.pubsub.close()


def test_a_users_first_socket_is_announced_in_the_same_call_and_their_last_leave_too(heard):
    store = heard.store()
    joined, left = ("room.1", "alice joined"), ("room.1", "alice left")
    store.enter(1, "alice", "tab-1", announce=joined)
    assert heard.read() == [joined]
    # A second tab, the first tab closing, a reader: nobody arrived or left.
    store.enter(1, "alice", "tab-2", announce=joined)
    assert store.leave(1, "alice", "tab-1", announce=left) is False
    store.enter(1, None, "reader", slot=("address:192.0.2.1", "reader"), limit=1, announce=joined)
    assert store.leave(1, None, "reader", announce=left) is False
    assert heard.read() == []
    assert store.leave(1, "alice", "tab-2", announce=left) is True
    assert store.leave(1, "alice", "tab-2", announce=left) is False  # twice: announced once
    assert heard.read() == [left]


def test_a_socket_refused_its_slot_announces_nothing(heard):
    store = heard.store()
    bobs = ("room.1", "bob joined")
    assert store.enter(1, "bob", "tab-1", slot=("user:2", "tab-1"), limit=0, announce=bobs) is None
    assert heard.read() == []
    assert store.online(1) == []


@pytest.mark.services
def test_slots_of_a_dead_process_expire_and_renewed_ones_stay():
    store = redis_store(ttl=1)
    store.enter(1, "alice", "dead-tab", slot=("user:1", "dead-tab"), limit=2)
    store.enter(1, "alice", "live-tab", slot=("user:1", "live-tab"), limit=2)
    time.sleep(1.1)
    # The live tab's process renews its entry and its slot on the same beat; the dead one's not.
    assert store.renew([(1, "alice", "live-tab")], [("user:1", "live-tab")]) == []
    assert store.enter(1, "alice", "new-tab", slot=("user:1", "new-tab"), limit=2) is not None
    assert store.enter(1, "alice", "one-more", slot=("user:1", "one-more"), limit=2) is None


@pytest.mark.services
def test_entries_of_a_dead_process_expire_and_the_sweep_announces_them():
    store = redis_store(ttl=1)
    store.enter(1, "alice", "dead-process-socket")
    store.enter(1, "bob", "live-socket")
    store.enter(1, "carol", "dead-socket")
    store.enter(1, "carol", "live-socket-2")
    time.sleep(1.1)
    # Reads never count expired entries, even before a sweep.
    assert store.online(1) == []
    # Bob's and carol's live process renewed theirs meanwhile; alice's did not.
    assert store.renew([(1, "bob", "live-socket"), (1, "carol", "live-socket-2")]) == []
    assert store.sweep() == [(1, "alice")]
    assert store.online(1) == ["bob", "carol"]


@pytest.mark.services
def test_the_sweep_says_farewell_to_users_gone_but_not_to_one_who_came_back_meanwhile():
    heard = Heard("redis")
    store = heard.store(ttl=1)
    store.enter(1, "alice", "dead-tab")
    store.enter(1, "bob", "dead-tab")
    time.sleep(1.1)  # their process died: nobody renewed the entries

    def farewell(room_id: int, username: str):
        if username == "bob":
            # Bob's new tab enters between the sweep and its farewell: it announces him itself.
            store.enter(room_id, "bob", "new-tab", announce=("room.1", "bob joined"))
        return "room.1", f"{username} left"

    assert store.sweep(farewell=farewell) == [(1, "alice")]
    assert sorted(heard.read()) == [("room.1", "alice left"), ("room.1", "bob joined")]
    assert store.online(1) == ["bob"]
    heard.pubsub.close()


@pytest.mark.services
def test_one_process_sweeps_per_interval():
    first, second = redis_store(ttl=1, sweep_interval=5), redis_store(ttl=1, sweep_interval=5)
    first.enter(1, "alice", "gone")
    time.sleep(1.1)
    assert first.sweep() == [(1, "alice")]
    second.enter(1, "bob", "gone-too")
    time.sleep(1.1)
    assert second.sweep() == []


@pytest.mark.services
def test_a_swept_live_socket_is_reported_so_it_can_rejoin():
    store = redis_store(ttl=1)
    store.enter(1, "alice", "stalled")
    time.sleep(1.1)
    store.sweep()
    assert store.renew([(1, "alice", "stalled")]) == [(1, "alice", "stalled")]


pytestmark_sockets = pytest.mark.django_db(transaction=True)


@pytestmark_sockets
async def test_two_tabs_join_once_and_leave_once(alice, bob, lobby):
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    first_tab = await open_socket("/ws/chat/lobby/", user=alice)
    assert await bobs.receive_json_from() == {"type": "user_join", "user": "alice"}
    second_tab = await open_socket("/ws/chat/lobby/", user=alice)
    assert await bobs.receive_nothing(timeout=0.3)
    await first_tab.disconnect()
    assert await bobs.receive_nothing(timeout=0.3)
    await second_tab.disconnect()
    assert await bobs.receive_json_from() == {"type": "user_leave", "user": "alice"}
    await bobs.disconnect()


@pytestmark_sockets
async def test_the_user_list_shows_who_is_already_there(alice, bob, lobby):
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    socket = WebsocketCommunicator(
        application, "/ws/chat/lobby/", headers=[(b"authorization", bearer(alice).encode())]
    )
    await socket.connect()
    assert await socket.receive_json_from() == {"type": "user_list", "users": ["alice", "bob"]}
    # The newcomer is not told about its own arrival.
    await socket.receive_json_from()  # history
    assert await socket.receive_nothing(timeout=0.3)
    await socket.disconnect()
    await bobs.disconnect()


@pytestmark_sockets
async def test_anonymous_readers_are_not_listed(alice, lobby):
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    reader = await open_socket("/ws/chat/lobby/")
    assert await alices.receive_nothing(timeout=0.3)
    await reader.disconnect()
    assert await alices.receive_nothing(timeout=0.3)
    await alices.disconnect()


@pytestmark_sockets
async def test_the_keeper_announces_users_whose_process_died(alice, bob, lobby, settings):
    """Simulates a dead process by leaving an entry nobody renews (Redis only: in memory there
    is one process, which cannot outlive itself)."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    settings.CHAT = {**settings.CHAT, "PRESENCE_TTL": 1, "PRESENCE_SWEEP_INTERVAL": 1}
    presence_store.cache_clear()
    await sync_to_async(presence_store().enter)(lobby.pk, "bob", "socket-of-a-dead-process")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    await asyncio.sleep(1.1)
    await sync_to_async(keeper.beat)()
    assert await receive_until(alices, "user_leave") == {"type": "user_leave", "user": "bob"}
    assert await sync_to_async(presence_store().online)(lobby.pk) == ["alice"]
    await alices.disconnect()


@pytestmark_sockets
async def test_presence_comes_back_at_the_next_beat_after_redis_lost_its_data(
    alice, bob, lobby, settings
):
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    await receive_until(alices, "user_join")
    # FLUSHDB (an operator, or a Redis restart without persistence) empties presence; pub/sub
    # subscriptions are not data and survive it.
    await sync_to_async(redis.Redis.from_url(settings.REDIS_URL).flushdb)()
    assert await sync_to_async(presence_store().online)(lobby.pk) == []
    await sync_to_async(keeper.beat)()
    assert await sync_to_async(presence_store().online)(lobby.pk) == ["alice", "bob"]
    await bobs.send_json_to({"message": "after the flush"})
    assert (await receive_until(alices, "chat_message"))["message"] == "after the flush"
    await alices.disconnect()
    await bobs.disconnect()


@pytestmark_sockets
async def test_a_socket_closing_while_redis_is_away_is_not_kept_alive(
    alice, bob, lobby, monkeypatch
):
    """The keeper must forget the socket before the leave talks to Redis: otherwise a failed
    leave leaves an entry that the keeper renews (and re-announces) for ever."""
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    alices = await open_socket("/ws/chat/lobby/", user=alice)

    def redis_away(*args, **kwargs):
        raise redis.ConnectionError("Redis is restarting")

    # The leave gives the slot back too, in the same round trip.
    monkeypatch.setattr(type(presence_store()), "leave", redis_away)
    await alices.disconnect()
    await asyncio.sleep(0.2)
    assert [username for _, username, _ in keeper.connections()] == ["bob"]
    assert [owner for owner, _ in keeper.slots()] == [f"user:{bob.pk}"]
    await bobs.disconnect()


@pytest.mark.services
def test_an_entry_is_sent_at_once_and_its_reply_read_later():
    """A handshake reads its snapshot while its entry's round trip is under way."""
    store = redis_store()
    entering = store.start_enter(1, "alice", "tab-1")
    # Another client sees the entry before this one has read the reply.
    assert wait_for(lambda: redis_store().online(1) == ["alice"])
    assert entering() == (True, ["alice"])


@pytest.mark.services
def test_an_entry_runs_after_redis_lost_its_scripts():
    store = redis_store()
    store.enter(1, "alice", "tab-1")
    shared_redis().script_flush()
    assert store.enter(1, "bob", "tab-1") == (True, ["alice", "bob"])


@pytest.mark.services
def test_entries_made_together_run_after_redis_lost_its_scripts():
    store = redis_store()
    store.enter(1, "alice", "tab-1")
    shared_redis().script_flush()
    assert store.enter_all([Entry(1, "bob", "tab-1"), Entry(1, "carol", "tab-1")]) == [
        (True, ["alice", "bob"]),
        (True, ["alice", "bob", "carol"]),
    ]


@pytest.mark.services
def test_an_entry_that_fails_in_redis_fails_alone():
    """A script error is read whole: the replies after it are still each their own."""
    store = redis_store()
    bad = Entry(1, "bob", "tab-1", ("user:2", "tab-1"), limit="not a number")
    outcomes = store.enter_all([Entry(1, "alice", "tab-1"), bad, Entry(1, "carol", "tab-1")])
    assert outcomes[0] == (True, ["alice"])
    assert isinstance(outcomes[1], redis.ResponseError)
    assert outcomes[2] == (True, ["alice", "carol"])


def wait_for(condition, timeout: float = 2.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
