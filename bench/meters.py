"""CPU meters read at both ends of a measured window.

"Server CPU" is the ASGI processes (summed over workers), as the targets define it. What they
lean on is metered apart: our redis-server, and the PostgreSQL backends serving the scratch
database (found by the database name in their process title; a backend that exits within the
window takes its last seconds with it, which then count as "others"). Whatever else the
machine spent meanwhile is "others": someone else's processes competing for the same two
cores, which a reader of the numbers needs to know about.
"""

import resource
import time
from dataclasses import dataclass
from pathlib import Path

from bench.server import CLOCK_TICKS, ChatServer, cpu_seconds


@dataclass
class Meters:
    servers: list[ChatServer]
    redis_pid: int
    database_name: str

    def server_cpu(self) -> float:
        return sum(server.cpu_seconds() for server in self.servers)

    def read(self) -> dict:
        return {
            "server": self.server_cpu(),
            "client": client_cpu_seconds(),
            "redis": cpu_seconds(self.redis_pid),
            "postgres": postgres_backends(self.database_name),
            "machine": machine_busy_seconds(),
        }


def client_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def postgres_backends(database_name: str) -> dict[int, float]:
    """CPU seconds of each PostgreSQL backend serving the database, by pid: backends come and
    go with the server's connections, so the window is metered per backend."""
    marker = f" {database_name} ".encode()
    backends = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes()
            if title.startswith(b"postgres:") and marker in title:
                backends[int(entry.name)] = cpu_seconds(int(entry.name))
        except OSError:
            continue  # it exited meanwhile
    return backends


def machine_busy_seconds() -> float:
    """CPU time all processes spent: the first line of /proc/stat, less idle and iowait."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLOCK_TICKS


def wait_for_quiet_machine(max_s: float, *, share: float = 0.25, sample_s: float = 2.0) -> float:
    """Waits (up to ``max_s``) until the machine spends under ``share`` of a core over
    ``sample_s``, with nothing of ours running; returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < max_s:
        before = machine_busy_seconds()
        time.sleep(sample_s)
        if (machine_busy_seconds() - before) / sample_s < share:
            break
    return time.monotonic() - started


def spent(start: dict, end: dict) -> dict[str, float]:
    """Seconds of CPU each meter spent between two readings, with "others" for the rest."""
    used = {name: end[name] - start[name] for name in ("server", "client", "redis")}
    before = start["postgres"]
    used["postgres"] = sum(cpu - before.get(pid, 0.0) for pid, cpu in end["postgres"].items())
    used["others"] = max(0.0, end["machine"] - start["machine"] - sum(used.values()))
    return used
