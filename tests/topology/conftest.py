"""Fixtures that bring the topology up once for the run: a fresh PostgreSQL database, a Redis
database of its own, migrations, collectstatic, two workers and nginx; and tear it all down.

Without nginx, PostgreSQL or Redis the suite skips locally and fails in CI (CI=true). When nginx
is missing and we are root, it is installed from Debian's packages first.
"""

import contextlib
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from chat_client import Person, Tab
from cluster import (
    NGINX_DIR,
    Cluster,
    Worker,
    base_env,
    free_port,
    manage,
    template_nginx_conf,
    write_nginx_prefix,
    write_spa_stand_in,
)

POSTGRES = os.environ.get("TOPOLOGY_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
# Not db 1: `make test-backend-services` flushes that one.
REDIS_URL = os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/7")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"topology suite cannot run: {reason}", pytrace=False)
    pytest.skip(f"topology suite skipped: {reason}")


def ensure_nginx() -> None:
    if shutil.which("nginx") or os.path.exists("/usr/sbin/nginx"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "nginx"],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
            check=False,
        )
    if not (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")):
        unavailable("nginx is not installed (apt-get install nginx)")


def ensure_services() -> None:
    try:
        psycopg.connect(POSTGRES, connect_timeout=3).close()
    except psycopg.Error as error:
        unavailable(f"PostgreSQL at {POSTGRES} does not answer: {error}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        unavailable(f"Redis at {REDIS_URL} does not answer: {error}")


@pytest.fixture(scope="session")
def database_url():
    """A PostgreSQL database made for this run and dropped after it."""
    ensure_services()
    name = f"chat_topology_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(POSTGRES, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def redis_url():
    client = redis.Redis.from_url(REDIS_URL)
    client.flushdb()
    yield REDIS_URL
    client.flushdb()


@pytest.fixture(scope="session")
def cluster(database_url, redis_url):
    ensure_nginx()
    # Not pytest's tmp_path: its directories are private to us, and nginx's worker processes,
    # which drop root privileges, must read what they serve. Kept with TOPOLOGY_KEEP=1.
    prefix = Path(tempfile.mkdtemp(prefix="chat-topology-"))
    prefix.chmod(0o755)
    html, static = prefix / "html", prefix / "static"
    write_spa_stand_in(html)
    env = base_env(database_url=database_url, redis_url=redis_url, static_root=static)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    for path in (html, static, *html.rglob("*"), *static.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)

    workers = [Worker(name, free_port(), env, prefix / f"worker-{name}.log") for name in ("a", "b")]
    for worker in workers:
        worker.start()
    nginx_port = free_port()
    conf_text = template_nginx_conf(
        (NGINX_DIR / "nginx.conf").read_text(),
        prefix=prefix,
        listen_port=nginx_port,
        worker_ports=[w.port for w in workers],
        html=html,
        static=static,
    )
    cluster = Cluster(prefix, nginx_port, workers, write_nginx_prefix(prefix, conf_text))
    try:
        for worker in workers:
            worker.wait_ready()
        cluster.start_nginx()
        yield cluster
    finally:
        cluster.stop()
        if not os.environ.get("TOPOLOGY_KEEP"):
            shutil.rmtree(prefix, ignore_errors=True)


@pytest.fixture
def people(cluster):
    """Signs up fresh users for one test: people("alice", "bob") -> [Person, Person]."""
    suffix = uuid.uuid4().hex[:6]

    def make(*names: str) -> list[Person]:
        return [
            Person(
                cluster.base_url, cluster.ws_url, f"{name}_{suffix}", cluster.secrets_issued
            ).sign_up()
            for name in names
        ]

    return make


@pytest.fixture
def room():
    return f"room-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def tabs():
    """Tabs a test opens through `open_on`; closed at the end of the test."""
    opened: list[Tab] = []
    yield opened
    for tab in opened:
        with contextlib.suppress(Exception):
            tab.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report ends with the tails of the workers' and nginx's logs."""
    outcome = yield
    report = outcome.get_result()
    cluster = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and cluster is not None:
        logs = [w.log for w in cluster.workers] + [cluster.error_log, cluster.access_log]
        for log in logs:
            if log.exists():
                tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
                report.sections.append((f"{log.name} (last 40 lines)", tail))
