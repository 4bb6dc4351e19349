"""Kept answers judged again when they are read: an idempotent replay and a bulk operation's
per-line results show only what the caller may see now.

Both were computed for the caller as it was. Since then it may have lost a subtree, or the line
may have moved out of it: such a line is answered as one the caller never saw — ``NOT_FOUND``,
with no before, after or cost, exactly as a fresh call answers it — so a kept answer reveals
no more than a new one would. Which lines are in view comes from the caller's row scope, in SQL,
through the request's line loader (one statement for the lines of an answer or a page).
"""

from __future__ import annotations

from collections.abc import Sequence

from loaders.subscriber import SubscriberByIdLoader
from request.context import Context
from sources.state.bulk_operations import ItemResult

NOT_IN_VIEW = "No such line in your scope."


def not_in_view(line_id: int) -> ItemResult:
    """A line outside the scope, or missing: the same answer, so its existence is not revealed."""
    return ItemResult(line_id, "failed", "NOT_FOUND", NOT_IN_VIEW)


async def lines_in_view(context: Context, line_ids: Sequence[int]) -> set[int]:
    lines = await context.loader(SubscriberByIdLoader).load_many(list(dict.fromkeys(line_ids)))
    return {line.id for line in lines if line is not None}


async def as_seen_now(context: Context, results: Sequence[ItemResult]) -> list[ItemResult]:
    """``results`` with every line the caller no longer sees answered as not found."""
    seen = await lines_in_view(context, [result.line_id for result in results])
    return [result if result.line_id in seen else not_in_view(result.line_id) for result in results]
