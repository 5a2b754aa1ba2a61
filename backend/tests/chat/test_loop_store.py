"""Room messages stored from the event loop: the same rows, numbers and refusals as the thread
path (chat/store.py), which takes over where the loop's cannot settle a message."""

import asyncio

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.test import override_settings

from chat import loop_store
from chat.models import Message, Room

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.services]


async def insert(room, user, content="hi", client_id=None):
    return await loop_store.room_message_insert(
        room=room, user=user, content=content, client_id=client_id
    )


async def test_a_message_is_stored_as_its_rooms_next(alice, lobby):
    first, second = await insert(lobby, alice, "one"), await insert(lobby, alice, "two")
    assert (first.seq, second.seq) == (1, 2)
    stored = await sync_to_async(list)(Message.objects.filter(room=lobby).order_by("seq"))
    assert [(m.id, m.seq, m.content, m.user_id) for m in stored] == [
        (first.id, 1, "one", alice.pk),
        (second.id, 2, "two", alice.pk),
    ]
    assert stored[0].created_at == first.created_at
    assert (await sync_to_async(Room.objects.get)(pk=lobby.pk)).last_seq == 2


async def test_concurrent_senders_get_every_number_once_in_id_order(alice, bob, lobby):
    sent = await asyncio.gather(*(insert(lobby, (alice, bob)[n % 2], f"m{n}") for n in range(40)))
    assert sorted(message.seq for message in sent) == list(range(1, 41))
    by_seq = sorted(sent, key=lambda message: message.seq)
    assert [message.id for message in by_seq] == sorted(message.id for message in sent)


async def test_a_reused_client_id_is_left_to_the_thread_path(alice, lobby):
    first = await insert(lobby, alice, "once", client_id="c1")
    assert await insert(lobby, alice, "twice", client_id="c1") is None
    assert await sync_to_async(Message.objects.filter(room=lobby).count)() == 1
    # The refused insert took no number: the next message is the next one.
    assert (await insert(lobby, alice, "next")).seq == first.seq + 1


async def test_refusals_are_left_to_the_thread_path(alice, sam, staff_room, lobby):
    assert await insert(staff_room, alice) is None  # staff only
    alice.is_active = False
    await sync_to_async(alice.save)()
    assert await insert(lobby, alice) is None
    gone = Room(pk=lobby.pk + 1000, name="gone")
    assert await insert(gone, sam) is None
    assert await sync_to_async(Message.objects.count)() == 0
    assert (await insert(staff_room, sam)).seq == 1


def loop_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s",
            [loop_store.APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


async def test_the_loop_holds_at_most_its_connections(alice, lobby):
    assert await sync_to_async(loop_sessions)() == 0
    await asyncio.gather(*(insert(lobby, alice, f"m{n}") for n in range(50)))
    opened = await sync_to_async(loop_sessions)()
    assert 1 <= opened <= settings.CHAT["LOOP_DATABASE_CONNECTIONS"]


def end_loop_sessions() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [loop_store.APPLICATION_NAME],
        )


async def test_a_connection_that_died_fails_one_message_and_is_replaced(alice, lobby):
    await insert(lobby, alice, "before")
    await sync_to_async(end_loop_sessions)()  # as a database restart does
    failed = 0
    while True:
        try:
            await insert(lobby, alice, "after")
            break
        except psycopg.OperationalError:
            failed += 1  # each dead connection once
            assert failed <= settings.CHAT["LOOP_DATABASE_CONNECTIONS"]
    assert failed >= 1  # the test did kill them
    stored = Message.objects.filter(room=lobby).order_by("seq").values_list("seq", "content")
    assert await sync_to_async(list)(stored) == [(1, "before"), (2, "after")]


def test_only_on_postgresql_with_connections_to_spare():
    assert loop_store.enabled()
    with override_settings(CHAT={**settings.CHAT, "LOOP_DATABASE_CONNECTIONS": 0}):
        assert not loop_store.enabled()
