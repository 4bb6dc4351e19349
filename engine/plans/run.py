"""Completing a list's items with a plan, a chunk at a time; an item the plan misses is completed
by graphql-core (``complete_list_item_value``) at its own path, errors and all.

The answer is what ``complete_iterable_value`` answers for the same items. A list longer than a
chunk is completed as ``engine/chunked.py`` does: the event loop gets a turn between chunks, so a
cancelled request stops within one chunk.
"""

from __future__ import annotations

import asyncio
from typing import Any

from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel

from engine.chunked import CHUNK
from engine.plans.compile import Plan


def complete_planned(
    executor: Any,
    plan: Plan,
    item_type: GraphQLOutputType,
    details: FieldDetailsList,
    info: GraphQLResolveInfo,
    path: Path,
    items: list[Any],
    position_context: Any,
) -> Any:
    """The completed list, or an awaitable of it (a long list, or an item graphql-core awaits)."""
    loads = plan.loads(info.context)  # the objects the plan built are added to the executor's count
    run = _Run(executor, plan, loads, item_type, details, info, path, items, position_context)
    if len(items) > CHUNK:
        return run.in_chunks()
    complete_chunk(run, 0, len(items))
    return run.settled() if run.waiting else run.completed


class _Run:
    """One list being completed: its items, what is done so far, and the items still awaited."""

    __slots__ = ("completed", "details", "executor", "info", "item_type", "items", "loads", "path", "plan",
                 "position_context", "waiting")  # fmt: skip

    def __init__(
        self,
        executor: Any,
        plan: Plan,
        loads: list[Any],
        item_type: GraphQLOutputType,
        details: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        items: list[Any],
        position_context: Any,
    ) -> None:
        self.executor, self.plan, self.loads = executor, plan, loads
        self.item_type, self.details, self.info, self.path = item_type, details, info, path
        self.items, self.position_context = items, position_context
        self.completed: list[Any] = []
        self.waiting: list[int] = []  # items graphql-core answered with an awaitable

    async def in_chunks(self) -> list[Any]:
        try:
            for start in range(0, len(self.items), CHUNK):
                if start:
                    await asyncio.sleep(0)  # the turn of the other requests, and of this one's time limit
                complete_chunk(self, start, min(start + CHUNK, len(self.items)))
        except BaseException:
            if started := [self.completed[index] for index in self.waiting]:
                self.executor.settle_in_background(started)
            raise
        return await self.settled() if self.waiting else self.completed

    async def settled(self) -> list[Any]:
        results = await gather_with_cancel(*(self.completed[index] for index in self.waiting))
        for index, result in zip(self.waiting, results, strict=True):
            self.completed[index] = result
        return self.completed


def complete_chunk(run: _Run, start: int, stop: int) -> None:
    """Items ``start`` to ``stop`` completed onto ``run.completed`` (a module function: tests spy on it)."""
    complete, loads, info, items = run.plan.complete, run.loads, run.info, run.items
    completed = run.completed
    append = completed.append
    for index in range(start, stop):
        item = items[index]
        built = loads[-1]
        try:
            append(complete(item, loads, info))
            continue
        except Exception:  # a Miss, or an error graphql-core will report in its own words
            pass
        loads[-1] = built  # graphql-core builds the item again, and counts what it builds
        item_path = run.path.add_key(index, None)
        if run.executor.complete_list_item_value(
            item, completed, run.item_type, run.details, info, item_path, run.position_context
        ):
            run.waiting.append(index)
    run.executor.objects += loads[-1]
    loads[-1] = 0
    run.plan.forget(loads)  # no other request's code runs while a chunk is completed: no value changes
