"""Service calls in batches (chat/threads.py, ``in_thread_batches``)."""

import asyncio
import threading

import pytest

from chat.threads import in_thread_batches

# The service threads close stale database connections around every call.
pytestmark = pytest.mark.django_db


class Recorder:
    """A batch function that records its batches; a call "fail" has ValueError as its outcome,
    and a batch holding "crash" raises as a whole. Each batch waits for ``go`` in its thread."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.go = threading.Event()
        self.go.set()

    def __call__(self, calls: list[str]) -> list:
        self.go.wait(5)
        self.batches.append(calls)
        if "crash" in calls:
            raise RuntimeError("the whole batch failed")
        return [ValueError(call) if call == "fail" else call.upper() for call in calls]


async def test_calls_made_together_go_in_one_batch_each_with_its_own_outcome():
    recorder = Recorder()
    run = in_thread_batches(recorder, most=10)
    outcomes = await asyncio.gather(run("a"), run("fail"), run("b"), return_exceptions=True)
    assert outcomes[0] == "A" and outcomes[2] == "B"
    assert isinstance(outcomes[1], ValueError)
    assert recorder.batches == [["a", "fail", "b"]]


async def test_a_lone_call_goes_at_once_and_calls_meanwhile_wait_for_a_thread(settings):
    settings.CHAT = {**settings.CHAT, "SERVICE_THREADS": 1}
    recorder = Recorder()
    recorder.go.clear()
    run = in_thread_batches(recorder, most=2)
    first = asyncio.ensure_future(run("first"))
    await asyncio.sleep(0.05)  # running in the one thread, held there
    rest = [asyncio.ensure_future(run(name)) for name in ("b", "c", "d")]
    await asyncio.sleep(0.05)
    recorder.go.set()
    assert await first == "FIRST"
    assert await asyncio.gather(*rest) == ["B", "C", "D"]
    assert recorder.batches == [["first"], ["b", "c"], ["d"]]


async def test_a_batch_that_raises_fails_its_calls_and_the_next_batches_still_run():
    recorder = Recorder()
    run = in_thread_batches(recorder, most=10)
    failed = await asyncio.gather(run("a"), run("crash"), return_exceptions=True)
    assert all(isinstance(outcome, RuntimeError) for outcome in failed)
    assert await run("b") == "B"


async def test_a_caller_that_goes_away_leaves_the_others_their_outcomes_and_its_own_is_handed_on():
    recorder = Recorder()
    recorder.go.clear()
    handed_on = []

    async def abandoned(call, result):
        handed_on.append((call, result))

    run = in_thread_batches(recorder, most=10, abandoned=abandoned)
    gone = asyncio.ensure_future(run("gone"))
    staying = asyncio.ensure_future(run("staying"))
    await asyncio.sleep(0.05)
    gone.cancel()
    recorder.go.set()
    assert await staying == "STAYING"
    with pytest.raises(asyncio.CancelledError):
        await gone
    await asyncio.sleep(0)
    assert handed_on == [("gone", "GONE")]
