"""Bulk operations as callers see them: listed, their per-line results paged, cancelled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from loaders.page import Page, decode_keyset, encode_cursor, page_size, text
from permissions.principal import require
from resolvers import stored_answers
from resolvers.context import Info
from resolvers.ids import from_global_id, to_global_id
from resolvers.line_operations import permission_for
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.node import load_node
from resolvers.shared_events import EVENTS
from resolvers.unit_changes import Conflict
from sources.errors import CorpcareError, NotFound
from sources.state.bulk import OPEN_STATUSES, BulkOperationRow, ItemResult, from_progress_event, progress_channel
from sources.values import KEY_32, KEY_64

RESULTS_PAGE_MAX = 1000
PROGRESS_POLL_SECONDS = 5.0


def _id_cursor(key: int) -> str:
    return encode_cursor("", key)


def _after(cursor: str | None, largest: int) -> int | None:
    return None if cursor is None else decode_keyset(cursor, text, largest=largest)[1]


async def bulk_operations(info: Info, statuses: list[str], first: int | None, after: str | None) -> Page:
    """The operations in the caller's view, newest first."""
    context = info.context
    limit = page_size(first, context.pages.default_size, context.pages.max_size)
    rows = await context.sources.bulk.page(context.principal.bulk_scope, statuses, _after(after, KEY_64), limit + 1)
    return Page(rows, limit, lambda row: _id_cursor(row.id))


async def bulk_results(
    info: Info, operation: BulkOperationRow, outcomes: list[str], first: int | None, after: str | None
) -> Page:
    """Finished lines of one operation, in line order, as the caller may see them now: a line
    that has left its view reads as not found (``resolvers.stored_answers``)."""
    context = info.context
    limit = page_size(first, context.pages.default_size, RESULTS_PAGE_MAX)
    # A line out of view reads as FAILED whatever it was kept as: when FAILED is asked for, any
    # kept outcome may turn into one, so all are read; otherwise such lines drop out.
    read = [] if "failed" in outcomes else outcomes
    shown: list[ItemResult] = []
    cursor = _after(after, KEY_32)
    while len(shown) <= limit:
        rows = await context.sources.bulk.results(operation.id, read, cursor, limit + 1)
        judged = await stored_answers.as_seen_now(context, rows)
        shown += [row for row in judged if not outcomes or row.outcome in outcomes]
        if len(rows) <= limit:
            break
        cursor = rows[-1].line_id
    return Page(shown[: limit + 1], limit, lambda row: _id_cursor(row.line_id))


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
        except CorpcareError as failure:
            error = {"field": ["bulkOperation"], "code": failure.code, "message": failure.message}
            answer = {"operation_id": operation.id if operation else None, "user_errors": [error]}
            allowed = False
        else:
            answer, allowed = {"operation_id": operation.id, "user_errors": []}, True
        targets = (("BulkOperation", operation.id),) if operation else ()
        await audit_change(context, "bulkOperationCancel", allowed=allowed, detail={"input": echo}, targets=targets)
        context.loaders.bulk_operation.clear_all()
        return answer

    answer, key_error = await once(info, "bulkOperationCancel", key, echo, work)
    if answer is None:
        answer = {"operation_id": None, "user_errors": [key_error]}
    return CancelOutcome(answer.get("operation_id"), [UserErrorRecord(**error) for error in answer["user_errors"]])


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
    rows = await context.sources.bulk.operations([key], context.principal.bulk_scope)
    if not rows:
        raise NotFound(f"No BulkOperation with id {to_global_id('BulkOperation', key)}.")
    return rows[0]
