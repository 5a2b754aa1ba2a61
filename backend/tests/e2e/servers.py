"""Real server processes (uvicorn or daphne) for end-to-end tests, each on a free loopback port,
and what they need: a scratch database, users by the hundred, a Redis of their own."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from django.conf import settings

BACKEND_DIR = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def scratch_database(tmp_path: Path):
    """A migrated database of its own: SQLite when embedded, PostgreSQL with the services."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
        migrate(url)
        yield url
        return
    server = urlsplit(os.environ["DATABASE_URL"])
    name = f"chat_e2e_{uuid.uuid4().hex[:10]}"
    admin_url = urlunsplit(server._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(server._replace(path=f"/{name}"))
    try:
        migrate(url)
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def migrate(database_url: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BACKEND_DIR,
        env=server_env(database_url),
        check=True,
    )


def server_env(database_url: str, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env |= {"DATABASE_URL": database_url, "DEBUG": "true", "LOGIN_RATE": "1000/min"}
    if settings.REDIS_URL:
        env["REDIS_URL"] = settings.REDIS_URL
    return env | extra


_SEED = """
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from rest_framework_simplejwt.tokens import AccessToken
User = get_user_model()
users = User.objects.bulk_create(User(username=name, password="!") for name in sys.argv[1:])
print(json.dumps({user.username: str(AccessToken.for_user(user)) for user in users}))
"""


def seed_users(database_url: str, names: list[str]) -> dict[str, str]:
    """Creates users straight in the database (sign-up hashes passwords: far too slow by the
    hundred) and returns an access token for each."""
    done = subprocess.run(
        [sys.executable, "-c", _SEED, *names],
        cwd=BACKEND_DIR,
        env=server_env(database_url, DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


class RedisProcess:
    """A redis-server of the test's own, which it may stop and start again under live sockets."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.log = log_dir / f"redis-{self.port}.log"
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--logfile", str(self.log)]
        self.process = subprocess.Popen(command)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


class Server:
    """One backend process started the way production starts it (python -m config.server)."""

    def __init__(self, database_url: str, log_dir: Path, **env: str) -> None:
        self.kind = env.get("ASGI_SERVER", "uvicorn")
        self.database_url = database_url
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        self.log = log_dir / f"server-{self.port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "config.server"],
                cwd=BACKEND_DIR,
                env=server_env(database_url, PORT=str(self.port), **env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"the server exited with {code}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"the server did not become ready:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback (most recent call last)")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()

    def post(self, path: str, body: dict, token: str | None = None) -> dict:
        headers = {"content-type": "application/json"}
        if token:
            headers["authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.base + path, data=json.dumps(body).encode(), headers=headers
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def get(self, path: str) -> dict:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.loads(response.read())

    def sign_up(self, username: str, password: str = "correct horse battery staple") -> str:
        """Registers and logs in; returns an access token."""
        self.post("/api/auth/register/", {"username": username, "password": password})
        return self.post("/api/auth/token/", {"username": username, "password": password})["access"]

    def ticket(self, access: str) -> str:
        return self.post("/api/auth/ws-ticket/", {}, access)["ticket"]
