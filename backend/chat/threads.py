"""Running blocking service code (database, Redis) from the event loop."""

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

_pool: ThreadPoolExecutor | None = None


def in_thread(func):
    """``func`` as a coroutine function that runs in the service threads (``SERVICE_THREADS``),
    closing stale database connections around each call as Django's request cycle would.

    This is channels' database_sync_to_async(thread_sensitive=False) without asgiref's
    machinery for thread-sensitive code and context propagation, which none of our services
    need: it runs on every frame a socket sends, and the hop is cheaper by about a third.
    """

    @functools.wraps(func)
    async def run(*args, **kwargs):
        call = functools.partial(_call_with_fresh_connections, func, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(service_threads(), call)

    return run


def service_threads() -> ThreadPoolExecutor:
    """Few threads on purpose: each blocking call lets go of the GIL and takes it back, and
    the more threads wait for it alongside the event loop, the more CPU goes to handing it
    around (docs/performance.md). Each thread holds at most one database connection."""
    global _pool
    if _pool is None:
        count = settings.CHAT["SERVICE_THREADS"]
        _pool = ThreadPoolExecutor(max_workers=count, thread_name_prefix="service")
    return _pool


def _call_with_fresh_connections(func, args, kwargs):
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_old_connections()
