"""LeanWebSocketProtocol, served for real by uvicorn on a loopback port in a thread."""

import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from websockets.sync.client import connect

from config.servers import ServerOptions
from config.servers.uvicorn import LeanWebSocketProtocol, build_config
from tests.config.launcher import free_port


async def header_echo_app(scope, receive, send) -> None:
    """Accepts, then answers each frame with the scope's `x-probe` header."""
    await receive()
    await send({"type": "websocket.accept"})
    headers = dict(scope["headers"])
    while (await receive())["type"] == "websocket.receive":
        await send({"type": "websocket.send", "text": headers[b"x-probe"].decode()})


@pytest.fixture
def server() -> Iterator[tuple[uvicorn.Server, int]]:
    port = free_port()
    options = ServerOptions(bind="127.0.0.1", port=port, proxy_headers=False, shutdown_grace=1)
    # Plain uvicorn.Server: off the main thread it leaves the signals alone.
    server = uvicorn.Server(build_config(header_echo_app, options))
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

        socket.send("still?")
        assert socket.recv(timeout=5) == "kept"
