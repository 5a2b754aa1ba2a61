"""The launcher (`python -m config.server`), run for real as a subprocess on a loopback port.

These tests need no Django test database: the launcher gets its own temporary SQLite file, which
`manage.py migrate` prepares, and everything goes over HTTP and a real WebSocket.
"""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

BACKEND_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launcher_env(tmp_path: Path, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="false",
        SECRET_KEY="launcher-test-secret-key-launcher-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        PORT=str(port),
        SHUTDOWN_GRACE="5",
        LOGIN_RATE="1000/min",
    )
    return env


def call(port: int, method: str, path: str, body=None, token: str | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read() or b"{}")


def wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the launcher exited while starting"
        try:
            call(port, "GET", "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the launcher did not answer /healthz within 30 s")


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    """One migrated SQLite file for the module; each test serves a copy of it."""
    directory = tmp_path_factory.mktemp("launcher-db")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=BACKEND_DIR,
        env=launcher_env(directory, free_port()),
        check=True,
    )
    return directory / "db.sqlite3"


@pytest.fixture
def launcher(tmp_path, migrated_db):
    """The launcher serving a fresh copy of the migrated database; killed if a test leaves it up."""
    port = free_port()
    shutil.copyfile(migrated_db, tmp_path / "db.sqlite3")
    process = subprocess.Popen(
        [sys.executable, "-m", "config.server"],
        cwd=BACKEND_DIR,
        env=launcher_env(tmp_path, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_serving(process, port)
        yield process, port
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def room_socket_url(port: int) -> str:
    """Signs alice up, creates the room and returns a ticketed socket URL for it."""
    call(port, "POST", "/api/auth/register/", {"username": "alice", "password": PASSWORD})
    access = call(port, "POST", "/api/auth/token/", {"username": "alice", "password": PASSWORD})[
        "access"
    ]
    call(port, "POST", "/api/rooms/", {"name": "lobby"}, token=access)
    ticket = call(port, "POST", "/api/auth/ws-ticket/", token=access)["ticket"]
    return f"ws://127.0.0.1:{port}/ws/chat/lobby/?ticket={ticket}"


@contextlib.contextmanager
def open_room_socket(port: int):
    with connect(room_socket_url(port), open_timeout=5) as socket_:
        assert json.loads(socket_.recv(timeout=5))["type"] == "user_list"
        yield socket_


def test_sigterm_closes_sockets_with_1012_and_exits_0_promptly(launcher):
    process, port = launcher
    with open_room_socket(port) as alice:
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                alice.recv(timeout=5)
        assert closed.value.rcvd is not None, "the server sent no close frame"
        assert closed.value.rcvd.code == 1012
    assert process.wait(timeout=10) == 0
    # The drain ends as soon as the socket's close handshake and disconnect handler are done,
    # well inside SHUTDOWN_GRACE (5 s).
    assert time.monotonic() - started < 4


def test_sigterm_stops_listening_before_the_process_exits(launcher):
    process, port = launcher
    with open_room_socket(port):
        process.send_signal(signal.SIGTERM)
        # The socket above keeps the drain going for a moment; new connections must already be
        # refused, so that nginx sends them to another replica.
        deadline = time.monotonic() + 3
        refused = False
        while time.monotonic() < deadline and not refused:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                time.sleep(0.02)
            except ConnectionRefusedError:
                refused = True
        assert refused
    assert process.wait(timeout=10) == 0


def test_the_access_log_has_no_query_strings(launcher):
    process, port = launcher
    with open_room_socket(port):
        pass
    call(port, "GET", "/healthz?token=secret-in-url")
    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=10)[0].decode()
    assert "WSCONNECT /ws/chat/lobby/" in output
    assert "GET /healthz" in output
    assert "ticket=" not in output
    assert "secret-in-url" not in output
