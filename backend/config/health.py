"""Liveness and readiness probes for load balancers and orchestrators.

/readyz answers within BUDGET seconds (docs/protocol.md), whatever PostgreSQL and Redis do. Its two
checks run at once, on threads of their own rather than the service threads the sockets need, and
each is bounded twice: by its own connect and read timeouts, so that its thread is free again soon
after, and by one deadline for both, after which a check that has not answered counts as failed.
"""

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import redis
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend
from django.http import JsonResponse
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

# The answer's budget, and the checks' share of it: the rest is the request's own way in and out.
BUDGET = 2.0
DEADLINE = 1.5
# PostgreSQL's (libpq's and psycopg's) smallest connect timeout, in whole seconds.
DATABASE_CONNECT_TIMEOUT = 2

# Probes come every few seconds and each check frees its thread within about its timeouts, so a
# few threads suffice even while both services hang.
_probe_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


async def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def check_database() -> None:
    """SELECT 1 on a connection of its own, opened with a connect timeout and closed after.

    Not the worker's persistent connection: that one's connect cannot be bounded per call, and a
    probe that hung on it would hold it.
    """
    settings_dict = {**connections[DEFAULT_DB_ALIAS].settings_dict}
    if settings_dict["ENGINE"].endswith("postgresql"):
        options = {**settings_dict.get("OPTIONS", {}), "connect_timeout": DATABASE_CONNECT_TIMEOUT}
        settings_dict["OPTIONS"] = options
    probe = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    try:
        with probe.cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        probe.close()


def check_redis() -> None:
    """PING on a connection of its own, with no retry, closed after.

    Not the shared client's: its timeouts and retries are made to ride out a Redis restart (about
    20 s in all), far past the budget. Without REDIS_URL broadcasts stay in the process
    (chat/delivery/broker.py) and there is nothing to ask.
    """
    if not settings.REDIS_URL:
        return
    client = redis.Redis.from_url(
        settings.REDIS_URL,
        socket_connect_timeout=DEADLINE,
        socket_timeout=DEADLINE,
        retry=Retry(NoBackoff(), 0),
    )
    try:
        client.ping()
    finally:
        client.close()


async def run_checks(checks: dict[str, Callable[[], None]]) -> dict[str, str]:
    """Each check's outcome, "ok" or "error", after at most DEADLINE seconds."""
    loop = asyncio.get_running_loop()
    running = {name: loop.run_in_executor(_probe_threads, check) for name, check in checks.items()}
    await asyncio.wait(running.values(), timeout=DEADLINE)
    return {name: _outcome(name, future) for name, future in running.items()}


def _outcome(name: str, future: asyncio.Future) -> str:
    if not future.done():
        # Its thread ends on the check's own timeouts; nothing waits for it.
        future.cancel()
        logger.warning("readiness: %s did not answer within %s s", name, DEADLINE)
        return "error"
    if future.exception() is not None:
        logger.warning("readiness: %s failed: %r", name, future.exception())
        return "error"
    return "ok"


async def readyz(request) -> JsonResponse:
    # "channel_layer" is the broadcast path's name from before it left Channels' channel layer;
    # the key stays for the clients and probes that read it.
    outcomes = await run_checks({"database": check_database, "channel_layer": check_redis})
    ready = all(outcome == "ok" for outcome in outcomes.values())
    body = {"status": "ok" if ready else "error", **outcomes}
    return JsonResponse(body, status=200 if ready else 503)
