"""Bulk operations as callers see them: listed, their per-line results paged, cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from core.errors import CorpcareError, NotFound
from core.ids import from_global_id, to_global_id
from core.scope import RowScope
from loaders.bulk_operations import BulkOperationByIdLoader
from loaders.cursors import Keyset, PageArgs, Window, key32, key64, span_of, window_of
from permissions.principal import require
from request.context import Info
from resolvers import stored_answers
from resolvers.line_operations import permission_for
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.node import load_node
from resolvers.shared_events import EVENTS
from resolvers.unit_changes import Conflict
from sources import Sources
from sources.state.bulk_operations import (
    OPEN_STATUSES,
    BulkOperationRow,
    ItemResult,
    from_progress_event,
    progress_channel,
    progress_event,
)

RESULTS_PAGE_MAX = 1000
PROGRESS_POLL_SECONDS = 5.0


OPERATIONS = Keyset("bulkOperations", (key64,))
RESULTS = Keyset("bulkOperationResults", (key32,))


async def bulk_operations(info: Info, statuses: list[str], page: PageArgs) -> Window:
    """The operations in the caller's view, newest first."""
    context = info.context
    span = span_of(OPERATIONS, page, default=context.pages.default_size, maximum=context.pages.max_size)
    bulk, scope = context.sources.bulk, context.principal.scope
    rows = await bulk.page(scope, statuses, span)
    return window_of(rows, span, lambda row: OPERATIONS.cursor(row.id), lambda: bulk.count(scope, statuses))


async def bulk_results(info: Info, operation: BulkOperationRow, outcomes: list[str], page: PageArgs) -> Window:
    """Finished lines of one operation, in line order, as the caller may see them now: a line
    that has left its view reads as not found (``resolvers.stored_answers``)."""
    context = info.context
    span = span_of(RESULTS, page, default=context.pages.default_size, maximum=RESULTS_PAGE_MAX)
    # A line out of view reads as FAILED whatever it was kept as: when FAILED is asked for, any
    # kept outcome may turn into one, so all are read; otherwise such lines drop out.
    read = [] if "failed" in outcomes else outcomes
    bulk = context.sources.bulk
    shown: list[ItemResult] = []
    reading = span
    while len(shown) <= span.limit:
        rows = await bulk.results(operation.id, read, reading)
        judged = await stored_answers.as_seen_now(context, rows)
        shown += [row for row in judged if not outcomes or row.outcome in outcomes]
        if len(rows) <= span.limit:
            break
        passed = (rows[-1].line_id,)
        reading = replace(reading, before=passed) if span.backward else replace(reading, after=passed)
    return window_of(
        shown[: span.fetch],
        span,
        lambda row: RESULTS.cursor(row.line_id),
        lambda: bulk.count_results(operation.id, outcomes),
    )


@dataclass(slots=True)
class CancelOutcome:
    operation_id: int | None
    user_errors: list[UserErrorRecord]


async def cancel(info: Info, global_id: str, key: str | None) -> CancelOutcome:
    """Lines not yet reached are skipped (CANCELLED); lines already changed stay changed."""
    echo = {"bulk_operation": global_id}

    async def work() -> dict[str, Any]:
        context = info.context
        operation: BulkOperationRow | None = None
        try:
            operation = await load_node(context, global_id, expect="BulkOperation")
            assert operation is not None
            require(
                context.principal,
                permission_for(operation.operation),
                "You may not change what this operation changes.",
            )
            if not await context.sources.bulk.request_cancel(operation.id):
                raise Conflict("The operation has already ended.")
            # Its followers hear it now, not at their next poll (nor only when a worker next reports).
            await announce_progress(context.sources, operation.id)
        except CorpcareError as failure:
            error = {"field": ["bulkOperation"], "code": failure.code, "message": failure.message}
            answer = {"operation_id": operation.id if operation else None, "user_errors": [error]}
            allowed = False
        else:
            answer, allowed = {"operation_id": operation.id, "user_errors": []}, True
        targets = (("BulkOperation", operation.id),) if operation else ()
        await audit_change(context, "bulkOperationCancel", allowed=allowed, detail={"input": echo}, targets=targets)
        context.loader(BulkOperationByIdLoader).clear_all()
        return answer

    answer, key_error = await once(info, "bulkOperationCancel", key, echo, work)
    if answer is None:
        answer = {"operation_id": None, "user_errors": [key_error]}
    return CancelOutcome(answer.get("operation_id"), [UserErrorRecord(**error) for error in answer["user_errors"]])


async def announce_progress(sources: Sources, operation_id: int) -> None:
    """Tell the operation's followers, on every instance, where it stands."""
    [row] = await sources.bulk.operations([operation_id], RowScope.everything())
    await sources.events.publish(progress_channel(operation_id), progress_event(row))


async def progress(info: Info, operation_id: str) -> AsyncIterator[BulkOperationRow]:
    """The operation now, then again each time its worker (on any instance) reports, until it ends.

    Only the newest report waits for a slow subscriber. If reports stop coming (an instance
    without the shared event bus), the state database is read every ``PROGRESS_POLL_SECONDS``.
    """
    context = info.context
    principal = context.principal
    key = from_global_id(operation_id, expect="BulkOperation")[1]
    async with context.sources.events.listen(progress_channel(key), size=1) as mailbox:
        row = await _in_view(info, key)
        yield row
        while row.status in OPEN_STATUSES:
            try:
                fresh = EVENTS.decoded(
                    await asyncio.wait_for(mailbox.get(), PROGRESS_POLL_SECONDS), from_progress_event
                )
            except TimeoutError:
                fresh = await _in_view(info, key)
            if (fresh.status, fresh.done, fresh.cancel_requested) != (row.status, row.done, row.cancel_requested):
                if not await context.next_event(principal):
                    return  # the caller signed out, or its access changed
                row = fresh
                yield row


async def _in_view(info: Info, key: int) -> BulkOperationRow:
    context = info.context
    rows = await context.sources.bulk.operations([key], context.principal.scope)
    if not rows:
        raise NotFound(f"No BulkOperation with id {to_global_id('BulkOperation', key)}.")
    return rows[0]
