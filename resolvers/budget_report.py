"""Budget against actual spending, per unit with a budget and month, with a month-end forecast
for the current month. Units over budget (or heading there) come first.

Forecast for the current month: recurring fees are charged in full on the month's first
day, so they count as they are; usage charges so far are extrapolated linearly over the
month's days (``usage so far * days in month / days elapsed``, today counting as elapsed).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from resolvers.context import Context
from resolvers.node import load_node
from resolvers.report_base import check_months, report_customer, visible_lines
from resolvers.report_disclosure import floor_of, whole_blocks
from sources.billing.reports import SpendingQuery
from sources.blocks import disclosure_blocks
from sources.values import Money, add_months

RECURRING = "subscription"


@dataclass(frozen=True, slots=True)
class BudgetReportArgs:
    first: date
    last: date
    org_unit_id: str | None = None  # only the budgeted units in this subtree
    customer_id: str | None = None


@dataclass(slots=True)
class BudgetRow:
    org_unit_id: int
    month: date
    currency: str
    budget_minor: int
    actual_minor: int = 0
    forecast_minor: int | None = None  # the current month only

    @property
    def budget(self) -> Money:
        return Money.from_minor(self.budget_minor, self.currency)

    @property
    def actual(self) -> Money:
        return Money.from_minor(self.actual_minor, self.currency)

    @property
    def forecast(self) -> Money | None:
        return None if self.forecast_minor is None else Money.from_minor(self.forecast_minor, self.currency)

    @property
    def percent_used(self) -> Decimal | None:
        return _percent(self.actual_minor, self.budget_minor)

    @property
    def forecast_percent(self) -> Decimal | None:
        return None if self.forecast_minor is None else _percent(self.forecast_minor, self.budget_minor)

    @property
    def over_budget(self) -> bool:
        return max(self.actual_minor, self.forecast_minor or 0) > self.budget_minor


@dataclass(slots=True)
class BudgetReport:
    first: date
    last: date
    as_of: datetime
    rows: list[BudgetRow] = field(default_factory=list)


async def budget_report(context: Context, args: BudgetReportArgs) -> BudgetReport:
    check_months(args.first, args.last)
    customer = await report_customer(context, args.customer_id)
    lines = await visible_lines(context, customer)
    units = await context.sources.crm.budgeted_units([customer], context.principal.scope)
    if args.org_unit_id is not None:
        subtree = (await load_node(context, args.org_unit_id, expect="OrgUnit")).path
        units = [unit for unit in units if unit.path.startswith(subtree)]
    reports = context.sources.billing_reports
    if floor := floor_of(context):
        # Without line:read: whole atoms per block of lines, and only units made of whole blocks.
        blocks = disclosure_blocks(lines, floor)
        units = [unit for unit in units if whole_blocks(lines, blocks, unit.path)]
        found_sums = await reports.by_block((customer,), months(args.first, args.last), blocks, floor, by_category=True)
    else:
        found_sums = await reports.spending(
            SpendingQuery((customer,), args.first, args.last, lines, by_month=True, by_category=True)
        )
    # (path, month) -> [recurring, usage]: per org path (or block), not per line; rolled up per unit below.
    sums: dict[tuple[str, date], list[int]] = {}
    for found in found_sums:
        assert found.period is not None
        cell = sums.setdefault((found.group, found.period), [0, 0])
        cell[0 if found.category == RECURRING else 1] += found.total_minor
    report = BudgetReport(args.first, args.last, await reports.as_of())  # the answer's moment
    current = context.current_period
    period = args.first
    while period <= args.last:
        for unit in units:
            assert unit.monthly_budget is not None
            recurring = usage = 0
            for (path, month), (fees, used) in sums.items():
                if month == period and path.startswith(unit.path):
                    recurring += fees
                    usage += used
            row = BudgetRow(unit.id, period, unit.currency, unit.monthly_budget.minor, recurring + usage)
            if period == current:
                row.forecast_minor = recurring + _extrapolated(usage, context.today)
            report.rows.append(row)
        period = add_months(period, 1)
    report.rows.sort(key=lambda row: (not row.over_budget, -(row.forecast_percent or row.percent_used or 0)))
    return report


def months(first: date, last: date) -> list[date]:
    found = [first]
    while found[-1] < last:
        found.append(add_months(found[-1], 1))
    return found


def _extrapolated(usage_minor: int, today: date) -> int:
    days = calendar.monthrange(today.year, today.month)[1]
    return usage_minor * days // today.day


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
