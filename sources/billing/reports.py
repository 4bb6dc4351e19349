"""Sums for reports, computed by billing: one GROUP BY over the daily charges.

corpcare decides which lines count and how they group on the organisation's side (units at a
depth, cost centres, single lines) and hands that over as a line → group map; billing adds the
dimensions it owns itself (month, charge category, the line's tariff plan) and sums. No
charge row leaves the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import BigInteger, Select, case, cast, false, func, literal, null, select, true, union_all
from sqlalchemy.types import NullType

from sources.billing.disclosure import Blocks, BlockStay, Facts, Question, suppressed_sums
from sources.billing.members import Stay, line_groups, line_stays
from sources.billing.models import DailyCharge, LineProduct, LineService
from sources.billing.split import RECURRING
from sources.db import SqlSource, key_in


@dataclass(frozen=True, slots=True)
class SpendingQuery:
    customer_ids: tuple[int, ...]
    first_period: date
    last_period: date
    groups: Mapping[int, str]  # line id -> group label; lines not in it are not counted
    # Instead of ``groups``, as billed: a line's group per range of days (``line_stays``).
    stays: tuple[Stay, ...] | None = None
    by_month: bool = False
    by_category: bool = False
    by_plan: bool = False
    # A line counts once for each service it holds (and once under "none" without any).
    by_service: bool = False
    categories: tuple[str, ...] = ()  # empty: every category
    # For a caller who may not read single lines: whole atoms of at least `floor` lines only
    # (sources/billing/disclosure.py); line id -> (block, row) replaces `groups` then, or as
    # billed the stays of the lines' blocks (each month blocked as it was).
    floor: int = 0
    blocks: Blocks | None = None
    pools: bool = True  # the question covers the caller's whole scope and every category


@dataclass(frozen=True, slots=True)
class SpendingSum:
    group: str
    period: date | None
    category: str | None
    plan_id: int | None
    service_id: int | None
    currency: str
    total_minor: int
    employee_minor: int
    lines: int  # distinct lines with charges


class BillingReports(SqlSource):
    async def spending(self, query: SpendingQuery, *, rows: bool = True) -> list[SpendingSum]:
        """The sums per group (``rows``), or (not ``rows``) one per currency over the whole query."""
        if query.blocks is not None:
            if not query.blocks:
                return []
            statement = self._suppressed(query, rows=rows)
            return [_suppressed_sum(row) for row in await self._rows(statement)]
        if not (query.groups if query.stays is None else query.stays):
            return []
        statement, dimensions = self._spending(query)
        return [_sum(row, dimensions) for row in await self._rows(statement)]

    async def spending_and_totals(self, query: SpendingQuery) -> tuple[list[SpendingSum], list[SpendingSum]]:
        """The sums per group and, from the same statement (one snapshot whatever the isolation),
        one per currency over the whole query: rows that cannot disagree with their totals."""
        if query.blocks is not None:
            if not query.blocks:
                return [], []
            found = await self._rows(self._suppressed(query, rows=None))
            return _split(found, lambda row: _suppressed_sum(row[1:]))
        if not (query.groups if query.stays is None else query.stays):
            return [], []
        rows, dimensions = self._spending(query, marked=True)
        statement = union_all(rows, self._spending_totals(query, sum(d is not None for d in dimensions)))
        return _split(await self._rows(statement), lambda row: _sum(row[1:], dimensions))

    async def by_block(
        self,
        customer_ids: Sequence[int],
        periods: Sequence[date],
        blocks: Mapping[int, str] | Sequence[BlockStay],
        floor: int,
        *,
        by_category: bool = False,
    ) -> list[SpendingSum]:
        """Per block (line id → block; as billed, stays whose row is their block) and month (and
        category): the whole atoms of at least ``floor`` lines only, for roll-ups over the org tree
        by callers who may not read lines. Lines with no block (``""``) and the pools of small
        cells are left out."""
        if not blocks or not periods:
            return []
        charge = DailyCharge
        facts = Facts(
            charge.__table__, charge.subscriber_id, charge.period, charge.category, charge.currency,
            [charge.amount_minor, charge.employee_share_minor],
            [key_in(charge.customer_id, customer_ids, self.dialect), key_in(charge.period, periods, self.dialect)],
            charge.day,
        )  # fmt: skip
        question = Question(by_month=True, by_kind=by_category, pools=False)
        rows = {line: (block, block) for line, block in blocks.items()} if isinstance(blocks, Mapping) else blocks
        statement = suppressed_sums(facts, rows, question, floor, self.dialect, rows=True)
        return [found for found in map(_suppressed_sum, await self._rows(statement)) if found.group]

    def _suppressed(self, query: SpendingQuery, *, rows: bool | None) -> Select[Any]:
        assert query.blocks is not None and not (query.by_plan or query.by_service), "atoms cut no plan or service"
        charge = DailyCharge
        facts = Facts(
            charge.__table__, charge.subscriber_id, charge.period, charge.category, charge.currency,
            [charge.amount_minor, charge.employee_share_minor],
            [key_in(charge.customer_id, query.customer_ids, self.dialect), charge.period >= query.first_period,
             charge.period <= query.last_period],
            charge.day,
        )  # fmt: skip
        question = Question(query.by_month, query.by_category, query.categories, query.pools)
        return suppressed_sums(facts, query.blocks, question, query.floor, self.dialect, rows=rows)

    async def spending_stream(self, query: SpendingQuery, batch: int = 2000) -> AsyncIterator[list[SpendingSum]]:
        """The same sums in group order, read in batches on a server-side cursor: memory stays
        flat however many rows the report has."""
        if query.blocks is not None:
            if not query.blocks:
                return
            statement, convert = self._suppressed(query, rows=True), _suppressed_sum
            grouped = statement.selected_columns[:4]
        else:
            if not (query.groups if query.stays is None else query.stays):
                return
            statement, dimensions = self._spending(query)
            grouped = statement.selected_columns[: len(statement.selected_columns) - 3]
            convert = lambda row: _sum(row, dimensions)  # noqa: E731
        # Months (and billing's other dimensions) first, then the organisation's group; PostgreSQL
        # does not order by a constant (a dimension not asked for).
        keys = [key for key in (*grouped[1:], grouped[0]) if not isinstance(key.type, NullType)]
        ordered = statement.order_by(*keys).execution_options(yield_per=batch)
        # A server-side cursor lives in a transaction (PostgreSQL): not the AUTOCOMMIT reader; the
        # answer's own when it reads in one moment. No time limit on the whole stream.
        async with self.backend.streaming() as conn:
            result = await conn.stream(ordered)
            async for rows in result.partitions(batch):
                yield [convert(row) for row in rows]

    def _spending(self, query: SpendingQuery, *, marked: bool = False) -> tuple[Select[Any], list[Any]]:
        members, group, on = self._members(query)
        charge = DailyCharge
        dimensions = [
            charge.period if query.by_month else None,
            charge.category if query.by_category else None,
            LineProduct.plan_id if query.by_plan else None,
            LineService.service_id if query.by_service else None,
        ]
        grouped = [group, *(d for d in dimensions if d is not None), charge.currency]
        keys = [*([false().label("is_total")] if marked else []), *grouped]
        statement = self._sums(query, members, on, keys, grouped)
        if query.by_plan:
            statement = statement.join(LineProduct, LineProduct.subscriber_id == charge.subscriber_id)
        if query.by_service:
            statement = statement.outerjoin(LineService, LineService.subscriber_id == charge.subscriber_id)
        return statement, dimensions

    def _sums(self, query: SpendingQuery, members: Any, on: Any, keys: list[Any], grouped: list[Any]) -> Select[Any]:
        """``keys``, then total, employee share and lines, over the query's charges (its lines as
        ``members`` joined ``on``, its months and categories), grouped by ``grouped``."""
        charge = DailyCharge
        statement: Select[Any] = (
            select(*keys, func.sum(charge.amount_minor), func.sum(charge.employee_share_minor),
                   func.count(charge.subscriber_id.distinct()))
            .select_from(charge)
            .join(members, on)
            .where(
                key_in(charge.customer_id, query.customer_ids, self.dialect),
                charge.period >= query.first_period,
                charge.period <= query.last_period,
            )
            .group_by(*grouped)
        )  # fmt: skip
        if query.categories:
            statement = statement.where(key_in(charge.category, query.categories, self.dialect))
        return statement

    def _members(self, query: SpendingQuery) -> tuple[Any, Any, Any]:
        """The line → group map as a relation, its group column, and how a charge joins it: by
        line, or (as billed) by line and the charge's day within the stay."""
        if query.stays is not None:
            members, _, group, on = line_stays(query.stays, self.dialect, DailyCharge.subscriber_id, DailyCharge.day)
            return members, group, on
        members, line_id, group = line_groups(query.groups, self.dialect)
        return members, group, DailyCharge.subscriber_id == line_id

    def _spending_totals(self, query: SpendingQuery, asked: int) -> Select[Any]:
        """The totals per currency over the query's lines, with the columns of ``_spending``'s
        rows (``asked`` dimensions, all null): no plan or service join, which would count a
        charge once per service."""
        members, _, on = self._members(query)
        keys = [true().label("is_total"), literal(WHOLE), *(null() for _ in range(asked)), DailyCharge.currency]
        return self._sums(query, members, on, keys, [DailyCharge.currency])


def _split(found: Sequence[Any], convert: Any) -> tuple[list[SpendingSum], list[SpendingSum]]:
    """Rows and totals of one statement, told apart by its first column."""
    rows = [convert(row) for row in found if not row[0]]
    return rows, [convert(row) for row in found if row[0]]


def _sum(row: Any, dimensions: list[Any]) -> SpendingSum:
    values = iter(row)
    label = next(values)
    period, category, plan, service = (next(values) if d is not None else None for d in dimensions)
    currency, total, employee, lines = values
    return SpendingSum(label, period, category, plan, service, currency, int(total), int(employee), int(lines))


def _suppressed_sum(row: Any) -> SpendingSum:
    """A row of ``suppressed_sums``: (row, month, category, currency, total, employee, lines); one
    over the whole query has the currency first and no row."""
    if len(row) == 4:
        currency, total, employee, lines = row
        return SpendingSum(WHOLE, None, None, None, None, currency, int(total), int(employee), int(lines))
    group, period, category, currency, total, employee, lines = row
    return SpendingSum(group, period, category, None, None, currency, int(total), int(employee), int(lines))


WHOLE = "*"


@dataclass(frozen=True, slots=True)
class LineSum:
    line_id: int
    currency: str
    total_minor: int
    employee_minor: int = 0
    compared_minor: int = 0  # the figure it was compared with (a limit, an earlier month)


class LineFigures(SqlSource):
    """Per-line sums where only the lines that stand out come back: the top ones (ORDER BY …
    LIMIT) or those past a threshold (HAVING)."""

    async def top(self, customer: int, first: date, last: date, lines: Sequence[int], limit: int) -> list[LineSum]:
        if not lines:
            return []
        total = func.sum(DailyCharge.amount_minor)
        statement = (
            select(DailyCharge.subscriber_id, DailyCharge.currency, total, func.sum(DailyCharge.employee_share_minor))
            .where(
                DailyCharge.customer_id == customer,
                DailyCharge.period >= first,
                DailyCharge.period <= last,
                key_in(DailyCharge.subscriber_id, lines, self.dialect),
            )
            .group_by(DailyCharge.subscriber_id, DailyCharge.currency)
            .order_by(total.desc(), DailyCharge.subscriber_id)
            .limit(limit)
        )
        return [LineSum(row[0], row[1], int(row[2]), int(row[3])) for row in await self._rows(statement)]

    async def over_limit(self, customer: int, period: date, limits: Mapping[int, int]) -> list[LineSum]:
        """Lines whose month's usage charges exceed their own limit (line id → limit in minor units):
        a limit counts usage, never recurring fees (sources/billing/split.py)."""
        if not limits:
            return []
        members, line_id, limit = line_groups({line: str(value) for line, value in limits.items()}, self.dialect)
        as_number = cast(limit, BigInteger())
        total = func.sum(DailyCharge.amount_minor)
        statement = (
            select(DailyCharge.subscriber_id, DailyCharge.currency, total, as_number)
            .select_from(DailyCharge)
            .join(members, DailyCharge.subscriber_id == line_id)
            .where(DailyCharge.customer_id == customer, DailyCharge.period == period, DailyCharge.category != RECURRING)
            .group_by(DailyCharge.subscriber_id, DailyCharge.currency, as_number)
            .having(total > as_number)
            .order_by((total - as_number).desc())
        )
        return [LineSum(row[0], row[1], int(row[2]), compared_minor=int(row[3])) for row in await self._rows(statement)]

    async def grown(
        self,
        customer: int,
        now: date,
        earlier: Sequence[date],
        lines: Sequence[int],
        *,
        percent: int,
        minimum: int,
        category: str | None = None,
        currency: str | None = None,
    ) -> list[LineSum]:
        """Lines whose charges in ``now`` reach ``minimum`` and exceed the average of the
        ``earlier`` months by more than ``percent`` (no earlier charges: any amount past the
        minimum). ``compared_minor`` is that average. With ``currency``, only charges in it
        (``minimum`` is stated in it)."""
        if not lines:
            return []
        amount = DailyCharge.amount_minor
        current = func.sum(case((DailyCharge.period == now, amount), else_=0))
        before = func.sum(case((DailyCharge.period != now, amount), else_=0))
        months = len(earlier)
        statement = (
            select(DailyCharge.subscriber_id, DailyCharge.currency, current, before)
            .where(
                DailyCharge.customer_id == customer,
                key_in(DailyCharge.period, [now, *earlier], self.dialect),
                key_in(DailyCharge.subscriber_id, lines, self.dialect),
            )
            .group_by(DailyCharge.subscriber_id, DailyCharge.currency)
            # current > average * (100 + percent) / 100, in integers: no rounding at the edge.
            .having(current >= minimum, current * 100 * months > before * (100 + percent))
            .order_by((current * months - before).desc())
        )
        if category is not None:
            statement = statement.where(DailyCharge.category == category)
        if currency is not None:
            statement = statement.where(DailyCharge.currency == currency)
        return [
            LineSum(row[0], row[1], int(row[2]), compared_minor=int(row[3]) // months)
            for row in await self._rows(statement)
        ]
