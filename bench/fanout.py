"""Room fan-out benchmark: one sender, many sockets in one room, against a real server process.

Measures, for each message, the time from send to arrival at every socket (latency), the
deliveries per second the server sustains, and the server's memory per idle socket.

    backend/.venv/bin/python bench/fanout.py --sockets 200 --messages 300
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test REDIS_URL=redis://127.0.0.1:6379/3 \
        backend/.venv/bin/python bench/fanout.py --sockets 200 --messages 300

Results and the machine they came from: bench/RESULTS.md.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import websockets

BACKEND = Path(__file__).resolve().parents[1] / "backend"
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    # utime and stime, fields 14 and 15 of /proc/PID/stat, in clock ticks.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call(base: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")


def database_for_run(tmp: str) -> tuple[str, str | None]:
    """(DATABASE_URL for the server, PostgreSQL database to drop afterwards)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return f"sqlite:///{tmp}/bench.sqlite3", None
    name = f"chat_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", name


def start_server(env: dict, port: int) -> subprocess.Popen:
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=BACKEND, env=env, check=True)
    server = subprocess.Popen(
        [python, "-m", "config.server"],
        cwd=BACKEND,
        env=env | {"PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return server
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


async def run(args, base: str, ws: str, pid: int) -> dict:
    tokens = {}
    for name in ("sender", "reader"):
        call(base, "/api/auth/register/", {"username": name, "password": PASSWORD})
        tokens[name] = call(base, "/api/auth/token/", {"username": name, "password": PASSWORD})[
            "access"
        ]
    call(base, "/api/rooms/", {"name": "bench"}, tokens["sender"])
    url = f"{ws}/ws/chat/bench/"

    def headers(name):
        return {"Authorization": f"Bearer {tokens[name]}"}

    rss_before = rss_kib(pid)
    readers = []
    for _ in range(args.sockets):
        reader = await websockets.connect(url, additional_headers=headers("reader"), max_queue=None)
        await reader.recv()
        await reader.recv()
        readers.append(reader)
    await asyncio.sleep(1)
    rss_after = rss_kib(pid)

    sent_at: dict[str, float] = {}
    latencies: list[float] = []

    async def drain(reader):
        got = 0
        while got < args.messages:
            frame = json.loads(await reader.recv())
            if frame["type"] == "chat_message":
                latencies.append(time.perf_counter() - sent_at[frame["client_id"]])
                got += 1

    sender = await websockets.connect(url, additional_headers=headers("sender"), max_queue=None)
    await sender.recv()
    await sender.recv()
    drains = [asyncio.create_task(drain(reader)) for reader in readers]
    cpu_before = cpu_seconds(pid)
    started = time.perf_counter()
    for n in range(args.messages):
        client_id = f"m{n}"
        sent_at[client_id] = time.perf_counter()
        await sender.send(json.dumps({"message": f"message {n}", "client_id": client_id}))
        await asyncio.sleep(1 / args.rate)
    await asyncio.wait_for(asyncio.gather(*drains), timeout=300)
    elapsed = time.perf_counter() - started
    server_cpu = cpu_seconds(pid) - cpu_before
    for reader in [*readers, sender]:
        await reader.close()
    latencies.sort()
    return {
        "sockets": args.sockets,
        "messages": args.messages,
        "send_rate": args.rate,
        "deliveries": len(latencies),
        "deliveries_per_s": round(len(latencies) / elapsed),
        "server_cpu_us_per_delivery": round(server_cpu / len(latencies) * 1e6, 1),
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 1),
        "latency_ms_p95": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
        "latency_ms_p99": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "latency_ms_max": round(latencies[-1] * 1000, 1),
        "rss_mib_before_sockets": round(rss_before / 1024, 1),
        "rss_kib_per_idle_socket": round((rss_after - rss_before) / args.sockets, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=200)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=50, help="messages sent per second")
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        database_url, scratch = database_for_run(tmp)
        env = os.environ | {
            "DATABASE_URL": database_url,
            "DEBUG": "true",
            "LOGIN_RATE": "1000/min",
            "WS_RATE": "100000",
            "WS_BURST": "100000",
            "LOG_LEVEL": "WARNING",
        }
        server = start_server(env, port)
        print(f"server pid {server.pid} on port {port}", file=sys.stderr, flush=True)
        try:
            result = asyncio.run(
                run(args, f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}", server.pid)
            )
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
            if scratch:
                with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
    mode = "redis+postgresql" if os.environ.get("REDIS_URL") else "embedded"
    print(json.dumps({"mode": mode, **result}, indent=2))


if __name__ == "__main__":
    main()
