"""A line's month of charges, summed by the database: per category, per policy period, and
per group of lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cached_property
from typing import Any

from sqlalchemy import Select, func, select, union_all

from core.billing_records import CategoryAmount, SpendingRecord
from core.values import Money
from sources.billing.members import NumberedStays, line_groups, looked_up_groups, numbered_lines, numbered_stays
from sources.billing.models import ChargeMark, DailyCharge
from sources.db import SqlSource, bound_keys, key_in, keys_bound

# The columns of a line's month summed (``spending_by_stay``), after its group.
MEASURED = ("period", "currency", "total", "employee")


class SpendingSource(SqlSource):
    """Lines' daily charges summed by the database, per line and month or per group of lines."""

    async def spending_by_subscriber(
        self, keys: Sequence[tuple[int, date]]
    ) -> dict[tuple[int, date], list[SpendingRecord]]:
        """Each (line, month)'s charges by category, summed by the database: one record per
        currency it was charged in (a line is billed in one; two when it moved between accounts
        in the month), in currency order. A key without charges is missing."""
        sums: dict[tuple[int, date], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for row in await self._rows(self._by_category, self._line_months(keys)):
            sums[(row[0], row[1])][row[3]].append(row)
        return {key: [_spending(key[1], rows) for rows in by_currency.values()] for key, by_currency in sums.items()}

    async def spending_by_policy_period(self, keys: Sequence[tuple[int, date]]) -> Sequence[Any]:
        """(line, month, policy in force since, currency, total, employee share, over the limit) per
        policy each (line, month)'s charges were rated under."""
        return await self._rows(self._by_policy_period, self._line_months(keys))

    # Built once (``keys_bound``): every line's page and detail reads them.

    @cached_property
    def _by_category(self) -> Select[Any]:
        charge = DailyCharge
        sums = self._line_month_sums(charge.category, charge.amount_minor, charge.employee_share_minor)
        return sums.order_by(charge.subscriber_id, charge.currency, charge.category)

    @cached_property
    def _by_policy_period(self) -> Select[Any]:
        charge = DailyCharge
        return self._line_month_sums(
            charge.policy_since, charge.amount_minor, charge.employee_share_minor, charge.over_limit_minor
        )

    def _line_month_sums(self, by: Any, *measures: Any) -> Select[Any]:
        """(line, month, ``by``, currency, the sum of each of ``measures``) over the charges of the
        (line, month) keys bound by ``_line_months``."""
        grouped = (DailyCharge.subscriber_id, DailyCharge.period, by, DailyCharge.currency)
        return (
            select(*grouped, *(func.sum(measure) for measure in measures))
            .where(
                keys_bound(DailyCharge.subscriber_id, "lines", self.dialect),
                keys_bound(DailyCharge.period, "periods", self.dialect),
            )
            .group_by(*grouped)
        )

    def _line_months(self, keys: Sequence[tuple[int, date]]) -> dict[str, Any]:
        lines = sorted({sid for sid, _ in keys})
        periods = sorted({period for _, period in keys})
        return {"lines": bound_keys(lines, self.dialect), "periods": bound_keys(periods, self.dialect)}

    async def spending_by_group(
        self, customer_ids: Sequence[int], periods: Sequence[date], groups: Mapping[int, str]
    ) -> Sequence[Any]:
        """(group, month, currency, total, employee share, lines charged) per group of lines.

        ``groups`` maps line ids to a group (an org path): the CRM's answer, handed over as
        data. Billing joins it to the charges by key and sums per group, so a roll-up over
        thousands of lines returns one row per group and month.
        """
        members, line_id, group = line_groups(groups, self.dialect)
        charge = DailyCharge
        statement = (
            select(
                group,
                charge.period,
                charge.currency,
                func.sum(charge.amount_minor),
                func.sum(charge.employee_share_minor),
                func.count(charge.subscriber_id.distinct()),
            )
            .select_from(charge)
            .join(members, charge.subscriber_id == line_id)
            .where(*self._months_of(customer_ids, periods))
            .group_by(group, charge.period, charge.currency)
        )
        return await self._rows(statement)

    async def spending_by_stay(
        self, customer_ids: Sequence[int], periods: Sequence[date], stays: NumberedStays, *, every_line: bool
    ) -> Sequence[Any]:
        """(group number, month, currency, total, employee share, lines charged) per group of
        ``stays``: a charge counts for the group its line had on the charge's day (``line_stays``).

        Summed per line first, then per group, grouping by integers: no distinct count, which would
        sort every charge by its group. A line in one place all the months asked is summed from its
        charges alone, in the index's order as they come (``ix_charges_customer_period_line_day``),
        then given its place (``looked_up_groups`` for one month, or a join); only the lines that
        moved are joined to their places by day, their charges read by line id.

        ``every_line``: the stays hold every line of the customers (a caller who sees the whole
        company), whose months are read in one pass. Otherwise only the charges of the stays' lines
        are read, line by line from the index: a unit's admin never sums the whole company.
        """
        charge = DailyCharge
        months = self._months_of(customer_ids, periods)
        whole_lines = () if every_line else (key_in(charge.subscriber_id, stays.whole_lines, self.dialect),)
        per_line = (
            select(
                charge.subscriber_id,
                charge.period,
                charge.currency,
                func.sum(charge.amount_minor).label("total"),
                func.sum(charge.employee_share_minor).label("employee"),
            )
            .where(*months, *whole_lines)
            .group_by(charge.customer_id, charge.period, charge.subscriber_id, charge.currency)
            .subquery("per_line")
        )
        measured = [per_line.c[name] for name in MEASURED]
        # One month (the open one, live): a streaming group over the index, then the lookup. Over
        # several months (a cold request sums the closed ones too) the lookup's filter moved the
        # months into the index condition, and the per-line group became a hash spilling to disk.
        looked_up = (
            looked_up_groups(stays.whole_lines, stays.whole_groups, per_line.c.subscriber_id, self.dialect)
            if len(periods) == 1
            else None
        )
        if looked_up is not None:
            whole = select(looked_up.label("grp"), *measured).where(looked_up >= 0)
        else:
            table, line, group = numbered_lines(stays.whole_lines, stays.whole_groups, self.dialect)
            whole = (
                select(group.label("grp"), *measured)
                .select_from(per_line)
                .join(table, per_line.c.subscriber_id == line)
            )
        members, _, group, on = numbered_stays(stays, self.dialect, charge.subscriber_id, charge.day)
        moved = key_in(charge.subscriber_id, sorted(set(stays.line_ids)), self.dialect)
        both = union_all(
            whole,
            select(
                group.label("grp"),
                charge.period,
                charge.currency,
                func.sum(charge.amount_minor).label("total"),
                func.sum(charge.employee_share_minor).label("employee"),
            )
            .select_from(charge)
            .join(members, on)
            .where(*months, moved)
            .group_by(group, charge.subscriber_id, charge.period, charge.currency),
        ).subquery("per_place")
        grouped = (both.c.grp, both.c.period, both.c.currency)
        statement = select(*grouped, func.sum(both.c.total), func.sum(both.c.employee), func.count()).group_by(*grouped)
        return await self._rows(statement)

    async def charge_marks(self, customer_ids: Sequence[int], periods: Sequence[date]) -> dict[tuple[int, date], int]:
        """(customer, month) -> how many times its charges were written (``sources/marks.py``); a
        month never written has none."""
        mark = ChargeMark
        statement = select(mark.customer_id, mark.period, mark.version).where(
            key_in(mark.customer_id, customer_ids, self.dialect), key_in(mark.period, periods, self.dialect)
        )
        return {(customer, period): version for customer, period, version in await self._rows(statement)}

    def _months_of(self, customer_ids: Sequence[int], periods: Sequence[date]) -> tuple[Any, ...]:
        """The charges of the customers' months. One customer or month is an equality: with ``= ANY``
        on both the index's first columns, PostgreSQL no longer reads the index in its order."""
        return (
            DailyCharge.customer_id == customer_ids[0]
            if len(customer_ids) == 1
            else key_in(DailyCharge.customer_id, customer_ids, self.dialect),
            DailyCharge.period == periods[0]
            if len(periods) == 1
            else key_in(DailyCharge.period, periods, self.dialect),
        )


def _spending(period: date, rows: list[Any]) -> SpendingRecord:
    """Fold per-category sums (category, currency, total, employee share) in one currency into
    one record."""
    currency = rows[0][3]
    total = sum(int(row[4]) for row in rows)
    employee = sum(int(row[5]) for row in rows)
    return SpendingRecord(
        period=period,
        total=Money.from_minor(total, currency),
        company_share=Money.from_minor(total - employee, currency),
        employee_share=Money.from_minor(employee, currency),
        by_category=[CategoryAmount(row[2], Money.from_minor(int(row[4]), currency)) for row in rows],
        line_count=1,
    )
