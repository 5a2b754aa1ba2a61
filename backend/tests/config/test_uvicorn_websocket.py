"""LeanWebSocketProtocol, served for real by uvicorn on a loopback port in a thread."""

import contextlib
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame
from websockets.sync.client import connect

import config.servers.uvicorn_websocket as lean
from config.servers import ServerOptions
from config.servers.uvicorn import build_config
from config.servers.uvicorn_websocket import LeanWebSocketProtocol, text_frame
from tests.config.launcher import free_port

# Each length form of a frame header (7 bits, 16 bits, 64 bits), an empty text, non-ASCII.
BROADCASTS = ["", "short", "é" * 200, "ü" * 40_000, "x" * 70_000]
RESUME = 4409


def make_app():
    sockets: list = []

    async def app(scope, receive, send) -> None:
        """Accepts; a frame "which?" is answered with the scope's `x-probe` header, "burst N"
        with the texts 0 to N-1 in one turn of the loop, and "broadcast" sends every BROADCASTS
        message, each one object for every socket, then closes them all with 4409."""
        await receive()
        await send({"type": "websocket.accept"})
        headers = dict(scope["headers"])
        sockets.append(send)
        while (event := await receive())["type"] == "websocket.receive":
            if event["text"] == "which?":
                await send({"type": "websocket.send", "text": headers[b"x-probe"].decode()})
            elif event["text"].startswith("burst "):
                for n in range(int(event["text"].split()[1])):
                    await send({"type": "websocket.send", "text": str(n)})
            elif event["text"] == "broadcast":
                for text in BROADCASTS:
                    message = {"type": "websocket.send", "text": text}
                    for each in sockets:
                        await each(message)
                for each in sockets:
                    await each({"type": "websocket.close", "code": RESUME})

    return app


@pytest.fixture
def server() -> Iterator[tuple[uvicorn.Server, int]]:
    port = free_port()
    options = ServerOptions(bind="127.0.0.1", port=port, proxy_headers=False, shutdown_grace=1)
    # Plain uvicorn.Server: off the main thread it leaves the signals alone.
    server = uvicorn.Server(build_config(make_app(), options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    yield server, port
    server.should_exit = True
    thread.join(10)


def test_an_open_socket_keeps_no_handshake_headers_and_its_scope_keeps_them(server):
    uvicorn_server, port = server
    with connect(f"ws://127.0.0.1:{port}/", additional_headers={"X-Probe": "kept"}) as socket:
        socket.send("which?")
        assert socket.recv(timeout=5) == "kept"

        (protocol,) = uvicorn_server.server_state.connections
        assert isinstance(protocol, LeanWebSocketProtocol)
        assert protocol.request is None and protocol.response is None
        # websockets' handshake parser stays suspended for the socket's lifetime, holding the
        # request it parsed: what it holds must no longer carry the headers.
        held = protocol.conn.parser.gi_frame.f_locals["request"]
        assert list(held.headers.raw_items()) == []

        socket.send("which?")
        assert socket.recv(timeout=5) == "kept"


def test_one_message_sent_to_many_sockets_is_framed_once_and_reaches_each_whole(
    server, monkeypatch
):
    framed = []

    class CountedFrame(Frame):
        def serialize(self, **kwargs) -> bytes:
            framed.append(self.data)
            return super().serialize(**kwargs)

    monkeypatch.setattr(lean, "Frame", CountedFrame)
    _, port = server
    url = f"ws://127.0.0.1:{port}/"
    with connect(url, max_size=None) as first, connect(url, max_size=None) as second:
        first.send("broadcast")
        for socket in (first, second):
            assert [socket.recv(timeout=5) for _ in BROADCASTS] == BROADCASTS
            with pytest.raises(ConnectionClosed) as closed:
                socket.recv(timeout=5)
            assert closed.value.rcvd.code == RESUME
    assert framed == [text.encode() for text in BROADCASTS]


def test_a_text_is_framed_once_while_it_is_the_latest():
    text = "the same object for every socket"
    assert text_frame(text) is text_frame(text)
    assert text_frame("") == b"\x81\x00"
    assert text_frame("other") == b"\x81\x05other"


class CountedWrites:
    """A transport that counts its writes."""

    def __init__(self, transport) -> None:
        self.transport = transport
        self.writes = 0

    def write(self, data: bytes) -> None:
        self.writes += 1
        self.transport.write(data)

    def __getattr__(self, name: str):
        return getattr(self.transport, name)


@contextlib.contextmanager
def opened(server) -> Iterator[tuple]:
    """A client socket and the server's protocol for it."""
    uvicorn_server, port = server
    with connect(f"ws://127.0.0.1:{port}/") as socket:
        socket.send("burst 1")  # once answered, the socket is open on the server too
        socket.recv(timeout=5)
        (protocol,) = uvicorn_server.server_state.connections
        yield socket, protocol


def test_the_frames_of_one_loop_turn_go_out_in_a_few_writes_in_order(server):
    with opened(server) as (socket, protocol):
        protocol.transport = counted = CountedWrites(protocol.transport)
        socket.send("burst 200")
        assert [socket.recv(timeout=5) for _ in range(200)] == [str(n) for n in range(200)]
        # Held up to Cork.MOST_FRAMES at a time: 200 frames take 7 writes, not 200.
        assert counted.writes <= 2 * (200 // lean.Cork.MOST_FRAMES + 1)


def test_frames_held_when_the_server_stops_go_out_before_its_1012(server):
    with opened(server) as (socket, protocol):

        def send_then_stop() -> None:
            for n in range(5):
                lean.cork.add(protocol, text_frame(str(n)))
            protocol.shutdown()

        protocol.loop.call_soon_threadsafe(send_then_stop)
        assert [socket.recv(timeout=5) for _ in range(5)] == ["0", "1", "2", "3", "4"]
        with pytest.raises(ConnectionClosed) as closed:
            socket.recv(timeout=5)
        assert closed.value.rcvd.code == 1012
