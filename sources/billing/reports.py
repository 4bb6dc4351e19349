"""Sums for reports, computed by billing: one GROUP BY over the daily charges.

corpcare decides which lines count and how they group on the organisation's side (units at a
depth, cost centres, single lines) and hands that over as a line → group map; billing adds the
dimensions it owns itself (month, charge category, the line's tariff plan) and sums. No
charge row leaves the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from sources.billing.models import DailyCharge, LineProduct
from sources.billing.source import line_groups
from sources.db import SqlSource, key_in


@dataclass(frozen=True, slots=True)
class SpendingQuery:
    customer_ids: tuple[int, ...]
    first_period: date
    last_period: date
    groups: Mapping[int, str]  # line id -> group label; lines not in it are not counted
    by_month: bool = False
    by_category: bool = False
    by_plan: bool = False
    categories: tuple[str, ...] = ()  # empty: every category


@dataclass(frozen=True, slots=True)
class SpendingSum:
    group: str
    period: date | None
    category: str | None
    plan_id: int | None
    currency: str
    total_minor: int
    employee_minor: int
    lines: int  # distinct lines with charges


class BillingReports(SqlSource):
    async def spending(self, query: SpendingQuery) -> list[SpendingSum]:
        if not query.groups:
            return []
        members, line_id, group = line_groups(query.groups, self.dialect)
        charge = DailyCharge
        dimensions = [
            charge.period if query.by_month else None,
            charge.category if query.by_category else None,
            LineProduct.plan_id if query.by_plan else None,
        ]
        grouped = [group, *(d for d in dimensions if d is not None), charge.currency]
        statement = (
            select(
                *grouped,
                func.sum(charge.amount_minor),
                func.sum(charge.employee_share_minor),
                func.count(charge.subscriber_id.distinct()),
            )
            .select_from(charge)
            .join(members, charge.subscriber_id == line_id)
            .where(
                key_in(charge.customer_id, query.customer_ids, self.dialect),
                charge.period >= query.first_period,
                charge.period <= query.last_period,
            )
            .group_by(*grouped)
        )
        if query.by_plan:
            statement = statement.join(LineProduct, LineProduct.subscriber_id == charge.subscriber_id)
        if query.categories:
            statement = statement.where(key_in(charge.category, query.categories, self.dialect))
        sums = []
        for row in await self._rows(statement):
            values = iter(row)
            label = next(values)
            period, category, plan = (next(values) if d is not None else None for d in dimensions)
            currency, total, employee, lines = values
            sums.append(SpendingSum(label, period, category, plan, currency, int(total), int(employee), int(lines)))
        return sums
