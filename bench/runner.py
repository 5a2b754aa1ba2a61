"""A run: for each server kind, a private redis-server, a scratch database (migrated and
seeded), then the chosen scenarios in order. Teardown is in ExitStack callbacks and the
scenarios' own context managers, so servers, Redis and the database go however the run ends:
a failure, Ctrl-C or SIGTERM."""

import asyncio
import gc
import json
import os
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import machine, report
from bench.context import Context, Options, Scenario
from bench.meters import wait_for_quiet_machine
from bench.scenarios import SCENARIOS
from bench.seed import seed_database
from bench.server import (
    BACKEND_DIR,
    RedisServer,
    ScratchDatabase,
    ServerConfig,
    log_findings,
    run_django,
)

RESULTS_DIR = Path(__file__).resolve().parent / "results"
BUSY_LOAD_AVERAGE = 1.0


@dataclass
class RunSettings:
    scenarios: list[str]
    server_kinds: list[str]
    options: Options
    admin_database_url: str
    log_dir: Path
    backend_dir: Path = BACKEND_DIR
    client_loop: str = "asyncio"
    # Before each scenario, wait up to this long for other work on the machine to calm down.
    wait_quiet_s: float = 0.0
    extra_env: dict[str, str] = field(default_factory=dict)


def event_loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    if name == "uvloop":
        import uvloop

        return uvloop.new_event_loop
    return None


@contextmanager
def services(settings: RunSettings, kind: str, *, users: int, rooms: list[str]) -> Iterator:
    """(config, seed, redis) for one server kind; all of it stopped or dropped on the way out."""
    with ExitStack() as stack:
        redis = RedisServer(settings.log_dir)
        stack.callback(redis.stop)
        database = ScratchDatabase(settings.admin_database_url)
        stack.callback(database.drop)
        config = ServerConfig.new(
            kind,
            database.url,
            redis.url,
            settings.log_dir,
            backend_dir=settings.backend_dir,
            extra_env=settings.extra_env,
        )
        run_django(config, ["manage.py", "migrate", "--noinput", "-v0"])
        seed_file = settings.log_dir / f"seed-{kind}.json"
        seed = seed_database(config, users=users, rooms=rooms, out=seed_file)
        seed_file.unlink()  # it holds tokens
        yield config, seed, redis


def run(settings: RunSettings) -> dict:
    record = {
        "format": 1,
        # The commit of the backend measured; the bench's own when it measures another tree.
        "commit": machine.git_commit(settings.backend_dir),
        "bench_commit": machine.git_commit(machine.REPO_DIR),
        "backend_dir": str(settings.backend_dir),
        "date": machine.now(),
        "machine": machine.machine(),
        "client": {"event_loop": settings.client_loop},
        "options": asdict(settings.options),
        "scenarios": settings.scenarios,
        "runs": [],
    }
    chosen = [SCENARIOS[name] for name in settings.scenarios]
    users = max(scenario.users(settings.options) for scenario in chosen)
    rooms = sorted({room for scenario in chosen for room in scenario.rooms(settings.options)})
    busy = os.getloadavg()[0]
    if busy > BUSY_LOAD_AVERAGE:
        print(
            f"warning: load average {busy:.1f} before the run: the cores are shared with "
            "other work, expect low and noisy numbers (each window reports it as 'others')"
        )
    for kind in settings.server_kinds:
        print(f"== {kind}: starting Redis and a scratch database, seeding {users:,} users")
        with services(settings, kind, users=users, rooms=rooms) as (config, seed, redis):
            context = Context(config, seed, redis, settings.options)
            results = run_scenarios(context, chosen, settings.client_loop, settings.wait_quiet_s)
        record["runs"].append({"server_kind": kind, "scenarios": results})
    return record


@contextmanager
def collections_paused() -> Iterator[None]:
    """No garbage collection in the load client while a scenario runs: with 2,000 sockets open
    a full collection paused it for 28-52 ms, which every socket then counted as the server's
    latency (the bare app's worst handshakes were these pauses). Collected before and after."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()


def run_scenarios(
    context: Context, scenarios: list[Scenario], client_loop: str, wait_quiet_s: float = 0.0
) -> dict[str, dict]:
    results: dict[str, dict] = {}
    for scenario in scenarios:
        name = scenario.name
        context.started = []
        waited = wait_for_quiet_machine(wait_quiet_s) if wait_quiet_s else 0.0
        started = time.perf_counter()
        try:
            with (
                collections_paused(),
                asyncio.Runner(loop_factory=event_loop_factory(client_loop)) as runner,
            ):
                result = runner.run(scenario.run(context))
        except Exception as error:
            result = {
                "verdict": "error",
                "reasons": [f"{type(error).__name__}: {error}"],
                "traceback": traceback.format_exc().splitlines()[-30:],
            }
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["waited_for_quiet_s"] = round(waited, 1)
        result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        result["servers"] = [server.describe() for server in context.started]
        result["server_log"] = log_findings(context.log_paths()).as_dict()
        context.earlier[name] = results[name] = result
        print(report.summary_line(name, result), flush=True)
    return results


def save(record: dict, results_dir: Path = RESULTS_DIR) -> Path:
    """bench/results/<date>-<commit>.json and the Markdown next to it; never overwrites."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{record['date'][:10]}-{record['commit']}"
    path, n = results_dir / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = results_dir / f"{stem}-{n}.json"
    path.write_text(json.dumps(record, indent=1) + "\n")
    path.with_suffix(".md").write_text(report.markdown(record))
    return path
