"""A socket lives no longer than its credential and its right to the room (chat/sockets.py)."""

import asyncio
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from accounts.tickets import ws_ticket_issue
from chat import consumers
from chat.models import Message
from chat.sessions import known_rooms
from chat.sockets import local_sockets
from config.asgi import application
from tests.conftest import PASSWORD, bearer, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def token_for(user, seconds: float = 300) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=timedelta(seconds=seconds))
    return str(token)


async def open_with_token(path: str, token: str) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        application, path, headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["type"] == "user_list"
    assert (await socket.receive_json_from())["type"] == "history"
    return socket


async def closed_with(socket, timeout: float = 5) -> int:
    """The close code the server ends the socket with, skipping the frames before it."""
    while True:
        frame = await socket.receive_output(timeout=timeout)
        if frame["type"] == "websocket.close":
            return frame.get("code")


save = sync_to_async(lambda instance: instance.save())


def bearer_header(user) -> list[tuple[bytes, bytes]]:
    return [(b"authorization", bearer(user).encode())]


async def test_a_socket_is_closed_with_4401_when_its_token_expires(alice, lobby):
    socket = await open_with_token("/ws/chat/lobby/", token_for(alice, seconds=2))
    started = time.monotonic()
    assert await closed_with(socket) == 4401
    assert time.monotonic() - started < 4


async def test_a_frame_after_expiry_is_refused_and_stores_nothing(alice, lobby, monkeypatch):
    # No sweep during the test: the frame itself must find the credential expired.
    monkeypatch.setattr("chat.sockets.EXPIRY_CHECK_INTERVAL", 60)
    socket = await open_with_token("/ws/chat/lobby/", token_for(alice, seconds=1))
    time.sleep(1.2)
    await socket.send_json_to({"message": "too late"})
    assert await closed_with(socket) == 4401
    assert await Message.objects.acount() == 0


async def test_renewing_in_band_keeps_the_socket_open(alice, lobby):
    socket = await open_with_token("/ws/chat/lobby/", token_for(alice, seconds=2))
    await socket.send_json_to({"type": "authenticate", "token": token_for(alice, seconds=300)})
    renewed = await receive_until(socket, "authenticated")
    assert renewed["expires_at"].endswith("Z")
    await socket.receive_nothing(timeout=3)  # past the first token's expiry: still open
    await socket.send_json_to({"message": "still here"})
    assert (await receive_until(socket, "chat_message"))["message"] == "still here"
    await socket.disconnect()


@pytest.mark.parametrize(
    ("whose", "code"),
    [("bob", "forbidden"), ("garbage", "token_not_valid"), ("expired", "token_not_valid")],
)
async def test_a_bad_renewal_is_refused_and_the_old_credential_stays(
    alice, bob, lobby, whose, code
):
    token = {
        "bob": token_for(bob),
        "garbage": "not.a.token",
        "expired": token_for(alice, seconds=-1),
    }[whose]
    socket = await open_with_token("/ws/chat/lobby/", token_for(alice, seconds=2))
    await socket.send_json_to({"type": "authenticate", "token": token})
    assert (await receive_until(socket, "error"))["code"] == code
    assert await closed_with(socket) == 4401


async def test_an_anonymous_socket_cannot_log_in_in_band(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/")
    await socket.send_json_to({"type": "authenticate", "token": token_for(alice)})
    assert (await receive_until(socket, "error"))["code"] == "forbidden"
    await socket.send_json_to({"type": "ping"})
    assert (await receive_until(socket, "pong")) == {"type": "pong"}
    await socket.disconnect()


async def test_a_ticket_socket_expires_with_the_token_that_asked_for_the_ticket(alice, lobby):
    ticket, _ = await sync_to_async(ws_ticket_issue)(
        user=alice, credential_expires_at=int(time.time()) + 2
    )
    socket = WebsocketCommunicator(application, f"/ws/chat/lobby/?ticket={ticket}")
    assert (await socket.connect())[0]
    assert await closed_with(socket) == 4401


async def test_logout_closes_every_socket_of_the_user_and_no_other(api, alice, bob, lobby):
    login = await sync_to_async(api().post)(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    refresh = login.json()["refresh"]
    tabs = [await open_socket("/ws/chat/lobby/", user=alice) for _ in range(2)]
    bobs = await open_socket("/ws/chat/lobby/", user=bob)
    answer = await sync_to_async(api().post)(
        "/api/auth/logout/", {"refresh": refresh}, format="json"
    )
    assert answer.status_code == 205
    for tab in tabs:
        assert await closed_with(tab) == 4401
    await bobs.send_json_to({"type": "ping"})
    assert await receive_until(bobs, "pong") == {"type": "pong"}
    await bobs.disconnect()


@pytest.mark.parametrize("change", ["deactivated", "password changed", "deleted"])
async def test_losing_the_account_closes_its_sockets(alice, lobby, change):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    if change == "deactivated":
        alice.is_active = False
        await save(alice)
    elif change == "password changed":
        alice.set_password("a new password entirely")
        await save(alice)
    else:
        await sync_to_async(alice.delete)()
    assert await closed_with(socket) == 4401


async def test_a_token_from_before_a_password_change_opens_no_socket(alice, lobby):
    token = token_for(alice)
    alice.set_password("a new password entirely")
    await save(alice)
    socket = WebsocketCommunicator(
        application, "/ws/chat/lobby/", headers=[(b"authorization", f"Bearer {token}".encode())]
    )
    assert (await socket.connect())[0]
    assert await closed_with(socket) == 4401


async def test_a_demoted_staff_user_is_taken_out_of_staff_rooms_only(sam, staff_room, lobby):
    in_staff_room = await open_socket("/ws/chat/staff/", user=sam)
    in_lobby = await open_socket("/ws/chat/lobby/", user=sam)
    sam.is_staff = False
    await save(sam)
    assert await closed_with(in_staff_room) == 4403
    await in_lobby.send_json_to({"message": "still in the lobby"})
    assert (await receive_until(in_lobby, "chat_message"))["message"] == "still in the lobby"
    await in_lobby.disconnect()


async def test_a_room_made_staff_only_keeps_its_staff_and_closes_the_others(alice, sam, lobby):
    alices = await open_socket("/ws/chat/lobby/", user=alice)
    sams = await open_socket("/ws/chat/lobby/", user=sam)
    lobby.admin_only = True
    await save(lobby)
    assert await closed_with(alices) == 4403
    await sams.send_json_to({"message": "staff only now"})
    assert (await receive_until(sams, "chat_message"))["message"] == "staff only now"
    await sams.disconnect()


async def test_a_send_after_demotion_is_refused_at_the_write(sam, staff_room, monkeypatch):
    # The change of access never arrives here (as if its publish were lost): the write
    # itself must find that sam is no longer staff.
    monkeypatch.setattr("chat.access.publish_control", lambda topic, change: None)
    socket = await open_socket("/ws/chat/staff/", user=sam)
    sam.is_staff = False
    await save(sam)
    await socket.send_json_to({"message": "still staff?"})
    assert (await receive_until(socket, "error"))["code"] == "forbidden"
    assert await Message.objects.acount() == 0
    await socket.disconnect()


async def test_a_send_after_deactivation_is_refused_at_the_write(alice, bob, lobby, monkeypatch):
    monkeypatch.setattr("chat.access.publish_control", lambda topic, change: None)
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    alice.is_active = False
    await save(alice)
    await socket.send_json_to({"message": "am I still here?"})
    assert (await receive_until(socket, "error"))["code"] == "not_authenticated"
    await socket.send_json_to({"type": "private_message", "to": "bob", "message": "psst"})
    assert (await receive_until(socket, "error"))["code"] == "not_authenticated"
    assert await Message.objects.acount() == 0
    await socket.disconnect()


async def test_logout_closes_the_tab_left_open_after_another_closed(api, alice, lobby):
    login = await sync_to_async(api().post)(
        "/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json"
    )
    closed_tab, open_tab = [await open_socket("/ws/chat/lobby/", user=alice) for _ in range(2)]
    await closed_tab.disconnect()
    answer = await sync_to_async(api().post)(
        "/api/auth/logout/", {"refresh": login.json()["refresh"]}, format="json"
    )
    assert answer.status_code == 205
    assert await closed_with(open_tab) == 4401


async def heard_after(change) -> None:
    """Makes ``change`` and waits until this process heard it (chat/sockets.py)."""
    seen = local_sockets.changes_seen()
    await change()
    while local_sockets.changes_seen() == seen:
        await asyncio.sleep(0.01)


async def test_a_change_heard_while_a_socket_opens_closes_it(alice, lobby, monkeypatch):
    known_rooms.learn("lobby", lobby.pk)
    opening = consumers.start_session

    async def then_made_staff_only(start):
        opened = await opening(start)  # alice's access read as it was: allowed
        lobby.admin_only = True
        await heard_after(lambda: save(lobby))  # heard before the socket is added
        return opened

    monkeypatch.setattr("chat.consumers.start_session", then_made_staff_only)
    socket = WebsocketCommunicator(application, "/ws/chat/lobby/", headers=bearer_header(alice))
    assert (await socket.connect())[0]
    assert await closed_with(socket) == 4403


async def test_a_change_made_before_a_socket_hears_its_topics_refuses_it(alice, lobby, monkeypatch):
    # The long way: the room's id comes from the checks, before the topics are heard, so
    # nothing here hears this change. The access read after they are heard must find it
    # (chat/consumers.py, join_room_numbered).
    ticket, _ = await sync_to_async(ws_ticket_issue)(user=alice, credential_expires_at=2**31)
    checking = consumers.check_socket

    async def then_deactivated(**kwargs):
        room_id = await checking(**kwargs)  # alice's checks pass
        alice.is_active = False
        await save(alice)
        return room_id

    monkeypatch.setattr("chat.consumers.check_socket", then_deactivated)
    monkeypatch.setattr("chat.sessions.look_up_room_id", sync_to_async(lambda name: None))
    socket = WebsocketCommunicator(application, f"/ws/chat/lobby/?ticket={ticket}")
    assert (await socket.connect())[0]
    assert await closed_with(socket) == 4401
