"""Usage volumes by kind per unit and month, and bundle use per tariff plan — over the lines in
scope, summed by billing. Volumes come from itemised usage as rated; a month is ``billed``
once it has closed (its invoices are issued the month after).

Grouped as billed (the default), each record counts under the unit its line sat in on the
record's day, as the spending report groups charges, so a closed month's volumes never move with
the tree; ``current`` groups every month by today's tree (refused without line:read). Each
record counts in exactly one row of a month and kind (its unit at the depth, or the remainder),
so the report's totals, per kind and currency, are the sums of its rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from core.values import Money
from loaders.cursors import Window
from permissions.disclosure import refuse_current_tree
from request.context import Context
from resolvers.node import load_node
from resolvers.report_base import (
    AS_BILLED,
    CURRENT,
    check_depth,
    check_months,
    months,
    report_customer,
    unit_at_depth,
    visible_lines,
    visible_stays,
)
from resolvers.report_disclosure import blocked_stays, covers, covers_stays, floor_of, unit_row
from resolvers.report_pages import page_rows, question_of
from sources.billing.disclosure import OUTSIDE, REMAINDER
from sources.billing.usage_reports import UsageSum


@dataclass(slots=True)
class UsageRow:
    org_unit_id: int | None  # None: the remainder
    month: date
    kind: str
    quantity: int
    amount: Money
    lines: int
    billed: bool
    # The remainder of a month and kind: every unit too small to show on its own.
    suppressed: bool = False

    def key(self) -> tuple[object, ...]:
        """The row's place in the report, unique per row (page cursors hold it)."""
        return self.month, self.suppressed, self.org_unit_id or 0, self.kind, self.amount.currency


@dataclass(frozen=True, slots=True)
class UsageTotal:
    kind: str
    quantity: int
    amount: Money


@dataclass(slots=True)
class UsageReport:
    first: date
    last: date
    as_of: datetime
    rows: list[UsageRow] = field(default_factory=list)
    question: str = ""  # the arguments' fingerprint: a page cursor names the question it pages

    def page(self, first: int | None, after: str | None, last: int | None, before: str | None) -> Window:
        return page_rows(self.rows, UsageRow.key, self.question, first=first, after=after, last=last, before=before)

    @property
    def totals(self) -> list[UsageTotal]:
        """Per kind and currency, over every row (months, units and remainders)."""
        sums: dict[tuple[str, str], list[int]] = {}
        for row in self.rows:
            cell = sums.setdefault((row.kind, row.amount.currency), [0, 0])
            cell[0] += row.quantity
            cell[1] += row.amount.minor
        return [
            UsageTotal(kind, quantity, Money.from_minor(amount, currency))
            for (kind, currency), (quantity, amount) in sorted(sums.items())
        ]


@dataclass(slots=True)
class BundleUseRow:
    tariff_plan_id: int
    bundle_id: int
    lines: int
    allowance: int
    used: int

    @property
    def percent_used(self) -> Decimal | None:
        if self.allowance <= 0:
            return None
        return (Decimal(self.used) * 100 / self.allowance).quantize(Decimal("0.1"))


async def usage_report(
    context: Context,
    first: date,
    last: date,
    unit_depth: int,
    org_unit_id: str | None,
    customer_id: str | None,
    structure: str = AS_BILLED,
) -> UsageReport:
    check_months(first, last)
    check_depth(unit_depth)
    assert structure in (AS_BILLED, CURRENT), structure
    floor = floor_of(context)
    refuse_current_tree(floor, structure)
    customer = await report_customer(context, customer_id)
    usage = context.sources.usage_figures
    if floor:
        found = await _volumes_in_atoms(context, customer, first, last, unit_depth, org_unit_id, floor)
    elif structure == AS_BILLED:
        stays = await visible_stays(context, customer, first, last, org_unit_id)
        found = await usage.volumes(customer, first, last, [
            (s.line_id, str(unit_at_depth(s.path, unit_depth)), s.valid_from, s.valid_to) for s in stays
        ])  # fmt: skip
    else:
        lines = await visible_lines(context, customer, org_unit_id)
        groups = {line: str(unit_at_depth(path, unit_depth)) for line, path in lines.items()}
        found = await usage.volumes(customer, first, last, groups)
    as_of = await usage.as_of()  # the answer's moment
    question = question_of("usage", first, last, unit_depth, org_unit_id, customer_id, structure)
    report = UsageReport(first, last, as_of, question=question)
    report.rows = sorted((
        UsageRow(None if s.group == REMAINDER else int(s.group), s.period, s.kind, s.quantity,
                 Money.from_minor(s.amount_minor, s.currency), s.lines, billed=s.period < context.current_period,
                 suppressed=floor > 0 and s.group == REMAINDER)
        for s in found
    ), key=UsageRow.key)  # fmt: skip
    return report


async def _volumes_in_atoms(
    context: Context, customer: int, first: date, last: date, depth: int, org_unit_id: str | None, floor: int
) -> list[UsageSum]:
    """For a caller without line:read (as billed only): every stay it may see, blocked as the
    spending report blocks them (each month over where its lines sat that month), and whole atoms
    only; a unit asked for is its subtree as it was then."""

    def row_of(unit: str, paths: list[str], _cost_centre: str | None) -> str:
        found = unit_row(unit, paths, depth)
        return REMAINDER if found is None else str(found)

    stays = await visible_stays(context, customer, first, last)
    unit = None if org_unit_id is None else int((await load_node(context, org_unit_id, expect="OrgUnit")).id)
    whole = covers_stays(stays, unit)
    # No cost centres here: the rows are units.
    blocks = blocked_stays(context, stays, months(first, last), floor, {}, None if whole else unit, row_of)
    return await context.sources.usage_figures.volumes_in_atoms(customer, first, last, blocks, floor, pools=whole)


async def bundle_use(
    context: Context, month: date, org_unit_id: str | None, customer_id: str | None
) -> list[BundleUseRow]:
    customer = await report_customer(context, customer_id)
    if floor := floor_of(context):
        # Without line:read: whole atoms of at least `floor` lines, an atom being all the caller's
        # lines on one plan and bundle (cut by org blocks, they would mostly be too small); so a
        # question on part of the caller's lines gets none.
        subtree = None if org_unit_id is None else (await load_node(context, org_unit_id, expect="OrgUnit")).path
        every = await visible_lines(context, customer)
        row = REMAINDER if covers(every, subtree) else OUTSIDE
        found = await context.sources.usage_figures.bundle_use_in_atoms(month, dict.fromkeys(every, ("*", row)), floor)
    else:
        lines = await visible_lines(context, customer, org_unit_id)
        found = await context.sources.usage_figures.bundle_use(month, sorted(lines))
    return [BundleUseRow(u.plan_id, u.bundle_id, u.lines, u.allowance, u.used) for u in found]
