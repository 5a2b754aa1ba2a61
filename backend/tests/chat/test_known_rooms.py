"""A socket opens the short way (chat/sessions.py, sessions_start), by the room's id known to
the process or looked up once: it must refuse, fail and clean up exactly as the long way's
checks (``check_socket``) do."""

import asyncio
import threading

import pytest
from channels.testing import WebsocketCommunicator

from accounts.tickets import ws_ticket_issue
from chat import sessions
from chat.consumers import check_socket
from chat.delivery.broker import BrokerUnavailable
from chat.delivery.hub import hub, room_topic, user_topic
from chat.models import Room
from chat.presence import presence_store
from chat.sessions import KnownRooms, keeper, known_rooms, look_up_room_id
from chat.threads import in_thread
from config.asgi import application
from tests.conftest import apost, bearer, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def outcome(path: str, user=None, token: str | None = None) -> str | int:
    """ "open" once the snapshot arrived (the socket is then closed), else the close code."""
    token = token or (bearer(user) if user else None)
    headers = [(b"authorization", token.encode())] if token else []
    socket = WebsocketCommunicator(application, path, headers=headers)
    assert (await socket.connect())[0]
    frame = await socket.receive_output(timeout=5)
    if frame["type"] == "websocket.close":
        await socket.wait()
        return frame["code"]
    await socket.disconnect()
    return "open"


def refuse_long_way(monkeypatch) -> None:
    """Makes the long way fail loudly: what opens from here on did so the short way."""

    async def refused(**kwargs):
        raise AssertionError("opened the long way")

    monkeypatch.setattr("chat.consumers.check_socket", refused)


@pytest.fixture
def long_way_refused(monkeypatch):
    refuse_long_way(monkeypatch)


def heard_by_nobody(*names: str) -> bool:
    return all(name not in hub.topics or hub.topics[name].empty for name in names)


async def test_a_rooms_first_socket_looks_its_id_up_and_the_short_way_is_live(
    alice, bob, lobby, long_way_refused
):
    first = await open_socket("/ws/chat/lobby/", user=alice)
    assert known_rooms.get("lobby") == lobby.pk
    await first.send_json_to({"message": "before bob", "client_id": "c-0"})
    await receive_until(first, "chat_message")
    bobs = WebsocketCommunicator(
        application, "/ws/chat/lobby/", headers=[(b"authorization", bearer(bob).encode())]
    )
    await bobs.connect()
    assert await bobs.receive_json_from() == {"type": "user_list", "users": ["alice", "bob"]}
    history = await bobs.receive_json_from()
    assert [m["message"] for m in history["messages"]] == ["before bob"]
    assert (await receive_until(first, "user_join"))["user"] == "bob"
    # Live from here on, in the room and in bob's own topic.
    await first.send_json_to({"message": "hi bob", "client_id": "c-1"})
    assert (await receive_until(bobs, "chat_message"))["message"] == "hi bob"
    await first.send_json_to({"type": "private_message", "to": "bob", "message": "psst"})
    assert (await receive_until(bobs, "private_message"))["message"] == "psst"
    await bobs.disconnect()
    assert (await receive_until(first, "user_leave"))["user"] == "bob"
    await first.disconnect()


async def test_sockets_arriving_together_share_one_look_up(
    alice, bob, lobby, monkeypatch, long_way_refused
):
    looked_up = []

    async def slow_look_up(name):
        looked_up.append(name)
        await asyncio.sleep(0.2)  # the others arrive meanwhile
        return await look_up_room_id(name)

    monkeypatch.setattr("chat.sessions.look_up_room_id", slow_look_up)
    outcomes = await asyncio.gather(
        outcome("/ws/chat/lobby/", user=alice),
        outcome("/ws/chat/lobby/", user=bob),
        outcome("/ws/chat/lobby/"),
    )
    assert outcomes == ["open", "open", "open"]
    assert looked_up == ["lobby"]


async def test_a_socket_gone_during_the_look_up_leaves_it_to_the_others():
    rooms, answer = KnownRooms(), asyncio.get_running_loop().create_future()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("chat.sessions.look_up_room_id", lambda name: answer)
        gone = asyncio.ensure_future(rooms.find("lobby"))
        waiting = asyncio.ensure_future(rooms.find("lobby"))
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.sleep(0)
        answer.set_result(7)
        assert await waiting == 7
    assert rooms.get("lobby") == 7


async def test_a_name_no_room_has_is_refused_the_long_way(alice):
    assert await outcome("/ws/chat/nowhere/", user=alice) == 4404
    assert await outcome("/ws/chat/nowhere/", token="Bearer not-a-jwt") == 4401
    assert known_rooms.get("nowhere") is None


@pytest.mark.parametrize(
    ("token", "code"),
    [("Bearer not-a-jwt", 4401), ("Basic YWxpY2U6cHc=", 4401)],
)
async def test_bad_credentials_are_refused_before_anything_is_heard(
    lobby, long_way_refused, token, code
):
    known_rooms.learn("lobby", lobby.pk)
    assert await outcome("/ws/chat/lobby/", token=token) == code
    assert heard_by_nobody(room_topic(lobby.pk))


async def test_a_deactivated_user_is_refused_and_leaves_nothing_heard(alice, lobby):
    known_rooms.learn("lobby", lobby.pk)
    alice.is_active = False
    await alice.asave()
    assert await outcome("/ws/chat/lobby/", user=alice) == 4401
    assert heard_by_nobody(room_topic(lobby.pk), user_topic(alice.pk))
    assert not keeper._awaiting


async def test_a_room_made_staff_only_is_refused_to_others(alice, sam, lobby, long_way_refused):
    known_rooms.learn("lobby", lobby.pk)
    lobby.admin_only = True
    await lobby.asave()
    assert await outcome("/ws/chat/lobby/", user=alice) == 4403
    assert await outcome("/ws/chat/lobby/") == 4403
    assert await outcome("/ws/chat/lobby/", user=sam) == "open"
    assert heard_by_nobody(room_topic(lobby.pk), user_topic(alice.pk))


async def test_a_deleted_room_closes_with_4404(alice, lobby, long_way_refused):
    known_rooms.learn("lobby", lobby.pk)
    await lobby.adelete()
    assert await outcome("/ws/chat/lobby/", user=alice) == 4404


async def test_a_name_that_now_names_another_room_opens_that_room(alice, lobby):
    known_rooms.learn("lobby", lobby.pk)
    lobby.name = "old-lobby"
    await lobby.asave()
    new = await Room.objects.acreate(name="lobby")
    await apost(new, alice, "in the new lobby")
    await apost(lobby, alice, "in the old one")
    socket = await open_socket("/ws/chat/lobby/", user=alice, expect_close=True)
    assert (await socket.receive_json_from())["type"] == "user_list"
    history = await socket.receive_json_from()
    assert [m["message"] for m in history["messages"]] == ["in the new lobby"]
    assert known_rooms.get("lobby") == new.pk
    assert heard_by_nobody(room_topic(lobby.pk))
    await socket.disconnect()


async def test_a_bad_resume_point_is_refused_as_the_long_way_does(alice, lobby):
    known_rooms.learn("lobby", lobby.pk)
    assert await outcome("/ws/chat/lobby/?after=abc", user=alice) == 4400
    # The long way's order: credentials (4401) and the room (4404) before the resume point.
    assert await outcome("/ws/chat/lobby/?after=abc", token="Bearer not-a-jwt") == 4401
    assert await outcome("/ws/chat/nowhere/?after=abc", user=alice) == 4404


async def test_a_resume_the_short_way_sends_what_was_missed(alice, lobby, long_way_refused):
    known_rooms.learn("lobby", lobby.pk)
    ids = [(await apost(lobby, alice, f"m{n}")).id for n in range(4)]
    socket = await open_socket(f"/ws/chat/lobby/?after={ids[1]}", user=alice, expect_close=True)
    assert (await socket.receive_json_from())["type"] == "user_list"
    history = await socket.receive_json_from()
    assert [m["id"] for m in history["messages"]] == ids[2:]
    await socket.disconnect()


async def test_a_ticket_is_used_up_once_and_takes_the_short_way(alice, lobby, long_way_refused):
    known_rooms.learn("lobby", lobby.pk)
    ticket, _ = await in_thread(ws_ticket_issue)(user=alice, credential_expires_at=2**31)
    assert await outcome(f"/ws/chat/lobby/?ticket={ticket}") == "open"
    assert await outcome(f"/ws/chat/lobby/?ticket={ticket}") == 4401


async def test_a_ticket_for_a_room_not_known_is_used_up_once(alice, lobby, monkeypatch):
    checked = []

    async def counted(**kwargs):
        checked.append(kwargs["room_name"])
        return await check_socket(**kwargs)

    monkeypatch.setattr("chat.consumers.check_socket", counted)
    monkeypatch.setattr("chat.sessions.look_up_room_id", in_thread(lambda name: None))
    ticket, _ = await in_thread(ws_ticket_issue)(user=alice, credential_expires_at=2**31)
    # The room is not found by the look-up: the checks find it, with the ticket already used.
    assert await outcome(f"/ws/chat/lobby/?ticket={ticket}") == "open"
    assert checked == ["lobby"]
    assert await outcome(f"/ws/chat/lobby/?ticket={ticket}") == 4401


async def test_a_failure_after_the_presence_entry_takes_it_back(
    alice, bob, lobby, monkeypatch, long_way_refused
):
    known_rooms.learn("lobby", lobby.pk)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    first = await apost(lobby, bob, "one")

    def broken(room, after):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr("chat.sessions.changes_since", broken)
    assert await outcome(f"/ws/chat/lobby/?after={first.id}", user=alice) == 4500
    assert await in_thread(presence_store().online)(lobby.pk) == ["bob"]
    assert [user for _, user, _ in keeper.connections()] == ["bob"]
    assert heard_by_nobody(user_topic(alice.pk))
    assert len(hub.topics[room_topic(lobby.pk)].live) == 1
    await bobs.disconnect()


async def test_a_topic_that_cannot_be_heard_leaves_none_held(alice, lobby, monkeypatch):
    known_rooms.learn("lobby", lobby.pk)
    join = hub.join

    async def redis_away_for_users(name, outbox):
        if name.startswith("user."):
            raise BrokerUnavailable("Redis is restarting")
        return await join(name, outbox)

    monkeypatch.setattr(hub, "join", redis_away_for_users)
    assert await outcome("/ws/chat/lobby/", user=alice) == 4500
    assert heard_by_nobody(room_topic(lobby.pk))


async def test_a_socket_cancelled_while_its_session_starts_leaves_presence(
    alice, bob, lobby, monkeypatch
):
    """The batch opens the session after the socket is gone: it is closed again, and the
    others hear the user come and go."""
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    reading, read = threading.Event(), threading.Event()
    room_snapshots = sessions.room_snapshots

    def held(wanted):
        reading.set()
        read.wait(5)  # until the socket is gone
        return room_snapshots(wanted)

    monkeypatch.setattr(sessions, "room_snapshots", held)
    alices = WebsocketCommunicator(
        application, "/ws/chat/lobby/", headers=[(b"authorization", bearer(alice).encode())]
    )
    await alices.connect()
    assert await asyncio.to_thread(reading.wait, 5)
    alices.future.cancel()  # as daphne cancels a handshake its client left long ago
    read.set()
    assert (await receive_until(bobs, "user_join"))["user"] == "alice"
    assert (await receive_until(bobs, "user_leave"))["user"] == "alice"
    assert await in_thread(presence_store().online)(lobby.pk) == ["bob"]
    assert [user for _, user, _ in keeper.connections()] == ["bob"]
    await bobs.disconnect()
