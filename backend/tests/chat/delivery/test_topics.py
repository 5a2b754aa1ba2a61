import asyncio

import pytest

from chat.delivery import topics
from chat.delivery.outbox import Outbox
from chat.delivery.topics import NumberedTopic, Topic
from chat.protocol import CLOSE_RESUME


class Socket:
    """An outbox whose server takes every frame at once, and what it was sent."""

    def __init__(self) -> None:
        self.frames: list[str] = []
        self.outbox = Outbox(self._send, limit=100)

    async def _send(self, message: dict) -> None:
        self.frames.append(message.get("text") or f"close {message['code']}")


def frame(seq: int) -> str:
    return f"m{seq}"


def test_a_broadcast_reaches_every_live_socket():
    topic = Topic("user.1")
    first, second = Socket(), Socket()
    for socket in (first, second):
        topic.join(socket.outbox)
        topic.go_live(socket.outbox, seen_up_to=None, origin=None)
    topic.publish_arrived(None, None, "hello")
    assert first.frames == second.frames == ["hello"]


def test_a_joining_socket_gets_what_came_meanwhile_after_its_history_less_what_it_had():
    topic = Topic("room.1")
    socket = Socket()
    topic.join(socket.outbox)
    topic.publish_arrived(3, None, frame(3))  # committed before the snapshot: in the history
    topic.publish_arrived(4, None, frame(4))  # after it
    topic.publish_arrived(None, "me", "my own user_join")
    topic.publish_arrived(None, "other", "someone else's user_join")
    socket.outbox.put({"type": "websocket.send", "text": "history"})
    topic.go_live(socket.outbox, seen_up_to=3, origin="me")
    assert socket.frames == ["history", "m4", "someone else's user_join"]


def test_a_socket_s_own_user_join_arriving_after_it_went_live_is_not_echoed():
    # Redis may bring the join announcement back after the socket's history is out.
    topic = Topic("room.1")
    me, other = Socket(), Socket()
    for socket, origin in ((me, "me"), (other, "other")):
        topic.join(socket.outbox)
        topic.go_live(socket.outbox, seen_up_to=None, origin=origin)
    topic.publish_arrived(None, "me", "my own user_join")
    assert me.frames == []
    assert other.frames == ["my own user_join"]


def test_a_socket_that_left_hears_nothing_more():
    topic = Topic("room.1")
    socket = Socket()
    topic.join(socket.outbox)
    topic.go_live(socket.outbox, seen_up_to=None, origin=None)
    topic.leave(socket.outbox)
    topic.publish_arrived(None, None, "after")
    assert socket.frames == []
    assert topic.empty


def test_close_all_closes_live_and_joining_sockets_with_the_given_code():
    topic = Topic("room.1")
    live, joining = Socket(), Socket()
    topic.join(live.outbox)
    topic.go_live(live.outbox, seen_up_to=None, origin=None)
    topic.join(joining.outbox)
    topic.close_all(CLOSE_RESUME, "missed")
    assert live.frames == joining.frames == [f"close {CLOSE_RESUME}"]
    assert topic.empty


class Database:
    """What room_replay would find: the frames of the messages stored so far."""

    def __init__(self, *seqs: int) -> None:
        self.rows = {seq: frame(seq) for seq in seqs}
        self.asked: list[tuple[int, int]] = []
        self.fails = False

    async def replay(self, stream_id: int, first: int, last: int) -> dict[int, str]:
        self.asked.append((first, last))
        if self.fails:
            raise ConnectionError("database away")
        return {seq: text for seq, text in self.rows.items() if first <= seq <= last}


def live_room(database: Database, last_seq: int) -> tuple[NumberedTopic, Socket]:
    topic = NumberedTopic("room.1", "room", 1, database.replay)
    socket = Socket()
    topic.join(socket.outbox)
    topic.start(last_seq)
    topic.go_live(socket.outbox, seen_up_to=last_seq, origin=None)
    return topic, socket


@pytest.fixture(autouse=True)
def short_grace(monkeypatch):
    monkeypatch.setattr(topics, "GAP_GRACE", 0.05)


async def test_messages_are_delivered_in_seq_order_whatever_order_they_arrive_in():
    topic, socket = live_room(Database(), last_seq=0)
    for seq in (2, 3, 1, 4):
        topic.publish_arrived(seq, None, frame(seq))
    assert socket.frames == ["m1", "m2", "m3", "m4"]


async def test_arrivals_before_the_start_position_is_known_wait_for_it():
    topic = NumberedTopic("room.1", "room", 1, Database().replay)
    socket = Socket()
    topic.join(socket.outbox)
    topic.publish_arrived(5, None, frame(5))
    topic.publish_arrived(6, None, frame(6))
    topic.start(5)  # 5 committed before the subscription's start: the history has it
    topic.go_live(socket.outbox, seen_up_to=5, origin=None)
    assert socket.frames == ["m6"]


async def test_a_message_whose_publish_was_lost_is_fetched_and_delivered_in_its_place():
    database = Database(1, 2, 3)
    topic, socket = live_room(database, last_seq=0)
    topic.publish_arrived(1, None, frame(1))
    topic.publish_arrived(3, None, frame(3))
    assert socket.frames == ["m1"]
    await asyncio.sleep(0.2)
    assert database.asked == [(2, 2)]
    assert socket.frames == ["m1", "m2", "m3"]


async def test_a_gap_that_fills_itself_in_time_costs_no_query():
    database = Database()
    topic, socket = live_room(database, last_seq=0)
    topic.publish_arrived(2, None, frame(2))
    topic.publish_arrived(1, None, frame(1))
    await asyncio.sleep(0.2)
    assert database.asked == []
    assert socket.frames == ["m1", "m2"]


async def test_a_lost_latest_message_is_found_by_the_periodic_check():
    database = Database(1)
    topic, socket = live_room(database, last_seq=0)
    topic.note_last_seq(1)
    await asyncio.sleep(0.2)
    assert socket.frames == ["m1"]
    topic.publish_arrived(1, None, frame(1))  # the late publish is not a second copy
    assert socket.frames == ["m1"]


async def test_when_a_gap_cannot_be_filled_the_room_s_sockets_are_closed_to_resume():
    database = Database(1, 2)
    database.fails = True
    topic, socket = live_room(database, last_seq=0)
    topic.publish_arrived(2, None, frame(2))
    await asyncio.sleep(0.2)
    assert socket.frames == [f"close {CLOSE_RESUME}"]
    assert topic.empty


async def test_a_user_stream_begins_where_its_first_socket_read_it():
    topic = NumberedTopic("user.1", "user", 1, Database().replay)
    socket = Socket()
    topic.join(socket.outbox)
    topic.publish_arrived(3, None, frame(3))  # committed before the read: the catch-up has it
    topic.publish_arrived(4, None, frame(4))
    topic.begin(3)
    topic.begin(1)  # another socket's older read changes nothing
    topic.go_live(socket.outbox, seen_up_to=None, origin=None)
    assert socket.frames == ["m4"]


def joined_late(topic: NumberedTopic, *, seen_up_to: int, origin: str | None = None) -> Socket:
    """A socket that read its history (through ``seen_up_to``) while the room was live."""
    socket = Socket()
    topic.join(socket.outbox)
    socket.outbox.put({"type": "websocket.send", "text": "history"})
    topic.go_live(socket.outbox, seen_up_to=seen_up_to, origin=origin)
    return socket


async def test_a_message_in_the_history_whose_publish_comes_later_is_not_sent_again():
    # 1 and 2 were committed, and so in the history, before their publishes got here.
    topic, other = live_room(Database(1, 2, 3), last_seq=0)
    late = joined_late(topic, seen_up_to=2, origin="late")
    topic.publish_arrived(None, "late", "late's own user_join")
    topic.publish_arrived(1, None, frame(1))
    topic.publish_arrived(None, "x", "x's user_join")
    topic.publish_arrived(2, None, frame(2))
    topic.publish_arrived(3, None, frame(3))
    assert late.frames == ["history", "x's user_join", "m3"]
    assert other.frames == ["late's own user_join", "m1", "x's user_join", "m2", "m3"]


async def test_a_socket_joining_during_a_gap_gets_none_of_the_history_it_had_when_it_fills():
    topic, other = live_room(Database(1, 2), last_seq=0)
    topic.publish_arrived(2, None, frame(2))  # waits for 1
    late = joined_late(topic, seen_up_to=2)
    topic.publish_arrived(1, None, frame(1))
    topic.publish_arrived(3, None, frame(3))
    assert late.frames == ["history", "m3"]
    assert other.frames == ["m1", "m2", "m3"]


async def test_a_history_ahead_of_a_lost_publish_has_it_fetched_without_waiting_for_the_check():
    database = Database(1)
    topic, other = live_room(database, last_seq=0)
    late = joined_late(topic, seen_up_to=1)
    await asyncio.sleep(0.2)
    assert database.asked == [(1, 1)]
    assert other.frames == ["m1"]
    topic.publish_arrived(None, "x", "x's user_join")  # live now: not held any more
    assert late.frames == ["history", "x's user_join"]


async def test_a_socket_that_leaves_while_catching_up_hears_nothing_more():
    topic, _ = live_room(Database(1), last_seq=0)
    late = joined_late(topic, seen_up_to=1)
    topic.leave(late.outbox)
    topic.publish_arrived(1, None, frame(1))
    topic.publish_arrived(2, None, frame(2))
    assert late.frames == ["history"]


async def test_a_socket_catching_up_is_closed_to_resume_when_the_gap_cannot_be_filled():
    database = Database(1)
    database.fails = True
    topic, _ = live_room(database, last_seq=0)
    late = joined_late(topic, seen_up_to=1)
    await asyncio.sleep(0.2)
    assert late.frames == ["history", f"close {CLOSE_RESUME}"]
    assert topic.empty
