"""Budget against actual spending, per unit with a budget and month, with a month-end forecast
for the current month. Units over budget (or heading there) come first.

Each month has the budget in force that month (``unit_budgets``), and, as billed (the default),
the charges of the days the lines spent in the unit's subtree then: a closed month reads the
same whatever has been set or moved since. CURRENT counts the lines the unit has today. A
caller without line:read gets whole atoms of blocks of lines (``permissions/disclosure.py``), as
billed or today's, and no row for a unit not made of whole blocks that month.

Forecast for the current month: recurring fees are charged in full on the month's first
day, so they count as they are; usage charges so far are extrapolated linearly over the
month's days (``usage so far * days in month / days elapsed``, today counting as elapsed).

A budget is stated in the company's currency. Charges of the unit's lines in another currency
are never added to it nor converted: that row's actual, forecast and verdict answer
MIXED_CURRENCIES (with the currencies) instead, and the report's other rows stand.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from core.blocks import block_stays, blocks_as_billed, broken_units
from core.errors import MixedCurrencies
from core.values import Money
from loaders.cursors import Window
from permissions.disclosure import refuse_current_tree
from request.context import Context
from resolvers.node import load_node
from resolvers.report_base import (
    AS_BILLED,
    check_months,
    months,
    report_customer,
    unit_on,
    visible_lines,
    visible_stays,
)
from resolvers.report_disclosure import floor_of
from resolvers.report_pages import page_rows, question_of
from sources.billing.reports import SpendingQuery
from sources.crm.history import budget_of

RECURRING = "subscription"


@dataclass(frozen=True, slots=True)
class BudgetReportArgs:
    first: date
    last: date
    org_unit_id: str | None = None  # only the budgeted units in this subtree
    customer_id: str | None = None
    structure: str = AS_BILLED


@dataclass(slots=True)
class BudgetRow:
    org_unit_id: int
    month: date
    currency: str
    budget_minor: int
    actual_minor: int = 0
    forecast_minor: int | None = None  # the current month only
    # Currencies other than the budget's that the unit's lines were charged in that month.
    foreign: frozenset[str] = frozenset()

    def _comparable(self) -> None:
        if self.foreign:
            raise MixedCurrencies(
                f"The unit's budget ({self.currency}) against charges", {self.currency, *self.foreign}
            )

    @property
    def budget(self) -> Money:
        return Money.from_minor(self.budget_minor, self.currency)

    @property
    def actual(self) -> Money:
        self._comparable()
        return Money.from_minor(self.actual_minor, self.currency)

    @property
    def forecast(self) -> Money | None:
        self._comparable()
        return None if self.forecast_minor is None else Money.from_minor(self.forecast_minor, self.currency)

    @property
    def percent_used(self) -> Decimal | None:
        self._comparable()
        return _percent(self.actual_minor, self.budget_minor)

    @property
    def forecast_percent(self) -> Decimal | None:
        self._comparable()
        return None if self.forecast_minor is None else _percent(self.forecast_minor, self.budget_minor)

    @property
    def over_budget(self) -> bool:
        self._comparable()
        return max(self.actual_minor, self.forecast_minor or 0) > self.budget_minor

    def key(self) -> tuple[object, ...]:
        """The row's place in the report, unique per row (page cursors hold it): over budget first,
        then by the share used (in tenths of a percent), rows that cannot be compared last; then
        month and unit."""
        if self.foreign:
            return True, 0, self.month, self.org_unit_id
        share = self.forecast_percent or self.percent_used or Decimal(0)
        return not self.over_budget, -int(share * 10), self.month, self.org_unit_id


@dataclass(slots=True)
class BudgetReport:
    first: date
    last: date
    as_of: datetime
    rows: list[BudgetRow] = field(default_factory=list)
    question: str = ""  # the arguments' fingerprint: a page cursor names the question it pages

    def page(self, first: int | None, after: str | None, last: int | None, before: str | None) -> Window:
        return page_rows(self.rows, BudgetRow.key, self.question, first=first, after=after, last=last, before=before)


async def budget_report(context: Context, args: BudgetReportArgs) -> BudgetReport:
    check_months(args.first, args.last)
    floor = floor_of(context)
    refuse_current_tree(floor, args.structure)
    customer = await report_customer(context, args.customer_id)
    units = await context.sources.crm.budgeted_units([customer], context.principal.scope, ever=True)
    if args.org_unit_id is not None:
        subtree = (await load_node(context, args.org_unit_id, expect="OrgUnit")).path
        units = [unit for unit in units if unit.path.startswith(subtree)]
    budgets = await context.sources.crm.budgets_in_force([unit.id for unit in units], args.first, args.last)
    reports = context.sources.billing_reports
    as_billed = args.structure == AS_BILLED
    periods = months(args.first, args.last)
    broken: set[tuple[date, int]] = set()  # (month, unit): not whole blocks that month, no row
    if floor and as_billed:
        # Without line:read: whole atoms per block of lines as billed (each month's as it was),
        # and only the units made of whole blocks that month.
        stays = await visible_stays(context, customer, args.first, args.last)
        pieces = blocks_as_billed(((s.line_id, s.path, s.valid_from, s.valid_to) for s in stays), periods, floor)
        broken = broken_units(pieces)
        billed = block_stays(pieces, lambda piece: piece.block)
        found_sums = await reports.by_block((customer,), periods, billed, floor, by_category=True)
    elif as_billed:
        stays = await visible_stays(context, customer, args.first, args.last)
        spans = tuple((s.line_id, s.path, s.valid_from, s.valid_to) for s in stays)
        query = SpendingQuery((customer,), args.first, args.last, {}, spans, by_month=True, by_category=True)
        found_sums = await reports.spending(query)
    else:
        lines = await visible_lines(context, customer)
        found_sums = await reports.spending(
            SpendingQuery((customer,), args.first, args.last, lines, by_month=True, by_category=True)
        )
    # (path, month, currency) -> [recurring, usage]: per org path (or block), not per line; rolled
    # up per unit below.
    sums: dict[tuple[str, date, str], list[int]] = {}
    for found in found_sums:
        assert found.period is not None
        cell = sums.setdefault((found.group, found.period, found.currency), [0, 0])
        cell[0 if found.category == RECURRING else 1] += found.total_minor
    as_of = await reports.as_of()  # the answer's moment
    report = BudgetReport(args.first, args.last, as_of, question=question_of("budget", args))
    current = context.current_period
    for period in periods:
        for unit in units:
            budget = budget_of(budgets.get(unit.id, ()), period)
            if budget is None or (period, unit.id) in broken:
                continue  # no budget in force that month, or no figure to show
            recurring = usage = 0
            foreign = set()
            for (path, month, currency), (fees, used) in sums.items():
                if month != period or not (unit_on(path, unit.id) if as_billed else path.startswith(unit.path)):
                    continue
                if currency != unit.currency:
                    foreign.add(currency)
                    continue
                recurring += fees
                usage += used
            row = BudgetRow(unit.id, period, unit.currency, budget, recurring + usage)
            row.foreign = frozenset(foreign)
            if period == current:
                row.forecast_minor = recurring + _extrapolated(usage, context.today)
            report.rows.append(row)
    report.rows.sort(key=BudgetRow.key)
    return report


def _extrapolated(usage_minor: int, today: date) -> int:
    days = calendar.monthrange(today.year, today.month)[1]
    return usage_minor * days // today.day


def _percent(part: int, whole: int) -> Decimal | None:
    if whole <= 0:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))
