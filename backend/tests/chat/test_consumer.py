"""The chat socket through the whole ASGI stack: origin check, auth middleware, routing."""

import json
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.tickets import ws_ticket_issue
from chat.delivery.broker import broker
from chat.models import DirectMessage, Message, Room
from chat.presence import presence_store
from chat.sessions import keeper
from chat.threads import in_thread
from config.asgi import application
from tests.conftest import apost, bearer, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


async def connect_raw(path, headers=()):
    socket = WebsocketCommunicator(application, path, headers=list(headers))
    connected, _ = await socket.connect()
    return socket, connected


async def close_code(socket):
    frame = await socket.receive_output(timeout=2)
    assert frame["type"] == "websocket.close"
    return frame.get("code")


async def test_a_new_socket_gets_the_user_list_then_the_latest_history(alice, lobby, settings):
    for n in range(12):
        await apost(lobby, alice, f"m{n}")
    socket = WebsocketCommunicator(
        application, "/ws/chat/lobby/", headers=[(b"authorization", _bearer(alice))]
    )
    await socket.connect()
    assert await socket.receive_json_from() == {"type": "user_list", "users": ["alice"]}
    history = await socket.receive_json_from()
    assert history["type"] == "history"
    assert [m["message"] for m in history["messages"]] == [f"m{n}" for n in range(2, 12)]
    assert history["has_more"] is True
    await socket.disconnect()


async def test_resuming_with_after_sends_everything_missed(alice, lobby, settings):
    ids = [(await apost(lobby, alice, f"m{n}")).id for n in range(15)]
    socket = WebsocketCommunicator(application, f"/ws/chat/lobby/?after={ids[1]}")
    await socket.connect()
    await socket.receive_json_from()
    history = await socket.receive_json_from()
    assert [m["id"] for m in history["messages"]] == ids[2:]
    assert history["has_more"] is False
    await socket.disconnect()


async def test_resume_is_capped_and_says_there_is_more(alice, lobby, settings):
    settings.CHAT = {**settings.CHAT, "RESUME_LIMIT": 3}
    ids = [(await apost(lobby, alice, "m")).id for _ in range(5)]
    socket = WebsocketCommunicator(application, f"/ws/chat/lobby/?after={ids[0]}")
    await socket.connect()
    await socket.receive_json_from()
    history = await socket.receive_json_from()
    assert [m["id"] for m in history["messages"]] == ids[1:4]
    assert history["has_more"] is True
    await socket.disconnect()


async def test_a_message_is_stored_then_broadcast_to_the_room(alice, bob, lobby):
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    await alices.send_json_to({"type": "chat_message", "message": "  hi bob  ", "client_id": "a-1"})
    for socket in (alices, bobs):
        event = await receive_until(socket, "chat_message")
        assert event["message"] == "hi bob"
        assert event["user"] == "alice"
        assert event["room"] == "lobby"
        assert event["client_id"] == "a-1"
        assert event["timestamp"].endswith("Z")
    stored = await Message.objects.aget(id=event["id"])
    assert stored.content == "hi bob"
    await alices.disconnect()
    await bobs.disconnect()


async def test_the_tutorials_bare_message_frame_still_works(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"message": "old school"})
    assert (await socket.receive_json_from())["message"] == "old school"
    await socket.disconnect()


async def test_a_resent_client_id_stores_nothing_and_answers_only_the_sender(alice, bob, lobby):
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    await alices.send_json_to({"message": "once", "client_id": "dup"})
    first = await receive_until(alices, "chat_message")
    await receive_until(bobs, "chat_message")
    await alices.send_json_to({"message": "once", "client_id": "dup"})
    again = await receive_until(alices, "chat_message")
    assert again == first
    assert await bobs.receive_nothing(timeout=0.3)
    assert await Message.objects.filter(client_id="dup").acount() == 1
    await alices.disconnect()
    await bobs.disconnect()


async def test_private_messages_reach_every_socket_of_the_recipient(alice, bob, lobby):
    await Room.objects.acreate(name="other")
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bob_here = await open_socket("/ws/chat/lobby/", user=bob)
    bob_elsewhere = await open_socket("/ws/chat/other/", user=bob)
    await alices.send_json_to(
        {"type": "private_message", "to": "bob", "message": "secret", "client_id": "p-1"}
    )
    delivered = await receive_until(alices, "private_message_delivered")
    assert delivered["target"] == "bob"
    assert delivered["message"] == "secret"
    assert delivered["client_id"] == "p-1"
    for socket in (bob_here, bob_elsewhere):
        event = await receive_until(socket, "private_message")
        assert event == {
            "type": "private_message",
            "id": delivered["id"],
            "user": "alice",
            "to": "bob",
            "message": "secret",
            "timestamp": delivered["timestamp"],
            "edited_at": None,
            "deleted": False,
        }
    assert await DirectMessage.objects.filter(content="secret").acount() == 1
    for socket in (alices, bob_here, bob_elsewhere):
        await socket.disconnect()


@pytest.mark.parametrize(
    "command",
    ["/pm bob meet at 5", " /pm bob meet at 5", "/pm\tbob meet at 5", "/PM  bob\nmeet at 5 "],
)
async def test_the_pm_command_sends_a_private_message(alice, bob, mallory, lobby, command):
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    mallorys = await open_socket("/ws/chat/lobby/", user=mallory)
    await alices.send_json_to({"type": "chat_message", "message": command})
    delivered = await receive_until(alices, "private_message_delivered")
    assert delivered["message"] == "meet at 5"
    assert (await receive_until(bobs, "private_message"))["message"] == "meet at 5"
    # Nothing of it reaches the room.
    frames = []
    while not await mallorys.receive_nothing(timeout=0.3):
        frames.append(await mallorys.receive_json_from())
    assert all(frame["type"] in {"user_join", "user_leave"} for frame in frames)
    for socket in (alices, bobs, mallorys):
        await socket.disconnect()


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        (json.dumps({"type": "dance"}), "unknown_type"),
        (json.dumps({"type": "chat_message"}), "invalid_frame"),
        (json.dumps({"type": "chat_message", "message": 42}), "invalid_frame"),
        (json.dumps({"message": "hi", "client_id": "x" * 65}), "invalid_frame"),
        (json.dumps({"message": "   "}), "empty"),
        (json.dumps({"message": "x" * 4001}), "too_long"),
        ("x" * 70000, "too_long"),
        (
            json.dumps({"type": "private_message", "to": "nobody", "message": "hi"}),
            "user_not_found",
        ),
        (json.dumps({"type": "private_message", "message": "hi"}), "invalid_frame"),
        (json.dumps({"message": "/pm "}), "invalid_frame"),
        (json.dumps({"message": "/pm bob    "}), "empty"),
        (json.dumps({"message": " /PM\t"}), "invalid_frame"),
        # What a database cannot store, or a parser cannot nest, is refused before any service.
        ("[" * 10_000 + "]" * 10_000, "invalid_json"),
        ('{"message": ' * 5_000 + "1" + "}" * 5_000, "invalid_json"),
        (json.dumps({"message": "a\u0000b"}), "invalid_frame"),
        (json.dumps({"message": "a\ud800b"}), "invalid_frame"),
        (json.dumps({"message": "hi", "client_id": "c\u0000"}), "invalid_frame"),
        (
            json.dumps({"type": "private_message", "to": "b\u0000b", "message": "hi"}),
            "invalid_frame",
        ),
        (
            json.dumps({"type": "private_message", "to": "\udfffbob", "message": "hi"}),
            "invalid_frame",
        ),
        (json.dumps({"type": "authenticate", "token": ""}), "invalid_frame"),
        (json.dumps({"type": "authenticate", "token": "x\u0000"}), "invalid_frame"),
    ],
)
async def test_bad_frames_get_an_error_and_change_nothing(alice, bob, lobby, frame, code):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_to(text_data=frame)
    error = await receive_until(socket, "error")
    assert error["code"] == code
    assert error["message"]
    assert await Message.objects.acount() == 0
    assert await DirectMessage.objects.acount() == 0
    # The socket is still open and usable.
    await socket.send_json_to({"message": "still here"})
    assert (await receive_until(socket, "chat_message"))["message"] == "still here"
    await socket.disconnect()


async def test_an_error_echoes_the_client_id_of_the_refused_frame(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"message": " ", "client_id": "c-9"})
    assert await socket.receive_json_from() == {
        "type": "error",
        "code": "empty",
        "message": "The message is empty.",
        "client_id": "c-9",
    }
    await socket.disconnect()


async def test_binary_frames_are_refused(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_to(bytes_data=b"\x00\x01")
    assert (await socket.receive_json_from())["code"] == "invalid_frame"
    await socket.disconnect()


async def test_ping_gets_pong(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_a_refused_ping_names_its_client_id(alice, lobby, settings):
    settings.CHAT = {**settings.CHAT, "WS_RATE": 0.001, "WS_BURST": 1}
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.send_json_to({"type": "ping", "client_id": "p-1"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.send_json_to({"type": "ping", "client_id": "p-2"})
    refused = await socket.receive_json_from()
    assert (refused["code"], refused["client_id"]) == ("rate_limited", "p-2")
    await socket.disconnect()


async def test_frames_beyond_the_rate_limit_are_refused(alice, lobby, settings):
    # A refill slow enough that the test cannot outlast it.
    settings.CHAT = {**settings.CHAT, "WS_RATE": 0.001, "WS_BURST": 3}
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    for n in range(4):
        await socket.send_json_to({"message": f"spam {n}", "client_id": f"s{n}"})
    # The error goes straight back while broadcasts go round the channel layer: any order.
    replies = [await socket.receive_json_from() for _ in range(4)]
    stored = sorted(r["client_id"] for r in replies if r["type"] == "chat_message")
    [refused] = [r for r in replies if r["type"] == "error"]
    assert stored == ["s0", "s1", "s2"]
    assert (refused["code"], refused["client_id"]) == ("rate_limited", "s3")
    assert await Message.objects.acount() == 3
    await socket.disconnect()


async def test_anonymous_sockets_read_but_cannot_write(alice, lobby):
    reader = await open_socket("/ws/chat/lobby/")
    writer = await open_socket("/ws/chat/lobby/", user=alice)
    await writer.send_json_to({"message": "hello readers"})
    assert (await receive_until(reader, "chat_message"))["message"] == "hello readers"
    await reader.send_json_to({"message": "let me in"})
    assert (await receive_until(reader, "error"))["code"] == "not_authenticated"
    await reader.send_json_to({"type": "private_message", "to": "alice", "message": "hi"})
    assert (await receive_until(reader, "error"))["code"] == "not_authenticated"
    await reader.disconnect()
    await writer.disconnect()


async def test_a_ticket_authenticates_once(alice, lobby):
    ticket, _ = await _issue(alice)
    socket = await open_socket(f"/ws/chat/lobby/?ticket={ticket}")
    await socket.send_json_to({"message": "via ticket"})
    assert (await receive_until(socket, "chat_message"))["user"] == "alice"
    await socket.disconnect()
    reused, connected = await connect_raw(f"/ws/chat/lobby/?ticket={ticket}")
    assert connected
    assert await close_code(reused) == 4401


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/ws/chat/lobby/?ticket=forged", []),
        ("/ws/chat/lobby/", [(b"authorization", b"Bearer not-a-jwt")]),
        ("/ws/chat/lobby/", [(b"authorization", b"Basic YWxpY2U6cHc=")]),
        ("/ws/chat/lobby/?token=anything", []),
        ("/ws/chat/lobby/?access=anything", []),
    ],
)
async def test_bad_credentials_close_with_4401(lobby, path, headers):
    socket, connected = await connect_raw(path, headers)
    assert connected
    assert await close_code(socket) == 4401


async def test_an_expired_access_token_closes_with_4401(alice, lobby):
    token = AccessToken.for_user(alice)
    token.set_exp(lifetime=-timedelta(seconds=1))
    socket, _ = await connect_raw(
        "/ws/chat/lobby/", [(b"authorization", f"Bearer {token}".encode())]
    )
    assert await close_code(socket) == 4401


async def test_a_refresh_token_is_not_an_access_token(alice, lobby):
    from asgiref.sync import sync_to_async

    refresh = await sync_to_async(RefreshToken.for_user)(alice)
    socket, _ = await connect_raw(
        "/ws/chat/lobby/", [(b"authorization", f"Bearer {refresh}".encode())]
    )
    assert await close_code(socket) == 4401


async def test_admin_only_rooms_close_with_4403_for_non_staff(alice, sam, staff_room):
    socket, _ = await connect_raw("/ws/chat/staff/", [(b"authorization", _bearer(alice))])
    assert await close_code(socket) == 4403
    anonymous, _ = await connect_raw("/ws/chat/staff/")
    assert await close_code(anonymous) == 4403
    staff = await open_socket("/ws/chat/staff/", user=sam)
    await staff.disconnect()


async def test_an_unknown_room_closes_with_4404(db):
    socket, _ = await connect_raw("/ws/chat/nowhere/")
    assert await close_code(socket) == 4404


@pytest.mark.parametrize(
    "path",
    [
        "/ws/chat/bad%20name/",
        "/ws/chat/" + "x" * 65 + "/",
        "/ws/chat/lobby/?after=abc",
        "/ws/chat/lobby/?after=%C2%B2",
        f"/ws/chat/lobby/?after={2**63}",
        "/ws/chat/lobby/?after=" + "9" * 5000,
    ],
)
async def test_an_invalid_room_name_or_after_closes_with_4400(lobby, path):
    socket, _ = await connect_raw(path)
    assert await close_code(socket) == 4400


async def test_a_browser_from_another_origin_is_refused(lobby):
    socket, connected = await connect_raw("/ws/chat/lobby/", [(b"origin", b"https://evil.example")])
    assert not connected


async def test_a_browser_from_an_allowed_origin_and_a_client_without_origin_are_accepted(
    lobby, settings
):
    for headers in ([(b"origin", b"http://localhost:8000")], []):
        socket = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=headers)
        connected, _ = await socket.connect()
        assert connected
        await socket.disconnect()


def _bearer(user) -> bytes:
    return bearer(user).encode()


async def _issue(user):
    return await sync_to_async(ws_ticket_issue)(
        user=user, credential_expires_at=int(time.time()) + 300
    )


@pytest.mark.parametrize("way", ["short", "long"])
async def test_a_server_failure_while_opening_closes_with_4500(lobby, monkeypatch, way):
    def broken_read(*args, **kwargs):
        raise ConnectionError("database unreachable")

    if way == "short":
        monkeypatch.setattr("chat.sessions.room_snapshots", broken_read)
    else:

        async def room_not_found(name):
            return None  # as for a room the look-up missed: socket_check reads it

        monkeypatch.setattr("chat.sessions.look_up_room_id", room_not_found)
        monkeypatch.setattr("chat.sessions.fetch_each", broken_read)
    socket, _ = await connect_raw("/ws/chat/lobby/")
    assert await close_code(socket) == 4500


async def test_a_client_id_is_scoped_to_its_room(alice, lobby):
    await Room.objects.acreate(name="other")
    in_lobby = await open_socket("/ws/chat/lobby/", user=alice)
    in_other = await open_socket("/ws/chat/other/", user=alice)
    # One after the other: the embedded test database (shared-cache SQLite in memory) refuses
    # two writers at once instead of waiting.
    await in_lobby.send_json_to({"message": "in the lobby", "client_id": "same"})
    assert (await receive_until(in_lobby, "chat_message"))["message"] == "in the lobby"
    await in_other.send_json_to({"message": "elsewhere", "client_id": "same"})
    assert (await receive_until(in_other, "chat_message"))["message"] == "elsewhere"
    assert await Message.objects.filter(client_id="same").acount() == 2
    for socket in (in_lobby, in_other):
        await socket.disconnect()


async def test_a_client_id_is_scoped_to_its_conversation(alice, bob, mallory, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    for to in ("bob", "mallory", "bob"):
        frame = {"type": "private_message", "to": to, "message": f"hi {to}", "client_id": "same"}
        await socket.send_json_to(frame)
        delivered = await receive_until(socket, "private_message_delivered")
        assert (delivered["target"], delivered["message"]) == (to, f"hi {to}")
    assert await DirectMessage.objects.filter(client_id="same").acount() == 2
    await socket.disconnect()


async def test_a_failed_broadcast_tells_the_sender_nothing_false_and_delivers_later(
    alice, bob, lobby, monkeypatch
):
    monkeypatch.setattr("chat.delivery.hub.CHECK_INTERVAL", 0.3)
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    bobs = await open_socket("/ws/chat/lobby/", user=bob)

    def lost(topic, payload):
        raise ConnectionError("Redis went away")

    monkeypatch.setattr(broker(), "publish", lost)
    await alices.send_json_to({"message": "stored anyway", "client_id": "c-1"})
    # No error: the message is stored, and the fan-out's periodic check finds and sends it.
    for socket in (alices, bobs):
        event = await receive_until(socket, "chat_message", timeout=3)
        assert (event["message"], event["client_id"]) == ("stored anyway", "c-1")
    assert await Message.objects.filter(client_id="c-1").acount() == 1
    for socket in (alices, bobs):
        await socket.disconnect()


async def test_a_crashed_socket_still_leaves_presence(alice, bob, lobby, monkeypatch):
    # Channels skips disconnect() when a handler raises: the leave must not depend on it.
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    assert (await receive_until(bobs, "user_join"))["user"] == "alice"

    async def crash(self, message):
        raise RuntimeError("a bug in a handler")

    monkeypatch.setattr("chat.consumers.ChatConsumer.websocket_receive", crash)
    await alices.send_json_to({"message": "boom"})
    assert (await receive_until(bobs, "user_leave"))["user"] == "alice"
    assert await in_thread(presence_store().online)(lobby.pk) == ["bob"]
    assert [(room, user) for room, user, _ in keeper.connections()] == [(lobby.pk, "bob")]
    with pytest.raises(RuntimeError):
        await alices.wait()
    await bobs.disconnect()


@pytest.mark.parametrize("path", ["/ws/chat/../x/", "/ws/chat/a/b/", "/ws/else/", "/"])
async def test_a_path_that_is_no_room_is_closed_with_4400(path):
    socket, connected = await connect_raw(path)
    assert connected
    assert await close_code(socket) == 4400


async def test_a_server_failure_on_a_frame_answers_internal_error_and_keeps_the_socket(
    alice, lobby, monkeypatch
):
    socket = await open_socket("/ws/chat/lobby/", user=alice)

    async def broken_send(**kwargs):
        raise ConnectionError("database unreachable")

    monkeypatch.setattr("chat.consumers.room_message_send", broken_send)
    await socket.send_json_to({"message": "hello", "client_id": "c-1"})
    error = await socket.receive_json_from()
    assert (error["code"], error["client_id"]) == ("internal_error", "c-1")
    await socket.send_json_to({"type": "ping"})
    assert await socket.receive_json_from() == {"type": "pong"}
    await socket.disconnect()


async def test_junk_frames_spend_the_rate_budget_too(alice, lobby, settings):
    settings.CHAT = {**settings.CHAT, "WS_RATE": 0.001, "WS_BURST": 2}
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    for _ in range(2):
        await socket.send_to(text_data="junk")
        assert (await socket.receive_json_from())["code"] == "invalid_json"
    await socket.send_json_to({"message": "legit", "client_id": "c-1"})
    refused = await socket.receive_json_from()
    assert (refused["code"], refused["client_id"]) == ("rate_limited", "c-1")
    assert await Message.objects.acount() == 0
    await socket.disconnect()


async def test_a_close_makes_no_hop_to_channels_sync_thread(alice, lobby, monkeypatch):
    # Channels' websocket_disconnect closes stale database connections in its sync thread; this
    # consumer never uses the database on the loop, so a close skips that hop.
    hops = []
    monkeypatch.setattr(
        "channels.generic.websocket.aclose_old_connections", lambda: hops.append("hop")
    )
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.disconnect()
    assert hops == []
    assert await in_thread(presence_store().online)(lobby.pk) == []
