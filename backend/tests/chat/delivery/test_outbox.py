"""The outbox against a stand-in for the server's ASGI send, which waits while the client is not
reading (as uvicorn's does, and daphne's under config.server)."""

import asyncio

import pytest

from chat.delivery.outbox import Outbox, close_message, text_message
from chat.protocol import CLOSE_RESUME


class Server:
    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.reading = asyncio.Event()
        self.reading.set()
        self.disconnected = False

    async def send(self, message: dict) -> None:
        await self.reading.wait()
        if self.disconnected:
            raise OSError("the client disconnected")
        self.sent.append(message)

    def texts(self) -> list[str]:
        return [message.get("text", f"close {message.get('code')}") for message in self.sent]


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_frame_goes_out_at_once_while_the_client_keeps_up():
    server = Server()
    outbox = Outbox(server.send, limit=10)
    outbox.put(text_message("a"))
    # No await in between: the send completed inside put().
    assert server.texts() == ["a"]
    assert outbox.backlog == 0


async def test_frames_queue_in_order_behind_a_send_that_waits():
    server = Server()
    server.reading.clear()
    outbox = Outbox(server.send, limit=10)
    for text in "abc":
        outbox.put(text_message(text))
    assert server.texts() == []
    assert outbox.backlog == 2
    server.reading.set()
    await settle()
    assert server.texts() == ["a", "b", "c"]
    assert outbox.backlog == 0
    outbox.put(text_message("d"))
    assert server.texts() == ["a", "b", "c", "d"]


async def test_a_socket_that_falls_too_far_behind_is_closed_to_resume():
    server = Server()
    server.reading.clear()
    outbox = Outbox(server.send, limit=3)
    for text in "abcde":
        outbox.put(text_message(text))
    assert outbox.closed
    outbox.put(text_message("f"))
    server.reading.set()
    await settle()
    # What was already being written finishes; the queue behind it is dropped for the close.
    assert server.texts() == ["a", f"close {CLOSE_RESUME}"]
    assert server.sent[-1]["reason"]


async def test_a_close_follows_the_frames_before_it_and_nothing_after():
    server = Server()
    server.reading.clear()
    outbox = Outbox(server.send, limit=10)
    outbox.put(text_message("a"))
    outbox.put(text_message("b"))
    outbox.close(4403, "no longer allowed")
    outbox.put(text_message("c"))
    server.reading.set()
    await settle()
    assert server.sent == [
        text_message("a"),
        text_message("b"),
        close_message(4403, "no longer allowed"),
    ]


@pytest.mark.parametrize("while_waiting", [False, True], ids=["at once", "while waiting"])
async def test_a_gone_socket_drops_its_frames_without_raising(while_waiting):
    server = Server()
    outbox = Outbox(server.send, limit=10)
    if while_waiting:
        server.reading.clear()
        outbox.put(text_message("a"))
    server.disconnected = True
    server.reading.set()
    outbox.put(text_message("b"))
    await settle()
    assert outbox.closed
    outbox.put(text_message("c"))
    assert server.sent == []
