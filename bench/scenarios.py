"""The scenarios: each a name, what it needs seeded, a coroutine that measures, and its target.

Every scenario returns a dict with a "verdict" ("pass", "fail" or "n/a") and "reasons"; the
runner adds the server-log findings of the servers it started.
"""

import asyncio
from dataclasses import replace

from bench.client import MAY_HAVE_MISSED, ChatSocket, Tally, close_all, join_all
from bench.context import Context, Options, Scenario
from bench.load import (
    SETTLE_MAX_S,
    LoadPlan,
    build_sockets,
    percentiles,
    run_load,
    until_at_rest,
)
from bench.meters import Meters, spent
from bench.server import BARE_APP, ChatServer

THROUGHPUT_SOCKETS = 50
THROUGHPUT_SENDERS = 5
P99_LIMIT_MS = 500.0
# The sender reaching less than this share of the planned rate means the step was not offered.
OFFERED_SHARE = 0.95
CLIENT_SATURATED_SHARE = 0.9
OTHERS_NOTICED_SHARE = 0.1
STEP_PAUSE_S = 1.0  # between steps, for the last step's disconnects to be handled


def verdict(reasons: list[str]) -> dict:
    return {"verdict": "fail" if reasons else "pass", "reasons": reasons}


# Loads and their checks ---------------------------------------------------------------------


async def measure(ctx: Context, servers: list[ChatServer], plan: LoadPlan) -> dict:
    sockets = build_sockets(plan, servers, ctx.seed.users, Tally())
    result = await run_load(plan, sockets, ctx.log_for(servers), ctx.meters(servers))
    return result | {"note": window_notes(result)}


def load_failures(result: dict, *, p99_ms: float | None) -> list[str]:
    """Why a load did not deliver what it was offered; empty when it did."""
    reasons = []
    loss = result["loss"]
    p99 = result["latency_ms"]["p99"]
    if p99_ms is not None and (p99 is None or p99 > p99_ms):
        reasons.append(f"p99 {p99 or 0:,.0f} ms > {p99_ms:,.0f} ms")
    if loss["joined"] < loss["sockets"]:
        reasons.append(f"{loss['sockets'] - loss['joined']} sockets failed to join")
    if loss["missing_total"]:
        reasons.append(
            f"{loss['missing_total']} deliveries missing on {loss['sockets_with_loss']} sockets"
        )
    if loss["duplicates"] or loss["unexpected"]:
        reasons.append(f"{loss['duplicates']} duplicates, {loss['unexpected']} unexpected")
    if loss["closed_by_server"]:
        reasons.append(f"sockets closed by the server: {loss['closed_by_server']}")
    if loss["error_frames"]:
        reasons.append(f"{loss['error_frames']} error frames")
    if loss["client_errors"]:
        reasons.append(f"the bench's reader failed on {loss['client_errors']} sockets")
    planned = result["plan"]["offered_messages_per_s"]
    if result["sent_per_s"] < OFFERED_SHARE * planned:
        reasons.append(f"sent {result['sent_per_s']:,.0f} msg/s of {planned:,.0f} planned")
    return reasons


def window_notes(result: dict) -> str | None:
    """What may have bent the measurement: a saturated client, or other processes' CPU."""
    notes = []
    if not result["settled"]:
        notes.append(
            f"the window began while joins were still being announced "
            f"({result['settle_s']:.0f} s after the last join)"
        )
    if not result["drained"]:
        notes.append(
            f"the servers were still busy when the drain gave up after {result['drain_s']:.0f} s: "
            "missing messages may be late rather than lost"
        )
    share = result["cpu_share"]
    if share["client"] >= CLIENT_SATURATED_SHARE:
        notes.append(f"client CPU at {share['client']:.0%} of a core: it may be the limit")
    if share["others"] >= OTHERS_NOTICED_SHARE:
        notes.append(f"other processes used {share['others']:.0%} of a core meanwhile")
    return "; ".join(notes) or None


def throughput_plan(offered: float, room: str, seconds: float, batch: int) -> LoadPlan:
    return LoadPlan(
        rooms=(room,),
        sockets_per_room=THROUGHPUT_SOCKETS,
        senders_per_room=THROUGHPUT_SENDERS,
        room_rate=offered / THROUGHPUT_SOCKETS,
        seconds=seconds,
        batch=batch,
    )


async def steps(ctx: Context, servers: list[ChatServer], room: str, rates: tuple[int, ...]) -> dict:
    """Raises the offered rate step by step until p99 > 500 ms or anything is lost."""
    results, sustained = [], None
    for offered in rates:
        plan = throughput_plan(offered, room, ctx.options.step_seconds, ctx.options.batch)
        result = await measure(ctx, servers, plan)
        result["reasons"] = load_failures(result, p99_ms=P99_LIMIT_MS)
        result["passed"] = not result["reasons"]
        results.append(result)
        if not result["passed"]:
            break
        sustained = result
        await asyncio.sleep(STEP_PAUSE_S)
    return {
        "steps": results,
        "sustained_deliveries_per_s": sustained["plan"]["offered_deliveries_per_s"]
        if sustained
        else 0,
        "sustained_measured_per_s": sustained["deliveries_per_s"] if sustained else 0,
        # False when every step passed: the real ceiling lies above the last step.
        "ceiling_found": bool(results) and not results[-1]["passed"],
    }


# The scenarios ------------------------------------------------------------------------------


async def run_throughput(ctx: Context) -> dict:
    with ctx.servers() as servers:
        result = await steps(ctx, servers, "throughput", ctx.options.steps)
    return result | target_at_least(result["sustained_deliveries_per_s"], 15000, "deliveries/s")


async def run_two_workers(ctx: Context) -> dict:
    with ctx.servers(2) as servers:
        result = await steps(ctx, servers, "two_workers", ctx.options.two_worker_steps)
    one = ctx.earlier.get("throughput", {}).get("sustained_deliveries_per_s")
    reasons = [] if result["sustained_deliveries_per_s"] else ["no step passed"]
    result["one_worker_sustained"] = one
    if one == 0:
        return result | {"verdict": "n/a", "reasons": [*reasons, "one worker passed no step"]}
    if one:
        result["scaling"] = round(result["sustained_deliveries_per_s"] / one, 2)
        if result["scaling"] < 1.6:
            reasons.append(f"{result['scaling']}x one worker's sustained rate, not 1.6x")
        if not ctx.earlier["throughput"]["ceiling_found"]:
            why = "one worker passed every step: its ceiling, and so the scaling, is unknown"
            return result | {"verdict": "n/a", "reasons": [*reasons, why]}
        return result | verdict(reasons)
    return result | {"verdict": "n/a", "reasons": ["throughput was not run: no one-worker rate"]}


async def run_cpu(ctx: Context) -> dict:
    options = ctx.options
    plan = throughput_plan(options.cpu_rate, "cpu", options.cpu_seconds, options.batch)
    with ctx.servers() as servers:
        ours = await measure(ctx, servers, plan)
    with ctx.servers(app=BARE_APP) as servers:
        bare = await measure(ctx, servers, plan)
        bare["launcher"] = servers[0].launcher
    reasons = load_failures(ours, p99_ms=None) + [
        f"bare app: {reason}" for reason in load_failures(bare, p99_ms=None)
    ]
    ratio = None
    if ours["server_cpu_us_per_delivery"] and bare["server_cpu_us_per_delivery"]:
        ratio = round(ours["server_cpu_us_per_delivery"] / bare["server_cpu_us_per_delivery"], 2)
        if ratio > 2:
            reasons.append(f"ratio {ratio} > 2")
    return {"ours": ours, "bare": bare, "ratio": ratio} | verdict(reasons)


async def run_floor(ctx: Context) -> dict:
    """Not a target: what the bare app and this client sustain together, i.e. the highest
    rate the bench can measure at all on this machine."""
    with ctx.servers(app=BARE_APP) as servers:
        result = await steps(ctx, servers, "floor", ctx.options.floor_steps)
        result["launcher"] = servers[0].launcher
    return result | {"verdict": "n/a", "reasons": []}


async def run_rooms(ctx: Context) -> dict:
    plan = LoadPlan(
        rooms=tuple(f"rooms-{n:02d}" for n in range(10)),
        sockets_per_room=20,
        senders_per_room=2,
        room_rate=20,
        seconds=ctx.options.load_seconds,
        batch=ctx.options.batch,
    )
    with ctx.servers() as servers:
        result = await measure(ctx, servers, plan)
    return result | verdict(load_failures(result, p99_ms=50))


async def run_big_room(ctx: Context) -> dict:
    plan = LoadPlan(
        rooms=("big_room",),
        sockets_per_room=1000,
        senders_per_room=5,
        room_rate=5,
        seconds=ctx.options.load_seconds,
        batch=ctx.options.batch,
    )
    with ctx.servers() as servers:
        result = await measure(ctx, servers, plan)
    return result | verdict(load_failures(result, p99_ms=150))


async def run_overload(ctx: Context) -> dict:
    offered, source = overload_rate(ctx)
    plan = replace(
        throughput_plan(offered, "overload", ctx.options.load_seconds, ctx.options.batch),
        resume_on=frozenset({MAY_HAVE_MISSED}),
        max_drain_s=60,
    )
    with ctx.servers() as servers:
        result = await measure(ctx, servers, plan)
    loss = result["loss"]
    reasons = []
    if loss["joined"] < loss["sockets"]:
        reasons.append(f"{loss['sockets'] - loss['joined']} sockets failed to join")
    if loss["silent_loss_sockets"]:
        reasons.append(
            f"silent loss: {loss['silent_loss_sockets']} sockets miss messages "
            "and were never closed"
        )
    if loss["sockets_with_loss"] > loss["silent_loss_sockets"]:
        reasons.append(
            f"{loss['sockets_with_loss'] - loss['silent_loss_sockets']} closed "
            "sockets still miss messages after resuming"
        )
    if loss["duplicates"] or loss["unexpected"]:
        reasons.append(f"{loss['duplicates']} duplicates, {loss['unexpected']} unexpected")
    if loss["client_errors"]:
        reasons.append(f"the bench's reader failed on {loss['client_errors']} sockets")
    return result | {"rate_source": source} | verdict(reasons)


def overload_rate(ctx: Context) -> tuple[int, str]:
    if ctx.options.overload_rate:
        return ctx.options.overload_rate, "--rate"
    sustained = ctx.earlier.get("throughput", {}).get("sustained_deliveries_per_s")
    if sustained:
        return 2 * sustained, "2 x throughput's sustained rate"
    if sustained == 0:
        lowest = min(ctx.options.steps)
        return 2 * lowest, f"2 x throughput's first step ({lowest:,}/s), which failed"
    return 2 * 15000, "2 x the 15,000/s target (throughput not run)"


def handshake_rooms(count: int) -> tuple[str, ...]:
    return tuple(f"hs{count}-{n:03d}" for n in range(count))


async def handshake_storm(ctx: Context, servers: list[ChatServer], rooms: int) -> dict:
    """2,000 sockets over ``rooms`` rooms, ``batch`` connecting at a time, timed to their
    history. Every join is announced (user_join) to the sockets already in its room, so the
    storm costs O(room size) deliveries per handshake on top of the handshake itself."""
    plan = LoadPlan(handshake_rooms(rooms), 2000 // rooms, 0, 0, 0)
    sockets = build_sockets(plan, servers, ctx.seed.users, Tally())
    meters = ctx.meters(servers)
    before = meters.read()
    storm_s = await join_all(sockets, ctx.options.batch)
    cpu = spent(before, meters.read())
    await close_all(sockets, ctx.options.batch)
    joined = [sock.handshake_s * 1000 for sock in sockets if sock.handshake_s is not None]
    return {
        "sockets": len(sockets),
        "joined": len(joined),
        "storm_s": round(storm_s, 2),
        "handshakes_per_s": round(len(joined) / storm_s, 1),
        "handshake_ms": percentiles(joined),
        "join_failures": failures(sockets),
        "server_cpu_ms_per_handshake": round(cpu["server"] / max(len(joined), 1) * 1000, 2),
        "cpu_share": {name: round(seconds / storm_s, 3) for name, seconds in cpu.items()},
    }


async def run_handshakes(ctx: Context, rooms: int = 20) -> dict:
    with ctx.servers() as servers:
        result = await handshake_storm(ctx, servers, rooms)
    # The same storm against the bare app: what the ASGI server and this client manage alone.
    with ctx.servers(app=BARE_APP) as servers:
        result["bare"] = await handshake_storm(ctx, servers, rooms)
    reasons = []
    if result["handshakes_per_s"] < 500:
        reasons.append(f"{result['handshakes_per_s']}/s < 500/s")
    if (result["handshake_ms"]["p99"] or 0) >= 100:
        reasons.append(f"p99 {result['handshake_ms']['p99']} ms >= 100 ms")
    if result["joined"] < result["sockets"]:
        reasons.append(f"{result['sockets'] - result['joined']} sockets failed to join")
    return result | verdict(reasons)


async def idle_memory(ctx: Context, app: str | None = None) -> dict:
    """RSS per idle socket: ``idle_sockets`` over 100 rooms, after a warm-up batch."""
    count = ctx.options.idle_sockets
    rooms = tuple(f"idle-{n:03d}" for n in range(100))
    with ctx.servers(app=app) as servers:
        server = servers[0]
        # One batch first and closed again, so one-time costs (imports, pools, caches) are
        # in "before" and not charged to the sockets.
        tally, meters = Tally(), ctx.meters(servers)
        warmup_plan = LoadPlan(("idle-warmup",), ctx.options.batch, 0, 0, 0)
        warmup = build_sockets(warmup_plan, servers, ctx.seed.users, tally)
        await join_all(warmup, ctx.options.batch)
        await close_all(warmup, ctx.options.batch)
        await settle(tally, meters)
        before = server.rss_kib()
        plan = LoadPlan(rooms, count // len(rooms), 0, 0, 0)
        sockets = build_sockets(plan, servers, ctx.seed.users, tally)
        storm_s = await join_all(sockets, ctx.options.batch)
        settle_s = await settle(tally, meters)
        after = server.rss_kib()
        still_open = sum(sock.open for sock in sockets)
        await close_all(sockets, ctx.options.batch)
    joined = sum(sock.joined for sock in sockets)
    per_socket = (after - before) / joined if joined else None
    return {
        "sockets": len(sockets),
        "joined": joined,
        "open_at_reading": still_open,
        "storm_s": round(storm_s, 2),
        "settle_s": round(settle_s, 1),
        "rss_before_mib": round(before / 1024, 1),
        "rss_after_mib": round(after / 1024, 1),
        "rss_kib_per_socket": round(per_socket, 1) if per_socket is not None else None,
        "join_failures": failures(sockets),
    }


async def run_idle(ctx: Context) -> dict:
    result = await idle_memory(ctx)
    # The same sockets on the bare app: what the ASGI server itself keeps per socket.
    result["bare"] = await idle_memory(ctx, app=BARE_APP)
    reasons = []
    per_socket, count = result["rss_kib_per_socket"], ctx.options.idle_sockets
    if per_socket is None or per_socket > 20:
        reasons.append(f"{per_socket} KiB per socket > 20 KiB")
    if result["joined"] < count or result["open_at_reading"] < result["joined"]:
        reasons.append(
            f"{result['joined']} of {count} joined, {result['open_at_reading']} still open"
        )
    return result | verdict(reasons)


async def settle(tally: Tally, meters: Meters) -> float:
    """Until the join storm's presence frames have stopped and the server is idle."""
    waited, _ = await until_at_rest(tally, meters, quiet_s=1.0, max_s=SETTLE_MAX_S)
    return waited


def failures(sockets: list[ChatSocket]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sock in sockets:
        if sock.join_error:
            counts[sock.join_error] = counts.get(sock.join_error, 0) + 1
    return counts


def target_at_least(value: float, target: float, unit: str) -> dict:
    return verdict([] if value >= target else [f"{value:,.0f} {unit} < {target:,.0f}"])


def _throughput_users(options: Options) -> int:
    return THROUGHPUT_SOCKETS


SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario
    for scenario in (
        Scenario(
            "throughput",
            "1 room x 50 sockets, 5 senders, offered rate raised in steps",
            ">= 15,000 deliveries/s sustained (p99 <= 500 ms, no loss)",
            _throughput_users,
            lambda o: ["throughput"],
            run_throughput,
        ),
        Scenario(
            "cpu",
            "fixed rate against our app and the bare app: server CPU per delivery",
            "ratio <= 2",
            _throughput_users,
            lambda o: ["cpu"],
            run_cpu,
        ),
        Scenario(
            "floor",
            "throughput's steps against the bare app: the bench's own ceiling",
            "none (context)",
            _throughput_users,
            lambda o: [],
            run_floor,
        ),
        Scenario(
            "rooms",
            "10 rooms x 20 sockets, 20 msg/s each (4,000 deliveries/s)",
            "zero loss, p99 <= 50 ms",
            lambda o: 200,
            lambda o: [f"rooms-{n:02d}" for n in range(10)],
            run_rooms,
        ),
        Scenario(
            "big_room",
            "1 room x 1,000 sockets, 5 msg/s",
            "zero loss, zero sockets closed, p99 <= 150 ms",
            lambda o: 1000,
            lambda o: ["big_room"],
            run_big_room,
        ),
        Scenario(
            "handshakes",
            "2,000 sockets over 20 rooms (100 each), 50 connecting at a time",
            ">= 500 handshakes/s, p99 < 100 ms",
            lambda o: 2000,
            lambda o: list(handshake_rooms(20)),
            run_handshakes,
        ),
        Scenario(
            "handshakes_small_rooms",
            "2,000 sockets over 200 rooms (10 each), 50 connecting at a time",
            ">= 500 handshakes/s, p99 < 100 ms",
            lambda o: 2000,
            lambda o: list(handshake_rooms(200)),
            lambda ctx: run_handshakes(ctx, rooms=200),
        ),
        Scenario(
            "idle",
            "10,000 idle sockets over 100 rooms on one worker: RSS per socket",
            "<= 20 KiB per socket",
            lambda o: max(o.idle_sockets, o.batch),
            lambda o: [f"idle-{n:03d}" for n in range(100)] + ["idle-warmup"],
            run_idle,
        ),
        Scenario(
            "two_workers",
            "throughput's steps against 2 workers",
            "sustained >= 1.6 x one worker's, zero loss",
            _throughput_users,
            lambda o: ["two_workers"],
            run_two_workers,
        ),
        Scenario(
            "overload",
            "2 x the sustained rate for 20 s; 4409 closes are resumed",
            "zero silent loss: every socket has every message in the end",
            _throughput_users,
            lambda o: ["overload"],
            run_overload,
        ),
    )
}
