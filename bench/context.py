"""What a scenario is given: the run's options, its services and seed, a way to start servers.

A scenario starts its own server processes (fresh ones, on a flushed Redis), so its CPU,
memory and server-log counts are its own.
"""

from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from bench.accounting import BareAppLog, DatabaseLog, MessageLog
from bench.meters import Meters
from bench.seed import Seed
from bench.server import BARE_APP, ChatServer, RedisServer, ServerConfig

# Raised until a step fails: the ceiling is found, not assumed.
DEFAULT_STEPS = (5000, 10000, 15000, 20000, 25000, 30000, 40000, 50000, 60000, 80000)
TWO_WORKER_EXTRA_STEPS = (100000, 120000)
FLOOR_STEPS = (20000, 40000, 60000, 80000, 100000, 120000, 150000)


@dataclass
class Options:
    steps: tuple[int, ...] = DEFAULT_STEPS
    two_worker_steps: tuple[int, ...] = DEFAULT_STEPS + TWO_WORKER_EXTRA_STEPS
    floor_steps: tuple[int, ...] = FLOOR_STEPS
    step_seconds: float = 10.0
    cpu_rate: int = 10000
    cpu_seconds: float = 10.0
    load_seconds: float = 20.0  # rooms, big_room, overload
    overload_rate: int | None = None
    batch: int = 50
    idle_sockets: int = 10000


@dataclass
class Context:
    """What a scenario may use: the run's seed and services, and a way to start servers."""

    config: ServerConfig
    seed: Seed
    redis: RedisServer
    options: Options
    # Results of the scenarios already run: two_workers and overload build on throughput's.
    earlier: dict[str, dict] = field(default_factory=dict)
    started: list[ChatServer] = field(default_factory=list)

    @contextmanager
    def servers(
        self, count: int = 1, *, app: str | None = None, extra_env: dict | None = None
    ) -> Iterator[list[ChatServer]]:
        self.redis.flush()
        config = self.config
        if extra_env:
            config = replace(config, extra_env=config.extra_env + tuple(extra_env.items()))
        servers: list[ChatServer] = []
        try:
            for n in range(count):
                servers.append(ChatServer(config, app=app, name=f"w{n}" if count > 1 else ""))
                servers[-1].start()
            yield servers
        finally:
            self.started.extend(servers)
            for server in servers:
                server.stop()

    def log_for(self, servers: list[ChatServer]) -> MessageLog:
        if servers[0].app == BARE_APP:
            return BareAppLog(servers[0].http)
        return DatabaseLog(self.config.database_url, self.seed)

    def meters(self, servers: list[ChatServer]) -> Meters:
        database = urlsplit(self.config.database_url).path.lstrip("/")
        return Meters(servers, self.redis.child.pid, database)

    def log_paths(self) -> list[Path]:
        return [server.log_path for server in self.started]


@dataclass(frozen=True)
class Scenario:
    name: str
    what: str
    target: str
    users: Callable[[Options], int]
    rooms: Callable[[Options], list[str]]
    run: Callable[[Context], Awaitable[dict]]
