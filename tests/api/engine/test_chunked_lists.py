"""A long list is completed a chunk at a time with the event loop given a turn between chunks, so
other requests run meanwhile and a request stopped at its time limit (a cancellation) stops
within one chunk instead of running its whole answer on the loop (issue 13, finding 7)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from engine.chunked import CHUNK
from engine.executor import LevelExecutor
from engine.plans import run as plan_run

PAGE = "{ subscribers(first: 2000) { nodes { id msisdn status } } }"


class Watched:
    """Counts the page's items as they are completed (by graphql-core, or a chunk at a time by a
    compiled plan); ``started`` once the first one is."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.completed = 0
        self.planning = False
        self.started = asyncio.Event()
        original = LevelExecutor.complete_list_item_value
        planned = plan_run.complete_chunk

        def counting_chunk(run: Any, start: int, stop: int) -> None:
            self.planning = True  # an item the plan misses is counted once, here
            try:
                planned(run, start, stop)
            finally:
                self.planning = False
            if len(run.path.as_list()) == 2:  # subscribers.nodes
                self.completed += stop - start
                self.started.set()

        monkeypatch.setattr(plan_run, "complete_chunk", counting_chunk)

        def counting(executor: Any, item: Any, results: list[Any], *args: Any) -> bool:
            if len(args[3].as_list()) == 3 and not self.planning:  # subscribers.nodes.<index>
                self.completed += 1
                self.started.set()
            return bool(original(executor, item, results, *args))

        monkeypatch.setattr(LevelExecutor, "complete_list_item_value", counting)


@pytest.mark.parametrize("plans", ["0", "1"])
async def test_a_long_page_gives_the_loop_a_turn_between_chunks_and_stops_when_cancelled(
    large_world, customer_admin, monkeypatch, plans
):
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", plans)
    total = len((await large_world.data(customer_admin, PAGE))["subscribers"]["nodes"])
    assert total > 2 * CHUNK
    watched = Watched(monkeypatch)
    request = asyncio.create_task(large_world.run(customer_admin, PAGE))
    await watched.started.wait()
    # This task runs while the page is being completed: the rest of it is still to do.
    assert watched.completed < total
    request.cancel()  # what the request's time limit does
    with pytest.raises(asyncio.CancelledError):
        await request
    assert watched.completed <= 2 * CHUNK


async def test_a_long_page_completed_in_chunks_is_the_same_answer(large_world, customer_admin):
    page = await large_world.data(customer_admin, PAGE)
    short = await large_world.data(customer_admin, PAGE.replace("2000", str(CHUNK)))
    assert page["subscribers"]["nodes"][:CHUNK] == short["subscribers"]["nodes"]
