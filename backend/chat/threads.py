"""Running blocking service code (database, Redis) from the event loop."""

import asyncio
import functools
import logging
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

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


def outcome_of(func, *args, **kwargs):
    """What ``func`` returned, or the error it raised: one call's outcome in a batch."""
    try:
        return func(*args, **kwargs)
    except Exception as error:
        return error


def in_thread_batches(func, *, most: int, abandoned=None):
    """``func``, which takes a list of calls and returns the outcome of each (what it returned,
    or the exception it raised), as a coroutine function of one call that runs in the service
    threads: the calls made while the threads are busy go there together, up to ``most`` at a
    time. A lone call goes at once, as with ``in_thread``; a storm of them costs one hop, and
    whatever round trips ``func`` shares, per batch instead of per call.

    ``abandoned(call, result)``, a coroutine function, is given what a call returned when its
    caller went away (was cancelled) meanwhile: what it opened, nobody else will close."""
    return _Batches(in_thread(func), most, abandoned)


class _Batches:
    def __init__(self, run_batch, most: int, abandoned) -> None:
        self._run_batch = run_batch
        self._most = most
        self._abandoned = abandoned
        self._waiting: list[tuple[object, asyncio.Future]] = []
        self._running = 0
        self._tasks: set[asyncio.Task] = set()  # the loop keeps only weak references

    async def __call__(self, call):
        future = asyncio.get_running_loop().create_future()
        self._waiting.append((call, future))
        self._schedule()
        return await future

    def _schedule(self) -> None:
        # At the end of the loop's turn: the calls made in the same turn go together (the first
        # _start takes them all, the others find none left).
        if self._running < settings.CHAT["SERVICE_THREADS"]:
            asyncio.get_running_loop().call_soon(self._start)

    def _start(self) -> None:
        while self._waiting and self._running < settings.CHAT["SERVICE_THREADS"]:
            batch, self._waiting = self._waiting[: self._most], self._waiting[self._most :]
            self._running += 1
            task = asyncio.ensure_future(self._run(batch))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[object, asyncio.Future]]) -> None:
        try:
            outcomes = await self._run_batch([call for call, _ in batch])
        except BaseException as error:
            outcomes = [error] * len(batch)
        finally:
            self._running -= 1
            if self._waiting:
                self._schedule()
        gone = []
        for (call, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # its caller went away
                if self._abandoned is not None and not isinstance(outcome, BaseException):
                    gone.append((call, outcome))
            elif isinstance(outcome, asyncio.CancelledError):
                future.cancel()
            elif isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
        for call, outcome in gone:
            try:
                await self._abandoned(call, outcome)
            except Exception as error:
                logger.warning("cleaning up after an abandoned call failed: %r", error)
