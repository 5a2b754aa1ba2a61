"""Backpressure: with either server, `await send()` on a WebSocket waits while the client is not
reading, so the process does not buffer what it cannot deliver.

The launcher serves tests/config/flood_app.py, which sends 64 KiB frames as fast as `await
send()` returns (256 MiB if nothing held it back) and answers any HTTP request with its count.
The client is a raw socket that completes the handshake and then reads nothing.
"""

import contextlib
import signal
import socket
import time

import pytest

from tests.config.flood_app import FRAME
from tests.config.launcher import (
    FLOOD_APP,
    SERVERS,
    free_port,
    get,
    launcher_env,
    rss_bytes,
    serving,
)

MiB = 1024 * 1024
HANDSHAKE = (
    "GET /flood HTTP/1.1\r\n"
    "Host: 127.0.0.1:{port}\r\n"
    "Upgrade: websocket\r\n"
    "Connection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n"
    "\r\n"
)


def frames_sent(port: int) -> int:
    return int(get(port, "/").split()[2])


def frames_once_settled(port: int) -> int:
    """The flood app's count once it has stopped growing for a second."""
    deadline = time.monotonic() + 30
    count, since = frames_sent(port), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        latest = frames_sent(port)
        if latest != count:
            count, since = latest, time.monotonic()
        elif time.monotonic() - since >= 1:
            return count
    raise AssertionError(f"the sends never stopped (at {count} frames after 30 s)")


@contextlib.contextmanager
def idle_client(port: int):
    """A WebSocket to the flood app whose client reads nothing past the handshake."""
    client = socket.socket()
    # Before connecting, so that the receive window stays small: what the server cannot send
    # stays in the server.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 16 * 1024)
    client.settimeout(10)
    with client:
        client.connect(("127.0.0.1", port))
        client.sendall(HANDSHAKE.format(port=port).encode())
        response = b""
        while not response.endswith(b"\r\n\r\n"):
            response += client.recv(1)
        assert response.startswith(b"HTTP/1.1 101 ")
        yield client


def read(client: socket.socket, size: int) -> None:
    while size > 0:
        chunk = client.recv(min(size, MiB))
        assert chunk, "the server closed the socket"
        size -= len(chunk)


@pytest.mark.parametrize("server", SERVERS)
def test_sends_wait_for_a_client_that_does_not_read_and_resume_when_it_does(tmp_path, server):
    with serving(launcher_env(tmp_path, free_port(), server), FLOOD_APP) as launched:
        port, pid = launched.port, launched.process.pid
        before = rss_bytes(pid)
        with idle_client(port) as client:
            stalled = frames_once_settled(port)
            # The kernel's socket buffers take a few MiB; the rest must wait in the app.
            assert stalled * len(FRAME) < 32 * MiB
            assert rss_bytes(pid) - before < 20 * MiB
            # Reading more than was sent by the stall proves the sends went on.
            read(client, (stalled + 64) * len(FRAME))
            assert frames_sent(port) >= stalled + 64
            assert rss_bytes(pid) - before < 20 * MiB
        launched.process.send_signal(signal.SIGTERM)
        assert launched.process.wait(timeout=10) == 0


@pytest.mark.parametrize("server", SERVERS)
def test_a_client_that_does_not_read_does_not_hold_up_the_shutdown(tmp_path, server):
    env = launcher_env(tmp_path, free_port(), server, SHUTDOWN_GRACE="2")
    with serving(env, FLOOD_APP) as launched, idle_client(launched.port):
        frames_once_settled(launched.port)
        started = time.monotonic()
        launched.process.send_signal(signal.SIGTERM)
        # The close frame waits behind data the client never reads: the close handshake's
        # timeout (daphne) or the grace period (uvicorn) ends it.
        assert launched.process.wait(timeout=15) == 0
        assert time.monotonic() - started < 2 + 3


@pytest.mark.parametrize("server", SERVERS)
def test_a_send_waiting_for_a_client_that_leaves_returns(tmp_path, server):
    env = launcher_env(tmp_path, free_port(), server, SHUTDOWN_GRACE="30")
    with serving(env, FLOOD_APP) as launched:
        with idle_client(launched.port):
            frames_once_settled(launched.port)
        # The app's send was waiting for room when the client went; were it waiting still, the
        # drain would wait for the app until the grace period (30 s) is over.
        launched.process.send_signal(signal.SIGTERM)
        assert launched.process.wait(timeout=10) == 0
