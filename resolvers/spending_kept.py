"""A spending report over closed months only is final: its answer is summed once and kept, per
scope, in the shared cache (``loaders/closed_months.py``).

Kept only where every part of the answer is fixed once its months have closed: grouped as billed
(each charge under the unit its line sat in on the charge's day) by org unit, month and charge
category. The rest is summed live: today's tree (``CURRENT``), cost centres (a unit's cost centre
is today's), tariff plans and services (each line's today), single lines (an answer as large as
the company's lines times its months is not worth keeping), and callers under a floor on group
sizes (their blocks are worked out per request).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import astuple
from datetime import date

import orjson

from request.context import Context
from resolvers.report_base import AS_BILLED
from resolvers.report_pages import question_of
from sources.billing.reports import SpendingSum

FINAL_DIMENSIONS = frozenset({"org_unit", "month", "category"})
# The sums of a report's rows, and its totals (one per currency).
Sums = tuple[list[SpendingSum], list[SpendingSum]]


def is_final(context: Context, last: date, group_by: tuple[str, ...], structure: str) -> bool:
    months, floor = context.loaders.closed_months, context.loaders.ctx.group_floor
    return structure == AS_BILLED and not floor and FINAL_DIMENSIONS.issuperset(group_by) and months.closed(last)


async def kept_sums(context: Context, customer: int, args: object, compute: Callable[[], Awaitable[Sums]]) -> Sums:
    """The report's sums: kept ones, or ``compute``'d once (per process) and kept."""
    name = f"{customer}:{question_of('spending', args)}"

    async def load(_: list[str]) -> dict[str, Sums]:
        return {name: await compute()}

    return (await context.loaders.closed_months.kept("report", [name], str, load, _encode, _decode))[name]


def _encode(sums: Sums) -> bytes:
    return orjson.dumps([[astuple(found) for found in part] for part in sums], default=str)


def _decode(raw: bytes) -> Sums:
    rows, totals = orjson.loads(raw)
    return [_sum(row) for row in rows], [_sum(row) for row in totals]


def _sum(row: list[object]) -> SpendingSum:
    group, period, *rest = row
    return SpendingSum(group, None if period is None else date.fromisoformat(str(period)), *rest)  # type: ignore[arg-type]
