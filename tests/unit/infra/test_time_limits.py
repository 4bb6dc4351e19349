"""A time limit stops the work it limits, and its timer, cancelled when the work ends early and
left in the loop's schedule until it would have fired, holds nothing of that work's context."""

from __future__ import annotations

import asyncio
import gc
import weakref
from contextvars import ContextVar

import pytest

from infra.time_limits import time_limit, time_limit_at


class Answer:
    """Stands for a request's answer, reachable from its context."""


held: ContextVar[Answer | None] = ContextVar("held", default=None)


async def test_work_that_outlasts_its_time_limit_is_stopped():
    never = asyncio.Event()
    with pytest.raises(TimeoutError):
        async with time_limit(0.01):
            await never.wait()
    with pytest.raises(TimeoutError):
        async with time_limit_at(asyncio.get_running_loop().time()):
            await never.wait()


async def test_a_time_limit_left_early_keeps_nothing_of_its_context_while_its_timer_is_pending():
    async def request() -> weakref.ref[Answer]:
        answer = Answer()
        held.set(answer)
        async with time_limit(300):  # left at once: the timer stays scheduled, cancelled, for 300 s
            pass
        return weakref.ref(answer)

    # A timer due sooner, as a serving process always has: the loop drops a cancelled timer at once
    # only when it is the next one due.
    sooner = asyncio.get_running_loop().call_later(60, lambda: None)
    try:
        answered = await asyncio.create_task(request())
        await asyncio.sleep(0)  # the finished task's last callbacks have run
        gc.collect()
        assert answered() is None
    finally:
        sooner.cancel()


async def test_no_limit_is_no_limit():
    async with time_limit(None) as limit:
        assert limit.when() is None
