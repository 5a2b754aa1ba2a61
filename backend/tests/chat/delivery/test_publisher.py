"""The event loop's PUBLISHes on one connection (chat/delivery/publisher.py), against real Redis."""

import asyncio

import pytest
import redis
import redis.asyncio
from django.conf import settings

from chat.delivery.publisher import BatchPublisher

pytestmark = pytest.mark.services

CHANNEL = "test-publisher"


@pytest.fixture
async def pool():
    pool = redis.asyncio.ConnectionPool.from_url(settings.REDIS_URL, decode_responses=True)
    yield pool
    await pool.aclose()


@pytest.fixture
async def heard(pool):
    """What a subscriber of CHANNEL hears, as a list filled as it arrives."""
    pubsub = redis.asyncio.Redis(connection_pool=pool).pubsub()
    await pubsub.subscribe(CHANNEL)
    await pubsub.get_message(timeout=1)  # the confirmation
    payloads: list[str] = []

    async def listen():
        while True:
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if message is not None:
                payloads.append(message["data"])

    listening = asyncio.ensure_future(listen())
    yield payloads
    listening.cancel()
    await pubsub.aclose()


async def until(condition, timeout: float = 2) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)


def counting_writes(connection) -> list[int]:
    """The number of commands in each write made on ``connection``."""
    writes: list[int] = []
    pack = connection.pack_commands

    def counted(commands):
        commands = list(commands)
        writes.append(len(commands))
        return pack(commands)

    connection.pack_commands = counted
    return writes


async def test_publishes_asked_together_go_in_one_write_in_order(pool, heard):
    connection = await pool.get_connection()
    writes = counting_writes(connection)
    publisher = BatchPublisher(connection)
    await publisher.publish(CHANNEL, "alone")
    await asyncio.gather(*(publisher.publish(CHANNEL, f"m{n}") for n in range(20)))
    await until(lambda: len(heard) == 21)
    assert heard == ["alone", *(f"m{n}" for n in range(20))]
    assert writes == [1, 20]
    publisher.stop()


async def test_a_caller_gone_leaves_the_others_sent(pool, heard):
    publisher = BatchPublisher(await pool.get_connection())
    gone = asyncio.ensure_future(publisher.publish(CHANNEL, "asked, then gone"))
    staying = asyncio.ensure_future(publisher.publish(CHANNEL, "staying"))
    await asyncio.sleep(0)
    gone.cancel()
    await staying
    await until(lambda: "staying" in heard)
    await publisher.publish(CHANNEL, "after")
    await until(lambda: "after" in heard)
    publisher.stop()


async def test_a_connection_closed_under_it_is_replaced_for_the_next_batch(pool, heard):
    connection = await pool.get_connection()
    publisher = BatchPublisher(connection)
    await publisher.publish(CHANNEL, "before")
    # Closed by Redis (as a restart or its idle timeout would): the connection whose last
    # command was this PUBLISH.
    admin = redis.Redis.from_url(settings.REDIS_URL, decode_responses=True)
    killed = [
        admin.client_kill_filter(_id=client["id"])
        for client in admin.client_list(_type="normal")
        if client["cmd"] == "publish"
    ]
    assert killed
    await publisher.publish(CHANNEL, "after")
    await until(lambda: "after" in heard)
    publisher.stop()


async def test_stopped_its_waiting_publishes_fail(pool):
    publisher = BatchPublisher(await pool.get_connection())
    waiting = asyncio.ensure_future(publisher.publish(CHANNEL, "never sent"))
    await asyncio.sleep(0)
    publisher.stop()
    with pytest.raises(redis.ConnectionError):
        await waiting
