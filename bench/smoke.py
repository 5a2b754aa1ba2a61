"""`python -m bench --smoke`: the whole pipeline, small and fast, for `make test`.

It starts what a real run starts (Redis, a scratch database, the seed, a server of the chosen
kind, the bare app), sends a few messages a second for three seconds into one small room, and
runs the loss check. Two sockets take the unhappy paths on purpose:

- one is dropped by the client and resumes with `after=`; the server runs with RESUME_LIMIT=5,
  so the resumed history comes with has_more and the rest is paged over REST;
- one, in a room of its own with a fast sender of long messages, stops reading behind a 4 KiB
  receive buffer. About 4 MiB fit in the kernel's buffers; past them a server that bounds what
  a socket may fall behind (SOCKET_BACKLOG, set small here) closes it with 4409, and the
  client resumes. A server that buffers without bound delivers it all late instead; the smoke
  says which happened and passes either way, as long as nothing is missing.

No timing is asserted. The exit status is non-zero when a message is lost, a socket is closed
other than by 4409, a server log has a traceback, or the machinery failed.
"""

import asyncio

from bench.client import MAY_HAVE_MISSED, ChatSocket, Tally
from bench.context import Context, Scenario
from bench.load import LoadPlan, build_sockets, run_load
from bench.report import loss_text
from bench.runner import RunSettings, run_scenarios, services
from bench.scenarios import measure
from bench.server import BARE_APP

SMOKE_USERS = 10
SMOKE_ENV = {"RESUME_LIMIT": "5", "SOCKET_BACKLOG": "5"}
SMOKE_ROOMS = ["smoke", "smoke-flood"]
RESUMING = frozenset({MAY_HAVE_MISSED})
CHAT_PLAN = LoadPlan(("smoke",), 5, 1, room_rate=20, seconds=3, resume_on=RESUMING, max_drain_s=20)
# 1,400 messages of 3,900 characters while the reader stalls: ~5.5 MB, more than the kernel holds.
FLOOD_PLAN = LoadPlan(
    ("smoke-flood",),
    2,
    1,
    room_rate=400,
    seconds=3.5,
    resume_on=RESUMING,
    max_drain_s=30,
    padding=3900,
)
BARE_PLAN = LoadPlan(("smoke",), 3, 1, room_rate=20, seconds=1, max_drain_s=10)


async def drop_one(sockets: list[ChatSocket]) -> None:
    await asyncio.sleep(0.5)
    await sockets[-1].drop_and_resume(away_s=1.0)


async def stall_one(sockets: list[ChatSocket]) -> None:
    await asyncio.sleep(0.1)
    await sockets[-1].stall(FLOOD_PLAN.seconds)


async def run_smoke_load(ctx: Context) -> dict:
    with ctx.servers(extra_env=SMOKE_ENV) as servers:
        log, meters = ctx.log_for(servers), ctx.meters(servers)
        chat_sockets = build_sockets(CHAT_PLAN, servers, ctx.seed.users, Tally())
        flood_users = ctx.seed.users[len(chat_sockets) :]
        flood_sockets = build_sockets(FLOOD_PLAN, servers, flood_users, Tally())
        flood_sockets[-1].small_receive_buffer = True
        chat, flood = await asyncio.gather(
            run_load(CHAT_PLAN, chat_sockets, log, meters, during=drop_one),
            run_load(FLOOD_PLAN, flood_sockets, log, meters, during=stall_one),
        )
    with ctx.servers(app=BARE_APP) as servers:
        bare = await measure(ctx, servers, BARE_PLAN)
        bare["launcher"] = servers[0].launcher
    problems = chat_problems(chat) + [f"flood room: {p}" for p in chat_problems(flood)]
    problems += [f"bare app: {p}" for p in chat_problems(bare)]
    if chat["loss"]["client_drops"] < 1 or chat["loss"]["rest_pages"] < 1:
        problems.append("the resume path did not run (no client drop or no REST page)")
    return {"chat": chat, "flood": flood, "bare": bare} | {
        "verdict": "fail" if problems else "pass",
        "reasons": problems,
    }


def chat_problems(result: dict) -> list[str]:
    loss = result["loss"]
    problems = []
    if loss["joined"] < loss["sockets"]:
        problems.append(f"sockets failed to join: {loss['join_failures']}")
    if loss["missing_total"] or loss["duplicates"] or loss["unexpected"]:
        problems.append(f"loss: {loss_text(loss)}; {loss['unexpected']} unexpected")
    unexpected_closes = {
        code: n for code, n in loss["closed_by_server"].items() if code != str(MAY_HAVE_MISSED)
    }
    if unexpected_closes:
        problems.append(f"sockets closed by the server: {unexpected_closes}")
    if loss["error_frames"]:
        problems.append(f"{loss['error_frames']} error frames")
    if loss["client_errors"]:
        problems.append(f"the bench's reader failed on {loss['client_errors']} sockets")
    if not result["sent"]:
        problems.append("nothing was sent")
    return problems


SMOKE = Scenario(
    "smoke",
    "a few sockets, a sender, a drop and a stall",
    "nothing lost",
    lambda o: SMOKE_USERS,
    lambda o: list(SMOKE_ROOMS),
    run_smoke_load,
)


def run_smoke(settings: RunSettings) -> int:
    failed = False
    for kind in settings.server_kinds:
        with services(settings, kind, users=SMOKE_USERS, rooms=SMOKE_ROOMS) as (
            config,
            seed,
            redis,
        ):
            context = Context(config, seed, redis, settings.options)
            result = run_scenarios(context, [SMOKE], settings.client_loop)["smoke"]
        failed |= report_smoke(kind, result)
    return 1 if failed else 0


def report_smoke(kind: str, result: dict) -> bool:
    """Prints what the smoke saw; True when it failed."""
    problems = list(result.get("reasons", []))
    if result["server_log"]["tracebacks"]:
        problems.append(f"{result['server_log']['tracebacks']} tracebacks in the server logs")
        problems += result["server_log"]["excerpt"]
    if "chat" in result:
        chat, flood = result["chat"], result["flood"]
        forced = flood["loss"]["closed_by_server"].get(str(MAY_HAVE_MISSED), 0)
        stalled = (
            f"closed with 4409 and resumed ({flood['loss']['rest_pages']} REST pages)"
            if forced
            else "not closed (the server buffered it all)"
        )
        print(
            f"  {kind}: room: {chat['sent']} sent, {chat['loss']['received']} of "
            f"{chat['loss']['expected']} expected received, dropped socket resumed with "
            f"{chat['loss']['rest_pages']} REST pages; flood room: {flood['sent']} sent, stalled "
            f"socket {stalled}; bare app via {result['bare']['launcher']}"
        )
    for problem in problems:
        print(f"  FAIL: {problem}")
    print(f"smoke ({kind}): {'FAIL' if problems else 'ok'} in {result['seconds']} s")
    return bool(problems)
