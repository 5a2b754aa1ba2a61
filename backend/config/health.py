"""Liveness and readiness probes for load balancers and orchestrators."""

import asyncio

from django.db import connection
from django.http import JsonResponse

from chat.delivery.broker import broker
from chat.threads import in_thread

TIMEOUT = 2.0


async def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _check(probe) -> str:
    try:
        await asyncio.wait_for(probe(), TIMEOUT)
    except Exception:
        return "error"
    return "ok"


async def readyz(request) -> JsonResponse:
    # Both at once, so the probe answers within TIMEOUT even when both parts hang.
    database, broadcasts = await asyncio.gather(
        _check(in_thread(_database_answers)), _check(in_thread(broker().check))
    )
    ready = database == "ok" and broadcasts == "ok"
    # "channel_layer" is the broadcast path's name from before it left Channels' channel layer;
    # the key stays for the clients and probes that read it.
    body = {"status": "ok" if ready else "error", "database": database, "channel_layer": broadcasts}
    return JsonResponse(body, status=200 if ready else 503)
