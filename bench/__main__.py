"""`python -m bench`: run scenarios against freshly started servers (from the repo root).

backend/.venv/bin/python -m bench --smoke                  # the pipeline in ~15 s, for make test
backend/.venv/bin/python -m bench throughput rooms         # chosen scenarios
backend/.venv/bin/python -m bench all --server uvicorn,daphne
backend/.venv/bin/python -m bench.report bench/results/FILE.json   # Markdown again
"""

import argparse
import signal
import sys
import tempfile
from pathlib import Path

import psycopg

from bench import report
from bench.context import DEFAULT_STEPS, Options
from bench.runner import RESULTS_DIR, RunSettings, run, save
from bench.scenarios import SCENARIOS
from bench.server import BACKEND_DIR
from bench.smoke import run_smoke

SERVER_KINDS = ("uvicorn", "daphne")
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/test"


def parse_args(argv: list[str]) -> argparse.Namespace:
    names = ", ".join(f"{s.name} ({s.what}; target: {s.target})" for s in SCENARIOS.values())
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=__doc__.splitlines()[0],
        epilog=f"Scenarios, in the order `all` runs them: {names}.",
    )
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names, or all")
    parser.add_argument("--smoke", action="store_true", help="the quick pipeline check")
    parser.add_argument(
        "--server",
        default="uvicorn",
        help="ASGI server kinds, comma-separated: uvicorn (config.server's default), daphne",
    )
    parser.add_argument(
        "--steps",
        type=rates,
        help=f"offered deliveries/s per throughput step "
        f"(default {','.join(map(str, DEFAULT_STEPS))})",
    )
    parser.add_argument("--two-worker-steps", type=rates)
    parser.add_argument("--floor-steps", type=rates)
    parser.add_argument(
        "--step-seconds", type=float, default=10.0, help="window of each step, and of cpu"
    )
    parser.add_argument("--cpu-rate", type=int, default=10000, help="deliveries/s for cpu")
    parser.add_argument(
        "--seconds", type=float, default=20.0, help="sending window of rooms, big_room and overload"
    )
    parser.add_argument("--rate", type=int, help="overload's offered deliveries/s")
    parser.add_argument("--batch", type=int, default=50, help="sockets opened at a time")
    parser.add_argument("--idle-sockets", type=int, default=10000)
    parser.add_argument("--client-loop", choices=("uvloop", "asyncio"), default="asyncio")
    parser.add_argument(
        "--database", default=DEFAULT_DATABASE, help="PostgreSQL to create the scratch database in"
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="extra server setting (repeatable), e.g. CHANNEL_CAPACITY=5000",
    )
    parser.add_argument(
        "--backend",
        type=Path,
        default=BACKEND_DIR,
        help="the backend to measure (default: this checkout's backend/), "
        "e.g. a clone of another commit; it runs with DIR/.venv when there is one",
    )
    parser.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="before each scenario, wait up to SECONDS for other work to leave the cores idle",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    parser.add_argument("--no-save", action="store_true", help="write no results file")
    args = parser.parse_args(argv)
    if not args.smoke and not args.scenarios:
        parser.error("name a scenario (or all), or use --smoke")
    unknown = set(args.scenarios) - set(SCENARIOS) - {"all"}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    args.server_kinds = [kind.strip() for kind in args.server.split(",") if kind.strip()]
    if bad := set(args.server_kinds) - set(SERVER_KINDS):
        parser.error(f"unknown server kinds: {', '.join(sorted(bad))}")
    return args


def rates(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(","))


def options_from(args: argparse.Namespace) -> Options:
    defaults = Options()
    return Options(
        steps=args.steps or defaults.steps,
        two_worker_steps=args.two_worker_steps or args.steps or defaults.two_worker_steps,
        floor_steps=args.floor_steps or defaults.floor_steps,
        step_seconds=args.step_seconds,
        cpu_rate=args.cpu_rate,
        cpu_seconds=args.step_seconds,
        load_seconds=args.seconds,
        overload_rate=args.rate,
        batch=args.batch,
        idle_sockets=args.idle_sockets,
    )


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, through every cleanup.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    names = list(SCENARIOS) if "all" in args.scenarios else args.scenarios
    settings = RunSettings(
        scenarios=list(dict.fromkeys(names)),
        server_kinds=args.server_kinds,
        options=options_from(args),
        admin_database_url=args.database,
        log_dir=log_dir,
        backend_dir=args.backend.resolve(),
        client_loop=args.client_loop,
        wait_quiet_s=args.wait_quiet,
        extra_env=dict(pair.split("=", 1) for pair in args.server_env),
    )
    print(f"server logs: {log_dir}")
    try:
        if args.smoke:
            return run_smoke(settings)
        record = run(settings)
    except KeyboardInterrupt:
        print("interrupted; servers stopped, scratch database dropped", file=sys.stderr)
        return 130
    except (RuntimeError, OSError, psycopg.Error) as error:
        # Redis, the database, the migration or the seed failed: nothing was measured.
        print(f"bench failed before measuring: {error}", file=sys.stderr)
        return 1
    if not args.no_save:
        path = save(record, args.results_dir)
        print(f"results: {path} and {path.with_suffix('.md').name}")
    print()
    print(report.markdown(record))
    # A missed target is a result; a scenario that could not run is a failure of the bench.
    errored = [
        name
        for run_ in record["runs"]
        for name, result in run_["scenarios"].items()
        if result.get("verdict") == "error"
    ]
    return 1 if errored else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
