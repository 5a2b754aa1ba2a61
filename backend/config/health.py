"""Liveness and readiness probes for load balancers and orchestrators."""

import asyncio
import uuid

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection
from django.http import JsonResponse

TIMEOUT = 2.0


async def healthz(request) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


async def _channel_layer_answers() -> None:
    # A round trip through the layer proves the whole path a broadcast takes.
    layer = get_channel_layer()
    channel = await layer.new_channel("readyz.")
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "readyz", "token": token})
    message = await layer.receive(channel)
    if message.get("token") != token:
        raise RuntimeError("channel layer returned the wrong message")


async def _check(probe) -> str:
    try:
        await asyncio.wait_for(probe(), TIMEOUT)
    except Exception:
        return "error"
    return "ok"


async def readyz(request) -> JsonResponse:
    database = await _check(sync_to_async(_database_answers, thread_sensitive=False))
    layer = await _check(_channel_layer_answers)
    ready = database == "ok" and layer == "ok"
    body = {"status": "ok" if ready else "error", "database": database, "channel_layer": layer}
    return JsonResponse(body, status=200 if ready else 503)
