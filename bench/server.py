"""The processes under test and around them: redis-server, a scratch database, chat servers.

Every process is a child of the bench, logs to a file, and is stopped with SIGTERM, then SIGKILL
after a timeout, so a wedged server can never keep the scratch database from being dropped.
CPU and memory come from /proc, summed over the process and any children it started.
"""

import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench import rest
from bench.bare_app import APP_NAME as BARE_APP_NAME

REPO_DIR = Path(__file__).resolve().parents[1]
BACKEND_DIR = REPO_DIR / "backend"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# What every bench server gets: production settings, limits raised so the bench measures
# delivery, not our own throttles, and tokens that outlive the longest run.
BENCH_SETTINGS = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "LOG_LEVEL": "WARNING",
    "WS_RATE": "100000",
    "WS_BURST": "100000",
    "WS_SOCKETS_PER_USER": "100000",
    "WS_SOCKETS_PER_ADDRESS": "100000",
    "LOGIN_RATE": "100000/min",
    "API_RATE": "1000000/min",
    "ACCESS_TOKEN_LIFETIME": "86400",
}
# Only these pass from the bench's own environment: a CHANNEL_CAPACITY or DATABASE_URL left in
# an operator's shell must not quietly change what is measured (use --server-env for that).
INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ")
BARE_APP = "bench.bare_app:app"
STOP_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# /proc readings -----------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """The process and its live descendants (this kernel has no /proc/PID/task/TID/children)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int(_stat_fields(int(entry.name))[1])
            except (OSError, IndexError, ValueError):
                continue
            parents.setdefault(ppid, []).append(int(entry.name))
    tree, index = [pid], 0
    while index < len(tree):
        tree.extend(parents.get(tree[index], []))
        index += 1
    return tree


def _stat_fields(pid: int) -> list[str]:
    """Fields of /proc/PID/stat after the command name (which may hold spaces): state first."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """utime + stime of every thread of one process (fields 14 and 15 of /proc/PID/stat)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def tree_total(pid: int, reading: Callable[[int], float]) -> float:
    total = 0.0
    for member in process_tree(pid):
        # OSError: it exited between the listing and the reading.
        with contextlib.suppress(OSError):
            total += reading(member)
    return total


# Processes ----------------------------------------------------------------------------------


class ChildProcess:
    """A child with its output in a log file; stop() always leaves it dead."""

    def __init__(self, argv: list[str], *, cwd: Path, env: dict, log_path: Path) -> None:
        self.argv = argv
        self.log_path = log_path
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        if self.running():
            self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=timeout)

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


class RedisServer:
    """A private redis-server on a free port, so a run never touches the shared one."""

    def __init__(self, log_dir: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        self.child = ChildProcess(argv, cwd=log_dir, env=base_env(), log_path=log_dir / "redis.log")
        self._wait_ready()

    def command(self, *words: str) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall(_resp(words))
            return conn.recv(1024)

    def flush(self) -> None:
        """Between scenarios, so the last servers' presence and groups cannot leak into the next."""
        self.command("FLUSHALL")

    def stop(self) -> None:
        self.child.stop()

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.child.running():
                break
            try:
                if self.command("PING").startswith(b"+PONG"):
                    return
            except OSError:
                time.sleep(0.05)
        self.child.stop()
        raise RuntimeError(f"redis-server did not start:\n{self.child.log_tail()}")


def _resp(words: tuple[str, ...]) -> bytes:
    parts = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class ScratchDatabase:
    """A PostgreSQL database of the run's own, dropped WITH (FORCE) however the run ends."""

    def __init__(self, admin_url: str) -> None:
        parts = urlsplit(admin_url)
        self.admin_url = admin_url
        self.name = f"chat_bench_{uuid.uuid4().hex[:10]}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with psycopg.connect(self.admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def base_env() -> dict[str, str]:
    return {name: os.environ[name] for name in INHERITED if name in os.environ}


@dataclass(frozen=True)
class ServerConfig:
    """What every server process of one run shares."""

    kind: str  # "daphne" or "uvicorn": passed as ASGI_SERVER
    database_url: str
    redis_url: str
    secret_key: str
    log_dir: Path
    backend_dir: Path = BACKEND_DIR
    extra_env: tuple[tuple[str, str], ...] = ()

    @classmethod
    def new(
        cls,
        kind: str,
        database_url: str,
        redis_url: str,
        log_dir: Path,
        *,
        backend_dir: Path = BACKEND_DIR,
        extra_env: dict[str, str] | None = None,
    ) -> "ServerConfig":
        """A fresh SECRET_KEY for every run: its tokens are good for its scratch database only."""
        secret = secrets.token_urlsafe(40)
        extra = tuple((extra_env or {}).items())
        return cls(kind, database_url, redis_url, secret, log_dir, backend_dir, extra)

    @property
    def python(self) -> str:
        """The backend's own venv when it has one (another tree may pin other packages), else
        the bench's."""
        own = self.backend_dir / ".venv" / "bin" / "python"
        return str(own) if own.exists() else sys.executable

    def env(self, **more: str) -> dict[str, str]:
        """The environment production would give the server, plus the bench's raised limits."""
        pythonpath = os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")]))
        return (
            base_env()
            | BENCH_SETTINGS
            | {
                "SECRET_KEY": self.secret_key,
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "ASGI_SERVER": self.kind,
                # So that `bench.bare_app` imports in the server and `bench.seed` in Django.
                "PYTHONPATH": pythonpath,
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
            | dict(self.extra_env)
            | more
        )


def run_django(config: ServerConfig, argv: list[str]) -> None:
    """Runs a Django command (migrate, the seed) with the server's own environment."""
    result = subprocess.run(
        [config.python, *argv],
        cwd=config.backend_dir,
        env=config.env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class LogFindings:
    tracebacks: int
    error_lines: int
    # The exceptions the tracebacks ended with, most frequent first: what went wrong, at a glance.
    exceptions: list[tuple[str, int]]
    excerpt: list[str]

    def as_dict(self) -> dict:
        return {
            "tracebacks": self.tracebacks,
            "error_lines": self.error_lines,
            "exceptions": self.exceptions,
            "excerpt": self.excerpt,
        }


ERROR_LINE = re.compile(r"\bERROR\b")
TRACEBACK = "Traceback (most recent call last)"


def log_findings(paths: list[Path], excerpt_lines: int = 25) -> LogFindings:
    """Tracebacks and ERROR lines in server logs, with the first of them for the report."""
    tracebacks = errors = 0
    exceptions: Counter = Counter()
    excerpt: list[str] = []
    for path in paths:
        lines = path.read_text(errors="replace").splitlines() if path.exists() else []
        for number, line in enumerate(lines):
            is_traceback = TRACEBACK in line
            is_error = bool(ERROR_LINE.search(line))
            tracebacks += is_traceback
            errors += is_error
            if is_traceback:
                exceptions[_exception_after(lines, number)] += 1
            if (is_traceback or is_error) and not excerpt:
                excerpt = [f"{path.name}:"] + lines[max(0, number - 1) : number + excerpt_lines]
    return LogFindings(tracebacks, errors, exceptions.most_common(5), excerpt)


def _exception_after(lines: list[str], start: int) -> str:
    """The traceback's last line: the first unindented one after its frames."""
    for line in lines[start + 1 :]:
        if line.strip() and not line.startswith((" ", "\t")):
            return line[:160]
    return "?"


class ChatServer:
    """One `python -m config.server` process on its own port, ready when start() returns.

    With ``app`` the launcher is asked to serve that ASGI app instead of ours (the bare floor).
    A launcher that ignores the argument serves the real app, which the readiness check would
    not notice, so the bare app's /readyz names itself and start() checks the name.
    """

    def __init__(self, config: ServerConfig, *, app: str | None = None, name: str = "") -> None:
        self.config = config
        self.app = app
        self.port = free_port()
        self.http = f"http://127.0.0.1:{self.port}"
        self.ws = f"ws://127.0.0.1:{self.port}"
        label = name or ("bare" if app else "chat")
        self.log_path = config.log_dir / f"{label}-{config.kind}-{self.port}.log"
        self.launcher = "python -m config.server" + (f" {app}" if app else "")
        self.reported_server = ""
        self.ready_body: dict = {}
        self.child: ChildProcess | None = None

    def start(self) -> "ChatServer":
        argv = [self.config.python, "-m", "config.server"] + ([self.app] if self.app else [])
        self._launch(argv)
        if self.app and not self._serves_bare_app():
            # config.server predates the app argument: run the same ASGI server's own CLI.
            self.stop()
            self.launcher = f"{self.config.kind} CLI (config.server ignored the app argument)"
            self._launch(self._cli_argv())
            if not self._serves_bare_app():
                raise RuntimeError(f"{self.launcher} does not serve {self.app}")
        return self

    def _launch(self, argv: list[str]) -> None:
        env = self.config.env(PORT=str(self.port))
        self.child = ChildProcess(
            argv, cwd=self.config.backend_dir, env=env, log_path=self.log_path
        )
        self._wait_ready()

    def _cli_argv(self) -> list[str]:
        if self.config.kind == "uvicorn":
            return [
                self.config.python,
                "-m",
                "uvicorn",
                self.app,
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ]
        return [
            self.config.python,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(self.port),
            self.app,
        ]

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        answer = "no answer"
        while time.monotonic() < deadline:
            if not self.child.running():
                raise RuntimeError(f"the server exited at start:\n{self.child.log_tail()}")
            try:
                headers, body = rest.get(f"{self.http}/readyz", timeout=2)
                self.ready_body = json.loads(body or b"{}")
                self.reported_server = headers.get("Server", "")
                return
            except urllib.error.HTTPError as error:
                answer = f"/readyz answered {error.code} {error.read()[:200]!r}"
            except (OSError, ValueError) as error:
                answer = f"/readyz: {error}"
            time.sleep(0.1)
        raise RuntimeError(f"the server was not ready in {timeout:.0f}s ({answer})")

    def _serves_bare_app(self) -> bool:
        return self.ready_body.get("app") == BARE_APP_NAME

    @property
    def pid(self) -> int:
        return self.child.pid

    def cpu_seconds(self) -> float:
        return tree_total(self.pid, cpu_seconds)

    def rss_kib(self) -> float:
        return tree_total(self.pid, rss_kib)

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()

    def describe(self) -> dict:
        return {
            "launcher": self.launcher,
            "asgi_server_requested": self.config.kind,
            "server_header": self.reported_server,
            "python": self.config.python,
            "port": self.port,
        }
