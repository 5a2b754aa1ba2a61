"""The launcher (`python -m config.server`), run for real as a subprocess on a loopback port.

Every test runs once with each server (ASGI_SERVER=uvicorn and daphne). These need no Django test
database: the launcher gets its own temporary SQLite file, which `manage.py migrate` prepares,
and everything goes over HTTP and a real WebSocket.
"""

import concurrent.futures
import contextlib
import gc
import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from config.server import YOUNG_COLLECTION_ALLOCATIONS, tune_garbage_collector
from tests.config.launcher import (
    BACKEND_DIR,
    FLOOD_APP,
    SERVERS,
    free_port,
    get,
    launcher_env,
    serving,
    start,
)

PASSWORD = "correct horse battery staple"


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


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    """One migrated SQLite file for the module; each test serves a copy of it."""
    directory = tmp_path_factory.mktemp("launcher-db")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=BACKEND_DIR,
        env=launcher_env(directory, free_port(), "uvicorn"),
        check=True,
    )
    return directory / "db.sqlite3"


@pytest.fixture(params=SERVERS)
def launcher(request, tmp_path, migrated_db):
    """The launcher serving the chat app on a fresh copy of the migrated database."""
    shutil.copyfile(migrated_db, tmp_path / "db.sqlite3")
    with serving(launcher_env(tmp_path, free_port(), request.param)) as launched:
        yield launched


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
    with open_room_socket(launcher.port) as alice:
        started = time.monotonic()
        launcher.process.send_signal(signal.SIGTERM)
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                alice.recv(timeout=5)
        assert closed.value.rcvd is not None, "the server sent no close frame"
        assert closed.value.rcvd.code == 1012
    assert launcher.process.wait(timeout=10) == 0
    # The drain ends as soon as the socket's close handshake and disconnect handler are done,
    # well inside SHUTDOWN_GRACE (5 s).
    assert time.monotonic() - started < 4


def test_sigterm_stops_listening_before_the_process_exits(launcher):
    with open_room_socket(launcher.port):
        launcher.process.send_signal(signal.SIGTERM)
        # The socket above keeps the drain going for a moment; new connections must already be
        # refused, so that nginx sends them to another replica.
        assert refused_within(launcher.port, 3)
    assert launcher.process.wait(timeout=10) == 0


def refused_within(port: int, seconds: float) -> bool:
    """Whether new connections to the port are refused within that many seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            time.sleep(0.02)
        except ConnectionRefusedError:
            return True
    return False


# What each server writes for an HTTP request, an accepted socket and a refused handshake.
ACCESS_LINES = {
    "uvicorn": [
        '"GET /healthz HTTP/1.1" 200',
        '"WebSocket /ws/chat/lobby/" [accepted]',
        '"WebSocket /ws/chat/lobby/" 403',
    ],
    "daphne": ['"GET /healthz" 200', '"WSCONNECT /ws/chat/lobby/"', '"WSREJECT /ws/chat/lobby/"'],
}


def test_the_access_log_has_no_query_strings(launcher):
    port = launcher.port
    with open_room_socket(port):
        pass
    # A page on another origin: refused during the handshake, which logs its own line.
    refused_url = f"ws://127.0.0.1:{port}/ws/chat/lobby/?ticket=refused-ticket"
    with pytest.raises(InvalidStatus):
        connect(refused_url, origin="http://elsewhere.example", open_timeout=5)
    call(port, "GET", "/healthz?token=secret-in-url")
    launcher.process.send_signal(signal.SIGTERM)
    output = launcher.output()
    for line in ACCESS_LINES[launcher.server]:
        assert line in output
    assert "ticket=" not in output
    assert "secret-in-url" not in output


def test_an_unknown_server_stops_start_up_with_a_clear_message(tmp_path):
    process = start(launcher_env(tmp_path, free_port(), "gunicorn"), FLOOD_APP)
    output = process.communicate(timeout=30)[0].decode()
    assert process.returncode != 0
    assert "ImproperlyConfigured: ASGI_SERVER must be uvicorn or daphne, not 'gunicorn'." in output


@pytest.mark.parametrize(
    ("asgi_server", "server_header"),
    [("uvicorn", "uvicorn"), ("daphne", "daphne"), (None, "uvicorn")],
    ids=["uvicorn", "daphne", "unset"],
)
def test_asgi_server_picks_the_server_and_uvicorn_is_the_default(
    tmp_path, asgi_server, server_header
):
    env = launcher_env(tmp_path, free_port(), asgi_server or "")
    if asgi_server is None:
        del env["ASGI_SERVER"]
    with serving(env, FLOOD_APP) as launched:
        url = f"http://127.0.0.1:{launched.port}/"
        with urllib.request.urlopen(url, timeout=5) as response:
            assert response.headers["Server"] == server_header


@pytest.mark.parametrize("server", SERVERS)
def test_a_port_already_taken_exits_non_zero(tmp_path, server):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start(launcher_env(tmp_path, port, server), FLOOD_APP)
        process.communicate(timeout=30)
    assert process.returncode != 0


@pytest.mark.parametrize("server", SERVERS)
def test_the_argument_names_the_application_to_serve(tmp_path, server):
    with serving(launcher_env(tmp_path, free_port(), server), FLOOD_APP) as launched:
        assert get(launched.port, "/api/rooms/").startswith(b"flood app: ")
        launched.process.send_signal(signal.SIGTERM)
        assert launched.process.wait(timeout=10) == 0


def request_in_flight(port: int, seconds: float) -> concurrent.futures.Future:
    """GET /slow on the flood app from another thread; the server answers after `seconds`."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    future = pool.submit(get, port, f"/slow?seconds={seconds}")
    pool.shutdown(wait=False)
    deadline = time.monotonic() + 10
    while not get(port, "/").endswith(b" 1 requests sleeping"):
        assert time.monotonic() < deadline, "the slow request never reached the app"
        time.sleep(0.05)
    return future


@pytest.mark.parametrize("server", SERVERS)
def test_sigterm_lets_a_request_in_flight_finish(tmp_path, server):
    with serving(launcher_env(tmp_path, free_port(), server), FLOOD_APP) as launched:
        response = request_in_flight(launched.port, 1)
        launched.process.send_signal(signal.SIGTERM)
        assert response.result(timeout=10).startswith(b"flood app: ")
        assert launched.process.wait(timeout=10) == 0


@pytest.mark.parametrize("server", SERVERS)
def test_a_second_signal_stops_without_waiting(tmp_path, server):
    env = launcher_env(tmp_path, free_port(), server, SHUTDOWN_GRACE="60")
    with serving(env, FLOOD_APP) as launched:
        response = request_in_flight(launched.port, 60)
        launched.process.send_signal(signal.SIGTERM)
        assert refused_within(launched.port, 3), "the drain did not start"
        launched.process.send_signal(signal.SIGTERM)
        # Far sooner than the request (60 s) or the grace period (60 s) would end.
        assert launched.process.wait(timeout=10) == 0
        with pytest.raises(OSError):
            response.result(timeout=10)


@pytest.mark.parametrize("server", SERVERS)
@pytest.mark.parametrize(
    ("proxy_headers", "seen"),
    [("false", "client=127.0.0.1 scheme=http"), ("true", "client=203.0.113.7 scheme=https")],
)
def test_proxy_headers_decide_whether_x_forwarded_for_is_believed(
    tmp_path, server, proxy_headers, seen
):
    env = launcher_env(tmp_path, free_port(), server, PROXY_HEADERS=proxy_headers)
    with serving(env, FLOOD_APP) as launched:
        request = urllib.request.Request(
            f"http://127.0.0.1:{launched.port}/scope",
            headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"},
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.read().decode() == seen


def test_the_garbage_collector_freezes_start_up_and_keeps_middle_collections_small():
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        young, middle, _ = gc.get_threshold()
        assert gc.get_freeze_count() > 0
        assert young == YOUNG_COLLECTION_ALLOCATIONS
        # A middle collection scans what the young ones kept since the last: a few of them at
        # most, or a join storm pauses for tens of milliseconds (docs/performance.md).
        assert middle <= 3
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
