"""Waiting on what the test waits for, not on the clock.

A sleep says how fast the machine is; on a busy CI host it is wrong, and the test lies. These
helpers wait until a condition holds or a message arrives. Their bound is generous on purpose:
it only stops a test that would otherwise hang, it is never what the test measures.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Far past anything a loaded machine needs; reaching it means the awaited thing never happened.
PATIENCE = 60.0


async def eventually(
    check: Callable[[], T | Awaitable[T]], what: str, *, seconds: float = PATIENCE, every: float = 0.02
) -> T:
    """Ask ``check`` until it answers something true; that answer."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        answer = check()
        if inspect.isawaitable(answer):
            answer = await answer
        if answer:
            return answer  # type: ignore[return-value]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"gave up after {seconds:g} s waiting for {what}")
        await asyncio.sleep(every)


async def within(awaitable: Awaitable[T], seconds: float = PATIENCE) -> T:
    """``awaitable``'s result, or a failure if it hangs."""
    return await asyncio.wait_for(awaitable, seconds)


async def until(condition: Callable[[], bool], what: str, turns: int = 100) -> None:
    """Yield to the event loop, no time passing, until ``condition`` holds: for a test that must act
    in the very turn of the loop where something became true (``eventually`` may pass many)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError(f"{what} did not happen within {turns} turns of the loop")
