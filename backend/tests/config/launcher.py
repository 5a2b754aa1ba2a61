"""Helpers to run the launcher (`python -m config.server`) for real, as a subprocess."""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[2]
SERVERS = ("uvicorn", "daphne")
# Served instead of config.asgi:application by the tests that need no Django.
FLOOD_APP = "tests.config.flood_app:application"


@dataclass
class Launched:
    process: subprocess.Popen
    port: int
    server: str

    def output(self) -> str:
        """Everything the process wrote, once it has exited (or been killed)."""
        return self.process.communicate(timeout=10)[0].decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launcher_env(tmp_path: Path, port: int, server: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        DEBUG="false",
        SECRET_KEY="launcher-test-secret-key-launcher-test-secret-key",
        ALLOWED_HOSTS="127.0.0.1",
        ASGI_SERVER=server,
        PORT=str(port),
        SHUTDOWN_GRACE="5",
        LOGIN_RATE="1000/min",
    )
    return env | extra


def start(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "config.server", *args],
        cwd=BACKEND_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def get(port: int, path: str) -> bytes:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
        return response.read()


def wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, "the launcher exited while starting"
        try:
            get(port, "/healthz")
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the launcher did not answer /healthz within 30 s")


@contextlib.contextmanager
def serving(env: dict, *args: str) -> Iterator[Launched]:
    """The launcher, up and answering; killed if the test leaves it running."""
    port = int(env["PORT"])
    process = start(env, *args)
    try:
        wait_until_serving(process, port)
        yield Launched(process, port, env.get("ASGI_SERVER", "default"))
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def rss_bytes(pid: int) -> int:
    """The process's resident set size, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")
