"""The fan-out through the whole ASGI stack, with the in-memory broker and with real Redis."""

import asyncio

import pytest
import redis
from asgiref.sync import sync_to_async
from django.conf import settings

from chat.delivery import topics
from chat.delivery.broker import subscriber_name
from chat.delivery.hub import hub, room_topic
from chat.protocol import CLOSE_RESUME
from tests.conftest import apost, awrite, open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)
needs_redis = pytest.mark.services


def admin() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)


async def subscribers(topic: str) -> int:
    """How many connections Redis has subscribed to ``topic`` (whatever its namespace)."""
    channels = await sync_to_async(admin().pubsub_channels)(f"*/{topic}")
    if not channels:
        return 0
    return (await sync_to_async(admin().pubsub_numsub)(*channels))[0][1]


async def close_code(socket) -> int:
    while True:
        frame = await socket.receive_output(timeout=3)
        if frame["type"] == "websocket.close":
            return frame["code"]


async def test_a_message_reaches_every_socket_of_the_room_once(alice, bob, lobby):
    sockets = [await open_socket("/ws/chat/lobby/", user=user) for user in (alice, bob, bob)]
    await sockets[1].send_json_to({"message": "to all", "client_id": "b-1"})
    for socket in sockets:
        assert (await receive_until(socket, "chat_message"))["client_id"] == "b-1"
        assert await socket.receive_nothing(timeout=0.2)
    for socket in sockets:
        await socket.disconnect()


@needs_redis
async def test_a_process_subscribes_once_per_room_however_many_sockets(alice, lobby):
    sockets = [await open_socket("/ws/chat/lobby/", user=alice) for _ in range(20)]
    assert await subscribers(room_topic(lobby.pk)) == 1
    for socket in sockets:
        await socket.disconnect()


async def test_a_room_left_empty_is_unsubscribed_at_the_second_check(alice, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    await socket.disconnect()
    await asyncio.sleep(0.1)
    await hub.check()
    assert room_topic(lobby.pk) in hub.topics  # a quick reconnect finds it still subscribed
    await hub.check()
    assert room_topic(lobby.pk) not in hub.topics
    if settings.REDIS_URL:
        assert await subscribers(room_topic(lobby.pk)) == 0


async def test_a_message_whose_publish_was_lost_arrives_after_the_periodic_check(
    alice, bob, lobby, monkeypatch
):
    monkeypatch.setattr(topics, "GAP_GRACE", 0.05)
    socket = await open_socket("/ws/chat/lobby/", user=alice)
    # Stored, but its publish never happened (its process died between the two).
    lost = await apost(lobby, bob, "stored, never published")
    assert await socket.receive_nothing(timeout=0.2)
    await hub.check()
    event = await receive_until(socket, "chat_message")
    assert (event["id"], event["message"]) == (lost.id, "stored, never published")
    await socket.disconnect()


async def test_a_private_message_whose_publish_was_lost_arrives_after_the_periodic_check(
    alice, bob, lobby, monkeypatch
):
    monkeypatch.setattr(topics, "GAP_GRACE", 0.05)
    socket = await open_socket("/ws/chat/lobby/", user=bob)
    lost = await awrite(alice, bob, "stored, never published")
    assert await socket.receive_nothing(timeout=0.2)
    await hub.check()
    event = await receive_until(socket, "private_message")
    assert (event["id"], event["user"], event["message"]) == (
        lost.id,
        "alice",
        "stored, never published",
    )
    await socket.disconnect()


@needs_redis
async def test_a_publishing_connection_that_broke_is_replaced(
    alice, bob, lobby, caplog, monkeypatch
):
    """The loop publishes on one connection it holds (chat/delivery/broker.py): closed under
    it (a Redis restart, an idle timeout), the next message goes out on a new one."""
    # No periodic check fills in a lost publish here: what arrives went out.
    monkeypatch.setattr("chat.delivery.hub.CHECK_INTERVAL", 60)
    alices, bobs = [await open_socket("/ws/chat/lobby/", user=user) for user in (alice, bob)]
    await alices.send_json_to({"message": "before"})
    assert (await receive_until(bobs, "chat_message"))["message"] == "before"
    killer = admin()
    for client in await sync_to_async(killer.client_list)(_type="normal"):
        if client["name"] == subscriber_name():
            await sync_to_async(killer.client_kill_filter)(_id=client["id"])
    for text in ("after", "and after"):
        await alices.send_json_to({"message": text})
    received = [(await receive_until(bobs, "chat_message"))["message"] for _ in range(2)]
    assert received == ["after", "and after"]
    assert "could not publish" not in caplog.text
    for socket in (alices, bobs):
        await socket.disconnect()


# Embedded, the test database is an in-memory SQLite that refuses concurrent writers.
@needs_redis
async def test_private_messages_arrive_in_the_order_they_were_stored(alice, bob, mallory, lobby):
    socket = await open_socket("/ws/chat/lobby/", user=bob)
    senders = [await open_socket("/ws/chat/lobby/", user=user) for user in (alice, mallory)]
    for n in range(10):
        await senders[n % 2].send_json_to(
            {"type": "private_message", "to": "bob", "message": f"{n}"}
        )
    ids = [(await receive_until(socket, "private_message"))["id"] for _ in range(10)]
    assert ids == sorted(ids)
    for each in (socket, *senders):
        await each.disconnect()


@needs_redis
async def test_a_broken_subscription_closes_every_socket_to_resume(alice, bob, lobby):
    sockets = [await open_socket("/ws/chat/lobby/", user=user) for user in (alice, bob)]
    killer = admin()
    for client in await sync_to_async(killer.client_list)(_type="pubsub"):
        if client["name"] == subscriber_name():
            await sync_to_async(killer.client_kill_filter)(_id=client["id"])
    for socket in sockets:
        assert await close_code(socket) == CLOSE_RESUME
    # Once the broker is back, new sockets join and hear each other again.
    await asyncio.sleep(0.5)
    again = [await open_socket("/ws/chat/lobby/", user=user) for user in (alice, bob)]
    await again[0].send_json_to({"message": "back"})
    assert (await receive_until(again[1], "chat_message"))["message"] == "back"
    for socket in again:
        await socket.disconnect()
