"""A selection of 100,000 line ids (issue 13, finding 7): how long acceptance and the dry run take,
and how long the event loop is held meanwhile.

    createdb -h 127.0.0.1 -U postgres corpcare_bulk100k_crm   # and _billing, _state
    CORPCARE_CRM_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/corpcare_bulk100k_crm ... \\
        corpcare seed --subscribers 100000 --months 2
    .venv/bin/python -m bench.bulk_selection [--database corpcare_bulk100k] [--runs 5] [--worker-seconds 600]

In process, against the seeded PostgreSQL databases (``--database`` names them without the
``_crm`` / ``_billing`` / ``_state`` suffix). Three figures:
1. one dry run of ``subscriberSuspend`` over ids 1..100,000 as Acme's admin: time until it is
   accepted, then until the bulk worker has completed it;
2. the same over every line of Acme, selected by an empty ``filter``;
3. ``--runs`` such id dry runs sent at once, with the worker running, while Borealis's admin
   asks a small query: how long that query took, and how long all runs took to be accepted
   and to complete;
4. throughout, the longest stretch the event loop served nobody (a task that yields and
   records the gap between its turns).
A worker that has not finished after ``--worker-seconds`` is reported with its lines per second.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from core.ids import from_global_id, to_global_id
from core.scope import RowScope
from engine.build import build_schema
from infra.cache import InProcessCache
from jobs.worker import BulkWorker
from permissions.principal import principal_for
from request.context import Context, PageLimits
from sources import Sources
from sources.db import Engines, create_engine

PG = os.environ.get("CORPCARE_BENCH_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[0]
DRY_RUN = """mutation($ids: [ID!]!) { subscriberSuspend(input: {selection: {ids: $ids}, reason: LEAVE, dryRun: true}) {
  bulkOperation { id total } userErrors { code message } } }"""
BY_FILTER = """mutation { subscriberSuspend(input: {selection: {filter: {}}, reason: LEAVE, dryRun: true}) {
  bulkOperation { id total } userErrors { code message } } }"""
SMALL = "{ viewer { login } subscribers(first: 5) { nodes { msisdn } } }"


class LoopWatch:
    """The longest time between two turns of a task that only yields."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0)
            now = loop.time()
            self.longest, last = max(self.longest, now - last), now

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.ensure_future(self._tick())
        return self

    def __exit__(self, *_: Any) -> None:
        assert self._task is not None
        self._task.cancel()


@dataclass
class Bench:
    sources: Sources
    schema: Any

    async def run(self, login: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        user = await self.sources.crm.portal_user_by_login(login)
        assert user is not None, login
        context = Context.of(principal_for(user), self.sources, request_id=uuid.uuid4().hex, pages=PageLimits(50, 2000))
        result = await self.schema.execute(query, variable_values=variables, context_value=context)
        assert result.errors is None, [error.formatted for error in result.errors]
        return result.data  # type: ignore[no-any-return]

    async def dry_run(self, ids: list[str]) -> int:
        payload = (await self.run("acme.admin", DRY_RUN, {"ids": ids}))["subscriberSuspend"]
        assert payload["userErrors"] == [], payload["userErrors"]
        return from_global_id(payload["bulkOperation"]["id"])[1]

    async def dry_run_by_filter(self) -> tuple[int, int]:
        """Every line of the company, selected by an empty filter: (operation, lines)."""
        payload = (await self.run("acme.admin", BY_FILTER))["subscriberSuspend"]
        assert payload["userErrors"] == [], payload["userErrors"]
        return from_global_id(payload["bulkOperation"]["id"])[1], payload["bulkOperation"]["total"]

    async def done(self, keys: list[int]) -> int:
        rows = await self.sources.bulk.operations(keys, RowScope.everything())
        return sum(row.done for row in rows)

    async def completed(self, keys: list[int]) -> bool:
        rows = await self.sources.bulk.operations(keys, RowScope.everything())
        return all(row.status == "completed" for row in rows)


async def work_until_done(bench: Bench, keys: list[int], limit: float, total: int) -> str:
    """Time for the running worker to complete ``keys``, or its pace when it is not done by ``limit``."""
    started = time.perf_counter()
    while not await bench.completed(keys):
        if time.perf_counter() - started > limit:
            done = await bench.done(keys)
            return f"not done after {limit:.0f} s: {done:,} of {total:,} lines ({done / limit:,.0f} lines/s)"
        await asyncio.sleep(0.2)
    return f"{time.perf_counter() - started:.1f} s"


async def main(database: str, selected: int, runs: int, worker_seconds: float) -> None:
    engines = Engines(*(create_engine(f"{PG}/{database}_{part}") for part in ("crm", "billing", "state")))
    bench = Bench(Sources.over(engines, InProcessCache()), build_schema())
    ids = [to_global_id("Subscriber", key) for key in range(1, selected + 1)]
    async with engines.state.begin() as conn:  # a private database: no earlier run's work left to finish
        await conn.execute(text("delete from bulk_items"))
        await conn.execute(text("delete from bulk_operations"))
    print(f"# {selected:,}-id dry runs on {database} (PostgreSQL)\n")
    worker = BulkWorker(bench.sources, poll_seconds=0.1)
    try:
        with LoopWatch() as watch:
            started = time.perf_counter()
            key = await bench.dry_run(ids)
            accepted = time.perf_counter() - started
            worker.start()
            completed = await work_until_done(bench, [key], worker_seconds, selected)
        print(f"one dry run: accepted in {accepted:.2f} s; worker: {completed}; longest loop gap {watch.longest:.2f} s")

        with LoopWatch() as watch:
            started = time.perf_counter()
            key, total = await bench.dry_run_by_filter()
            accepted = time.perf_counter() - started
            completed = await work_until_done(bench, [key], worker_seconds, total)
        print(
            f"the whole company by filter ({total:,} lines): accepted in {accepted:.2f} s; worker: {completed}; "
            f"longest loop gap {watch.longest:.2f} s"
        )

        with LoopWatch() as watch:
            started = time.perf_counter()
            sent = [asyncio.ensure_future(bench.dry_run(ids)) for _ in range(runs)]
            await asyncio.sleep(0)
            asked = time.perf_counter()
            await bench.run("borealis.admin", SMALL)
            small = time.perf_counter() - asked
            in_flight = sum(not task.done() for task in sent)
            keys = await asyncio.gather(*sent)
            all_accepted = time.perf_counter() - started
            completed = await work_until_done(bench, keys, worker_seconds, selected * runs)
        print(
            f"{runs} at once: the other company's small query took {small:.2f} s ({in_flight} of {runs} still being "
            f"accepted when it was answered); all accepted in {all_accepted:.2f} s; worker: {completed}; "
            f"longest loop gap {watch.longest:.2f} s"
        )
    finally:
        await worker.stop(grace_seconds=2)
        await engines.dispose()


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="corpcare_bulk100k")
    parser.add_argument("--selected", type=int, default=100_000, help="ids in each selection (1..N)")
    parser.add_argument("--runs", type=int, default=5, help="dry runs sent at once")
    parser.add_argument("--worker-seconds", type=float, default=600.0, help="give up waiting for the worker after")
    args = parser.parse_args()
    asyncio.run(main(args.database, args.selected, args.runs, args.worker_seconds))


if __name__ == "__main__":
    cli()
