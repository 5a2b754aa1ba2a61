"""Sending a room message: stored and published from the event loop on PostgreSQL, and in the
service threads where the loop's way cannot settle it (a refusal, a resend) or elsewhere."""

import pytest

from chat import loop_store, messages
from chat.errors import EmptyMessage, Forbidden
from chat.messages import room_message_send
from chat.models import Message
from tests.conftest import open_socket, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def no_threads(monkeypatch):
    async def thread_path(**kwargs):
        raise AssertionError("took the service threads")

    monkeypatch.setattr(messages, "_message_send_in_thread", thread_path)


@pytest.mark.services
async def test_a_new_message_is_stored_and_broadcast_from_the_loop(alice, bob, lobby, monkeypatch):
    listener = await open_socket("/ws/chat/lobby/", user=bob)
    no_threads(monkeypatch)
    message, created = await room_message_send(user=alice, room=lobby, text=" hi ", client_id="c1")
    assert created and (message.seq, message.content) == (1, "hi")
    event = await receive_until(listener, "chat_message")
    assert (event["id"], event["message"], event["client_id"]) == (message.id, "hi", "c1")
    await listener.disconnect()


@pytest.mark.services
async def test_bad_text_is_refused_before_anything_is_stored(alice, lobby, monkeypatch):
    no_threads(monkeypatch)
    with pytest.raises(EmptyMessage):
        await room_message_send(user=alice, room=lobby, text="   ")
    assert await Message.objects.acount() == 0


async def test_a_resend_answers_with_the_stored_message(alice, lobby):
    first, created = await room_message_send(user=alice, room=lobby, text="once", client_id="c")
    again, created_again = await room_message_send(
        user=alice, room=lobby, text="once", client_id="c"
    )
    assert created and not created_again
    assert again.id == first.id
    assert await Message.objects.acount() == 1


async def test_a_refusal_is_raised_as_the_thread_path_tells_it(alice, staff_room):
    with pytest.raises(Forbidden):
        await room_message_send(user=alice, room=staff_room, text="let me in")
    assert await Message.objects.acount() == 0


async def test_without_loop_connections_the_threads_store_it(alice, lobby, settings, monkeypatch):
    settings.CHAT = {**settings.CHAT, "LOOP_DATABASE_CONNECTIONS": 0}

    async def loop_path(**kwargs):
        raise AssertionError("took the loop's connections")

    monkeypatch.setattr(loop_store, "room_message_insert", loop_path)
    message, created = await room_message_send(user=alice, room=lobby, text="threaded")
    assert created and message.seq == 1
    assert await Message.objects.filter(pk=message.pk, content="threaded").aexists()


@pytest.mark.services
async def test_without_redis_the_loop_publishes_in_the_process(
    alice, bob, lobby, settings, monkeypatch
):
    settings.REDIS_URL = ""  # one process: the memory broker (read when first used)
    listener = await open_socket("/ws/chat/lobby/", user=bob)
    no_threads(monkeypatch)
    message, _ = await room_message_send(user=alice, room=lobby, text="local")
    event = await receive_until(listener, "chat_message")
    assert (event["id"], event["message"]) == (message.id, "local")
    await listener.disconnect()
