"""One measured load: join the sockets, send at a fixed rate for a window, drain, account.

The window is the sending time. Server CPU (summed over workers), client CPU and the delivery
count are read at its two ends, so "server CPU per delivery" and "deliveries/s" describe the
same interval. Latency is taken over every delivery of the load's messages, including those
that arrive after the window closed: a server that falls behind shows it in the tail instead
of having its slowest deliveries cut off.
"""

import asyncio
import math
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass

from bench.accounting import MessageLog, account
from bench.client import ChatSocket, Endpoint, Tally, close_all, join_all
from bench.meters import Meters, spent
from bench.seed import User
from bench.server import ChatServer

# Before the window: every join is announced to the room (user_join), and a thousand joins
# keep a server busy for a while; the window starts once that has died down.
SETTLE_QUIET_S = 0.5
SETTLE_MAX_S = 120.0
DRAIN_QUIET_S = 1.0
REST_SAMPLE_S = 0.25
# Below this share of a core, summed over workers, the servers count as idle.
IDLE_SERVER_SHARE = 0.1


@dataclass(frozen=True)
class LoadPlan:
    rooms: tuple[str, ...]
    sockets_per_room: int
    senders_per_room: int
    room_rate: float  # messages per second, per room
    seconds: float
    resume_on: frozenset[int] = frozenset()
    batch: int = 50
    max_drain_s: float = 30.0
    padding: int = 0  # extra characters in every message

    @property
    def offered_deliveries_per_s(self) -> float:
        return len(self.rooms) * self.room_rate * self.sockets_per_room

    def describe(self) -> dict:
        return asdict(self) | {
            "rooms": len(self.rooms),
            "resume_on": sorted(self.resume_on),
            "offered_deliveries_per_s": round(self.offered_deliveries_per_s),
            "offered_messages_per_s": round(len(self.rooms) * self.room_rate, 1),
        }


@dataclass(frozen=True)
class Reading:
    at: float
    deliveries: int
    cpu: dict

    @classmethod
    def now(cls, meters: Meters, tally: Tally) -> "Reading":
        return cls(time.perf_counter(), tally.deliveries, meters.read())


def build_sockets(
    plan: LoadPlan, servers: list[ChatServer], users: list[User], tally: Tally
) -> list[ChatSocket]:
    """Distinct users; socket n goes to server n % workers, so sockets and senders (the first
    of each room) are spread evenly over the workers."""
    endpoints = [Endpoint(server.ws, server.http) for server in servers]
    needed = len(plan.rooms) * plan.sockets_per_room
    if needed > len(users):
        raise ValueError(f"the load needs {needed} users, the seed has {len(users)}")
    return [
        ChatSocket(
            users[n],
            plan.rooms[n // plan.sockets_per_room],
            endpoints[n % len(endpoints)],
            tally,
            resume_on=plan.resume_on,
        )
        for n in range(needed)
    ]


async def run_load(
    plan: LoadPlan,
    sockets: list[ChatSocket],
    log: MessageLog,
    meters: Meters,
    *,
    during: Callable[[list[ChatSocket]], Awaitable[None]] | None = None,
) -> dict:
    """Joins ``sockets`` (built by build_sockets), runs the plan, returns its measurements.
    ``during`` runs alongside the sending window (the smoke drops and stalls sockets there)."""
    tally = sockets[0].tally
    join_s = await join_all(sockets, plan.batch)
    settle_s, settled = await until_at_rest(
        tally, meters, quiet_s=SETTLE_QUIET_S, max_s=SETTLE_MAX_S
    )
    senders = _choose_senders(plan, sockets)
    tally.recording = True
    start = Reading.now(meters, tally)
    side_task = asyncio.create_task(during(sockets)) if during else None
    await send_for(plan, senders)
    end = Reading.now(meters, tally)
    if side_task:
        await side_task
    # Done once nothing arrives, the servers are idle and no socket is still resuming.
    drain_s, drained = await until_at_rest(
        tally,
        meters,
        quiet_s=DRAIN_QUIET_S,
        max_s=plan.max_drain_s,
        ready=lambda: tally.resuming == 0,
    )
    tally.recording = False
    await close_all(sockets, plan.batch)
    loss = account(sockets, log)
    return summarize(plan, sockets, senders, start, end, join_s, drain_s) | {
        "settle_s": round(settle_s, 2),
        "settled": settled,
        "drained": drained,
        "loss": loss.as_dict(),
    }


def _choose_senders(plan: LoadPlan, sockets: list[ChatSocket]) -> list[ChatSocket]:
    nonce = uuid.uuid4().hex[:6]
    senders = [
        sock
        for n, sock in enumerate(sockets)
        if n % plan.sockets_per_room < plan.senders_per_room and sock.joined
    ]
    for index, sender in enumerate(senders):
        sender.become_sender(f"{nonce}s{index}")
    return senders


async def send_for(plan: LoadPlan, senders: list[ChatSocket]) -> None:
    """Every sender keeps its own schedule (k-th message at start + phase + k / rate), so a
    late send is followed by a catch-up and the offered rate holds on average."""
    if not senders:
        await asyncio.sleep(plan.seconds)
        return
    loop = asyncio.get_running_loop()
    start = loop.time()
    total_rate = plan.room_rate * len(plan.rooms)
    sender_rate = total_rate / len(senders)
    padding = "p" * plan.padding

    async def pace(index: int, sender: ChatSocket) -> None:
        seq = 0
        while (due := start + index / total_rate + seq / sender_rate) < start + plan.seconds:
            delay = due - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            await sender.send_chat(seq, padding)
            seq += 1

    await asyncio.gather(*(pace(index, sender) for index, sender in enumerate(senders)))


async def until_at_rest(
    tally: Tally,
    meters: Meters,
    *,
    quiet_s: float,
    max_s: float,
    since_ns: int | None = None,
    ready: Callable[[], bool] = lambda: True,
) -> tuple[float, bool]:
    """Waits until no frame has arrived for ``quiet_s`` (counted from ``since_ns`` at the
    earliest), the servers are idle, and ``ready()``; at most ``max_s``. Returns the seconds
    waited and whether rest was reached. Silence alone is not enough: a server starved of CPU,
    or working through a backlog, may send nothing for seconds and then deliver."""
    since_ns = since_ns or time.monotonic_ns()
    started = time.perf_counter()
    cpu, at = meters.server_cpu(), time.perf_counter()
    while (elapsed := time.perf_counter() - started) < max_s:
        await asyncio.sleep(REST_SAMPLE_S)
        cpu_now, now = meters.server_cpu(), time.perf_counter()
        busy = (cpu_now - cpu) / (now - at) > IDLE_SERVER_SHARE
        cpu, at = cpu_now, now
        quiet = time.monotonic_ns() - max(tally.last_frame_ns, since_ns) >= quiet_s * 1e9
        if quiet and not busy and ready():
            return elapsed, True
    return elapsed, False


def summarize(
    plan: LoadPlan,
    sockets: list[ChatSocket],
    senders: list[ChatSocket],
    start: Reading,
    end: Reading,
    join_s: float,
    drain_s: float,
) -> dict:
    window = end.at - start.at
    delivered = end.deliveries - start.deliveries
    cpu = spent(start.cpu, end.cpu)
    sent = sum(sender.sent for sender in senders)
    handshakes = [sock.handshake_s for sock in sockets if sock.handshake_s is not None]
    return {
        "plan": plan.describe(),
        "join": {
            "sockets": len(sockets),
            "joined": len(handshakes),
            "seconds": round(join_s, 2),
            "handshake_ms": percentiles([h * 1000 for h in handshakes]),
        },
        "senders": len(senders),
        "sent": sent,
        "sent_per_s": round(sent / window, 1) if window else 0,
        "sends_skipped": sum(sender.send_skipped for sender in senders),
        "window_s": round(window, 3),
        "drain_s": round(drain_s, 2),
        "deliveries_in_window": delivered,
        "deliveries_per_s": round(delivered / window) if window else 0,
        "deliveries_total": sockets[0].tally.deliveries if sockets else 0,
        "latency_ms": percentiles([ns / 1e6 for ns in sockets[0].tally.latencies_ns]),
        "server_cpu_s": round(cpu["server"], 3),
        "server_cpu_us_per_delivery": per_delivery(cpu["server"], delivered),
        "client_cpu_us_per_delivery": per_delivery(cpu["client"], delivered),
        "services_cpu_us_per_delivery": per_delivery(cpu["redis"] + cpu["postgres"], delivered),
        # Shares of one core over the window, for each meter (see bench/meters.py).
        "cpu_share": {name: round(seconds / max(window, 1e-9), 3) for name, seconds in cpu.items()},
        "other_frames": dict(sockets[0].tally.other_frames) if sockets else {},
    }


def per_delivery(cpu_s: float, delivered: int) -> float | None:
    return round(cpu_s / delivered * 1e6, 2) if delivered else None


def percentiles(values: list[float]) -> dict:
    """Nearest-rank p50, p99 and max, in the unit given (a p99 is a value that occurred)."""
    if not values:
        return {"samples": 0, "p50": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[max(0, math.ceil(p * len(ordered)) - 1)], 2)

    return {"samples": len(ordered), "p50": rank(0.50), "p99": rank(0.99), "max": rank(1.0)}
