"""Running blocking service code (database, Redis) from the event loop."""

import asyncio
import functools

from django.db import close_old_connections


def in_thread(func):
    """``func`` as a coroutine function that runs in the loop's thread pool (not one thread),
    closing stale database connections around each call as Django's request cycle would.

    This is channels' database_sync_to_async(thread_sensitive=False) without asgiref's
    machinery for thread-sensitive code and context propagation, which none of our services
    need: it runs on every frame a socket sends, and the hop is cheaper by about a third.
    """

    @functools.wraps(func)
    async def run(*args, **kwargs):
        call = functools.partial(_call_with_fresh_connections, func, args, kwargs)
        return await asyncio.get_running_loop().run_in_executor(None, call)

    return run


def _call_with_fresh_connections(func, args, kwargs):
    close_old_connections()
    try:
        return func(*args, **kwargs)
    finally:
        close_old_connections()
