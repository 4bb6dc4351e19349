"""The org structure as it was: where each line sat on each day, and each unit's budget per month.

Closed months are grouped by the units the lines belonged to then (``line_memberships``), so a
reorganisation never changes them. Moves write the history in the transaction that moves the
line (``sources/crm/org_writes.py``); reports read it here as stays (line, path then, days) and
hand them to billing, which joins them to the charges by line and day.

Who sees a stay (``held_predicate`` in ``sources/scope.py``): a company-wide caller every stay of
the company; a unit-scoped caller the stays whose path *then* runs through one of its granted
units — the days a line spent inside its subtree, wherever the line is now; an employee every
stay of their own line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection

from core.scope import RowScope
from sources.crm.models import LineMembership, StayMark, Subscriber, UnitBudget
from sources.db import SqlSource, key_in
from sources.scope import held_predicate


@dataclass(frozen=True, slots=True)
class Stay:
    """A line's days in one place: ``valid_from`` included, ``valid_to`` excluded (None: open)."""

    line_id: int
    customer_id: int
    path: str
    valid_from: date
    valid_to: date | None


@dataclass(frozen=True, slots=True)
class Place:
    """The stays of one place (a customer's path then), as columns: the lines ``whole`` sat there
    all the days asked; ``line_ids[i]`` sat there from ``starts[i]`` (included) to ``ends[i]``
    (excluded; None: still there), some of the days only."""

    customer_id: int
    path: str
    whole: list[int]
    line_ids: list[int]
    starts: list[date]
    ends: list[date | None]


def _from_json(
    whole: str, lines: str, starts: str, ends: str
) -> tuple[list[int], list[int], list[date], list[date | None]]:
    """SQLite's arrays: JSON of ISO days."""
    day = date.fromisoformat
    ends_ = [d and day(d) for d in json.loads(ends)]
    return json.loads(whole), json.loads(lines), [day(d) for d in json.loads(starts)], ends_


class MembershipHistory(SqlSource):
    async def stays(
        self,
        customer_ids: Sequence[int],
        scope: RowScope,
        first_day: date,
        end_day: date,
        within_unit: int | None = None,
    ) -> list[Stay]:
        """The stays in scope that overlap the days ``first_day`` ≤ day < ``end_day``; only those
        inside ``within_unit``'s subtree as it was then, when given."""
        held = LineMembership
        statement = select(held.subscriber_id, held.customer_id, held.org_path, held.valid_from, held.valid_to).where(
            *self._held_during(customer_ids, scope, first_day, end_day)
        )
        if within_unit is not None:
            statement = statement.where(held.org_path.contains(f"/{within_unit}/"))
        return [Stay(*row) for row in await self._rows(statement.order_by(held.subscriber_id, held.valid_from))]

    async def stays_by_place(
        self, customer_ids: Sequence[int], scope: RowScope, first_day: date, end_day: date
    ) -> list[Place]:
        """The stays of ``stays``, gathered by the database per place (customer, path then): one row
        per place with its stays as arrays, not one object per stay — the as-billed sums read tens
        of thousands of stays and only hand them on to billing as data. Most lines sit in one place
        all the days asked: those come as line ids alone, without their days."""
        held = LineMembership
        postgres = self.dialect == "postgresql"
        whole = and_(held.valid_from <= first_day, or_(held.valid_to.is_(None), held.valid_to >= end_day))

        def gather(column: Any, where: ColumnElement[bool]) -> Any:
            found = (func.array_agg if postgres else func.json_group_array)(column).filter(where)
            # PostgreSQL gathers nothing as NULL, SQLite as '[]'.
            return func.coalesce(found, literal([], ARRAY(column.type))) if postgres else found

        statement = (
            select(
                held.customer_id,
                held.org_path,
                gather(held.subscriber_id, whole),
                *(gather(column, ~whole) for column in (held.subscriber_id, held.valid_from, held.valid_to)),
            )
            .where(*self._held_during(customer_ids, scope, first_day, end_day))
            .group_by(held.customer_id, held.org_path)
            .order_by(held.customer_id, held.org_path)
        )
        rows = await self._rows(statement)
        if postgres:
            return [Place(*row) for row in rows]
        return [Place(customer, path, *_from_json(*arrays)) for customer, path, *arrays in rows]

    def _held_during(
        self, customer_ids: Sequence[int], scope: RowScope, first_day: date, end_day: date
    ) -> tuple[ColumnElement[bool], ...]:
        """The stays in scope that overlap the days ``first_day`` ≤ day < ``end_day``."""
        held = LineMembership
        return (
            key_in(held.customer_id, customer_ids, self.dialect),
            held_predicate(scope, customer_id=held.customer_id, path=held.org_path, subscriber_id=held.subscriber_id),
            held.valid_from < end_day,
            or_(held.valid_to.is_(None), held.valid_to > first_day),
            # A stay that ended the day it began (two moves in a day) holds no charges.
            or_(held.valid_to.is_(None), held.valid_to > held.valid_from),
        )

    async def stay_marks(self, customer_ids: Sequence[int]) -> dict[int, int]:
        """Customer -> how many times its stays were written (``sources/marks.py``)."""
        mark = StayMark
        statement = select(mark.customer_id, mark.version).where(key_in(mark.customer_id, customer_ids, self.dialect))
        return {customer: version for customer, version in await self._rows(statement)}

    async def budgets_in_force(
        self, unit_ids: Sequence[int], first: date, last: date
    ) -> dict[int, list[tuple[date, int | None]]]:
        """Unit id → its budget rows (month from, amount; None: no budget) that bear on the months
        ``first``..``last``: the last row set before ``first`` and every row set since, in order."""
        budget = UnitBudget
        latest_before = (
            select(budget.org_unit_id, func.max(budget.valid_from).label("valid_from"))
            .where(key_in(budget.org_unit_id, unit_ids, self.dialect), budget.valid_from <= first)
            .group_by(budget.org_unit_id)
            .subquery()
        )
        statement = (
            select(budget.org_unit_id, budget.valid_from, budget.amount_minor)
            .outerjoin(
                latest_before,
                and_(
                    latest_before.c.org_unit_id == budget.org_unit_id, latest_before.c.valid_from == budget.valid_from
                ),
            )
            .where(
                key_in(budget.org_unit_id, unit_ids, self.dialect),
                or_(
                    latest_before.c.org_unit_id.is_not(None), and_(budget.valid_from > first, budget.valid_from <= last)
                ),
            )
            .order_by(budget.org_unit_id, budget.valid_from)
        )
        found: dict[int, list[tuple[date, int | None]]] = {}
        for unit_id, valid_from, amount in await self._rows(statement):
            found.setdefault(unit_id, []).append((valid_from, amount))
        return found


def budget_of(rows: Sequence[tuple[date, int | None]], month: date) -> int | None:
    """The budget in force in ``month`` from a unit's rows in order (``budgets_in_force``)."""
    found = None
    for valid_from, amount in rows:
        if valid_from > month:
            break
        found = amount
    return found


async def end_stays(conn: AsyncConnection, lines: Any, day: date) -> None:
    """End the open stays of the lines selected by ``lines`` (a subquery of line ids) on ``day``."""
    held = LineMembership
    await conn.execute(update(held).where(held.valid_to.is_(None), held.subscriber_id.in_(lines)).values(valid_to=day))


async def start_stays(conn: AsyncConnection, where: Any, day: date, at: datetime) -> None:
    """Open a stay from ``day`` for each line matching ``where``, at its unit and path as they are now."""
    lines = select(
        Subscriber.customer_id, Subscriber.id, Subscriber.org_unit_id, Subscriber.org_path,
        literal(day), literal(None), literal(at),
    ).where(where)  # fmt: skip
    columns = ["customer_id", "subscriber_id", "org_unit_id", "org_path", "valid_from", "valid_to", "recorded_at"]
    await conn.execute(insert(LineMembership).from_select(columns, lines))


async def record_budget(conn: AsyncConnection, unit_id: int, month: date, amount_minor: int | None) -> None:
    """The unit's budget from ``month`` on: the month's row, replaced if set already this month."""
    budget = UnitBudget
    current = await conn.execute(
        update(budget)
        .where(budget.org_unit_id == unit_id, budget.valid_from == month)
        .values(amount_minor=amount_minor)
    )
    if current.rowcount == 0:
        await conn.execute(insert(budget).values(org_unit_id=unit_id, valid_from=month, amount_minor=amount_minor))


__all__ = ["MembershipHistory", "Place", "Stay", "budget_of", "end_stays", "record_budget", "start_stays"]
