"""The production topology on one machine: nginx in front of two backend workers (uvicorn),
sharing the local PostgreSQL and Redis, the same processes compose runs in containers.

nginx runs the real nginx/nginx.conf; `template_nginx_conf` rewrites only ports and paths, and
fails if one of the rewritten lines is missing, so the tested config cannot drift from the one
the image ships.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parents[2]
BACKEND_DIR = REPO_DIR / "backend"
NGINX_DIR = REPO_DIR / "nginx"
PYTHON = sys.executable

# Short presence timings so a crashed worker's users are dropped within seconds (production:
# 60 s and 15 s, see docs/deployment.md).
PRESENCE_TTL = 6
PRESENCE_SWEEP_INTERVAL = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate, timeout: float, what: str, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


# --- nginx config ----------------------------------------------------------------------------


def template_nginx_conf(
    text: str, *, prefix: Path, listen_port: int, worker_ports: list[int], html: Path, static: Path
) -> str:
    """nginx/nginx.conf with local ports and paths; nothing else changes."""
    rewrites = [
        ("pid /var/run/nginx.pid;", f"pid {prefix}/nginx.pid;", 1),
        ("/var/log/nginx/", f"{prefix}/logs/", 2),
        ("/var/cache/nginx/", f"{prefix}/cache/", 5),
        ("listen 80;", f"listen 127.0.0.1:{listen_port};", 1),
        ("root /usr/share/nginx/html;", f"root {html};", 1),
        ("alias /srv/static/;", f"alias {static}/;", 1),
    ]
    for old, new, count in rewrites:
        found = text.count(old)
        assert found == count, f"nginx.conf: expected {old!r} {count} time(s), found {found}"
        text = text.replace(old, new)
    # The compose service name resolves to every replica; here the replicas are local ports.
    upstream = re.compile(r"^(\s*)server backend:8000([^;]*);$", re.MULTILINE)
    assert len(upstream.findall(text)) == 1, "nginx.conf: expected one `server backend:8000`"
    return upstream.sub(
        lambda m: "\n".join(f"{m[1]}server 127.0.0.1:{port}{m[2]};" for port in worker_ports),
        text,
    )


def write_nginx_prefix(prefix: Path, conf_text: str) -> Path:
    """An nginx prefix of our own: conf, logs and temp dirs under `prefix`, nothing in /etc."""
    conf_dir = prefix / "conf"
    for directory in (conf_dir, prefix / "logs", prefix / "cache"):
        directory.mkdir(parents=True, exist_ok=True)
    # Included by relative name, so they must sit next to the main file, as in the image.
    shutil.copy(NGINX_DIR / "security-headers.conf", conf_dir)
    shutil.copy(find_mime_types(), conf_dir / "mime.types")
    conf = conf_dir / "nginx.conf"
    conf.write_text(conf_text)
    return conf


def find_mime_types() -> Path:
    for candidate in ("/etc/nginx/mime.types", "/usr/share/nginx/mime.types"):
        if Path(candidate).is_file():
            return Path(candidate)
    raise AssertionError("nginx's mime.types not found (is Debian's nginx installed?)")


def nginx_command(prefix: Path, conf: Path, *extra: str) -> list[str]:
    return [shutil.which("nginx") or "/usr/sbin/nginx", "-p", f"{prefix}/", "-c", str(conf), *extra]


# --- which worker holds a connection --------------------------------------------------------


def established_inodes(pid: int, port: int) -> set[int]:
    """Inodes of the ESTABLISHED TCP connections that process `pid` accepted on `port`.

    nginx proxies every connection to one worker over a connection of its own, so the worker
    whose set gains an inode while a socket opens through nginx is the one serving that socket.
    """
    owned = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            owned.add(int(target[8:-1]))
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            state, inode = fields[3], int(fields[9])
            if state == "01" and local_port == port and inode in owned:
                established.add(inode)
    return established


# --- processes -------------------------------------------------------------------------------


@dataclass
class Worker:
    name: str
    port: int
    env: dict
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [PYTHON, "-m", "config.server"],
                cwd=BACKEND_DIR,
                env={**self.env, "PORT": str(self.port)},
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 30) -> None:
        def ready():
            assert self.process.poll() is None, f"worker {self.name} exited; see {self.log}"
            return http_status(f"http://127.0.0.1:{self.port}/readyz") == 200

        wait_for(ready, timeout, f"worker {self.name} /readyz")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def connections(self) -> set[int]:
        return established_inodes(self.process.pid, self.port) if self.alive else set()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Cluster:
    prefix: Path
    nginx_port: int
    workers: list[Worker]
    nginx_conf: Path
    nginx: subprocess.Popen | None = None
    # Every ticket and token handed out in the run, to look for in the access log.
    secrets_issued: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.nginx_port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.nginx_port}"

    @property
    def access_log(self) -> Path:
        return self.prefix / "logs" / "access.log"

    @property
    def error_log(self) -> Path:
        return self.prefix / "logs" / "error.log"

    def start_nginx(self) -> None:
        self.nginx = subprocess.Popen(
            nginx_command(self.prefix, self.nginx_conf, "-g", "daemon off;"),
            stdout=subprocess.DEVNULL,
            stderr=(self.prefix / "logs" / "nginx.stderr").open("ab"),
        )
        wait_for(lambda: http_status(f"{self.base_url}/nginx-healthz") == 200, 15, "nginx to serve")

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            self.nginx.send_signal(signal.SIGQUIT)  # graceful: lets log lines be written
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.nginx.kill()
                self.nginx.wait()
        for worker in self.workers:
            worker.stop()

    def restart(self, worker: Worker) -> None:
        worker.stop()
        worker.start()
        worker.wait_ready()

    def snapshot(self) -> dict[str, set[int]]:
        return {worker.name: worker.connections() for worker in self.workers}

    def worker_gaining(self, before: dict[str, set[int]]) -> Worker:
        """The one worker with a connection that is not in `before`."""
        after = self.snapshot()
        gained = [w for w in self.workers if after[w.name] - before[w.name]]
        assert len(gained) == 1, f"expected one worker to gain a connection, got {gained}"
        return gained[0]


def base_env(*, database_url: str, redis_url: str, static_root: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        STATIC_ROOT=str(static_root),
        PROXY_HEADERS="true",
        SHUTDOWN_GRACE="3",
        PRESENCE_TTL=str(PRESENCE_TTL),
        PRESENCE_SWEEP_INTERVAL=str(PRESENCE_SWEEP_INTERVAL),
        # Django's own throttles stay out of the way, so a 429 here can only come from nginx.
        LOGIN_RATE="1000/min",
        API_RATE="10000/min",
        LOG_LEVEL="INFO",
    )
    return env


def manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=BACKEND_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"


def write_spa_stand_in(html: Path) -> None:
    """A stand-in for frontend/dist: the suite tests nginx's serving of it, not the SPA."""
    (html / "assets").mkdir(parents=True, exist_ok=True)
    (html / "index.html").write_text(
        '<!doctype html><title>chat</title><div id="root" data-topology-stand-in></div>'
        '<script type="module" src="/assets/app-3f2a1b.js"></script>\n'
    )
    (html / "assets" / "app-3f2a1b.js").write_text("console.log('stand-in');\n")
