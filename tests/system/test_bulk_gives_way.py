"""Bulk work gives way to the requests running in its process before each chunk (jobs/worker.py),
and still gets done on a server that is never idle."""

from __future__ import annotations

import asyncio

from core.ids import from_global_id
from core.scope import RowScope
from infra.fair_share import FairShare
from infra.pacing import give_way
from jobs.bulk_work import work_through
from jobs.worker import BulkWorker
from tests.api.bulk.test_bulk_selection import SUSPEND, selection
from tests.waiting import within


async def turns(count: int = 50) -> None:
    """Let every ready task run ``count`` times (no time passes that anything waits on)."""
    for _ in range(count):
        await asyncio.sleep(0)


async def test_it_waits_while_a_request_runs_and_goes_on_when_it_ends():
    share = FairShare()
    ticket = share.admit("7", cost=10)
    waiting = asyncio.create_task(give_way(share, most_seconds=3600))
    await turns()
    assert not waiting.done(), "the worker went on while a request was running"
    ticket.release()
    await within(waiting)
    await within(give_way(share, most_seconds=3600))  # nothing running: at once


async def test_on_a_server_that_is_never_idle_it_goes_on_after_its_longest_wait():
    share = FairShare()
    ticket = share.admit("7", cost=10)
    await within(give_way(share, most_seconds=0))
    assert share.running() == 1
    ticket.release()
    assert share.running() == 0


async def test_the_worker_gives_way_before_every_chunk(bulk_world, customer_admin, monkeypatch):
    lines = 3_000
    request = {"selection": {"ids": selection(lines)}, "reason": "LEAVE", "dryRun": True}
    payload = (await bulk_world.data(customer_admin, SUSPEND, {"input": request}))["subscriberSuspend"]
    key = from_global_id(payload["bulkOperation"]["id"])[1]
    seen: list[int] = []

    def counted(inner):
        async def give_way_counted() -> None:
            seen.append(1)
            await inner()

        return give_way_counted

    async def counting(*args, **kwargs):
        return await work_through(*args, **{**kwargs, "give_way": counted(kwargs["give_way"])})

    monkeypatch.setattr("jobs.worker.work_through", counting)
    await BulkWorker(bulk_world.sources, chunk=1000, share=FairShare()).drain()
    [row] = await bulk_world.sources.bulk.operations([key], RowScope.everything())
    assert row.status == "completed" and row.done == lines
    assert len(seen) >= lines // 1000, seen
