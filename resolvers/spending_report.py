"""The spending report: measures grouped by any of org unit (at a depth, rolled up), cost
centre, line, month, charge category and tariff plan, over a range of months.

One CRM read says which lines the caller may see and where they sit; corpcare turns that
into a line → group map (the organisation's dimensions); billing sums the charges per group
and its own dimensions in one GROUP BY. Only what the caller may see is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import BadUserInput
from loaders.cursors import Window
from permissions.disclosure import refuse_current_tree, refuse_fine_dimensions
from permissions.principal import require_rule
from permissions.rules import SINGLE_LINES
from request.context import Context
from resolvers.node import load_node
from resolvers.report_base import (
    AS_BILLED,
    CURRENT,
    Split,
    check_depth,
    check_months,
    months,
    report_customer,
    unit_at_depth,
    visible_lines,
    visible_stays,
)
from resolvers.report_disclosure import (
    blocked_stays,
    cost_centre_of,
    covers_stays,
    floor_of,
    unit_row,
)
from resolvers.report_pages import page_rows, question_of
from resolvers.spending_kept import is_final, kept_sums
from sources.billing.disclosure import REMAINDER
from sources.billing.reports import SpendingQuery, SpendingSum

ORG_DIMENSIONS = ("org_unit", "cost_centre", "line")
DIMENSIONS = (*ORG_DIMENSIONS, "month", "category", "tariff_plan", "service")
WHOLE = "*"  # the group of every line when no organisation dimension is asked for
CostCentreOf = Callable[[str, Mapping[int, str]], str | None]


@dataclass(frozen=True, slots=True)
class SpendingReportArgs:
    first: date
    last: date
    group_by: tuple[str, ...] = ()
    unit_depth: int = 1  # 0: the company, 1: divisions, 2: departments, 3: teams
    org_unit_id: str | None = None  # only the lines in this subtree
    customer_id: str | None = None  # operator staff name the customer
    categories: tuple[str, ...] = ()
    # AS_BILLED: each charge under the unit (and cost centre) its line belonged to on the charge's
    # day, so closed months never change with the tree; CURRENT: every month in today's tree.
    # Callers without line:read get blocks of lines as billed (each month's as it was) or today's.
    structure: str = AS_BILLED


@dataclass(slots=True)
class SpendingRow(Split):
    currency: str
    total_minor: int
    employee_minor: int
    lines: int
    org_unit_id: int | None = None
    cost_centre: str | None = None
    line_id: int | None = None
    month: date | None = None
    category: str | None = None
    tariff_plan_id: int | None = None
    service_id: int | None = None
    # The remainder: every group too small to show on its own (its group keys are null).
    suppressed: bool = False


@dataclass(slots=True)
class SpendingReport:
    first: date
    last: date
    as_of: datetime
    rows: list[SpendingRow] = field(default_factory=list)
    totals: list[SpendingRow] = field(default_factory=list)  # one per currency
    question: str = ""  # the arguments' fingerprint: a page cursor names the question it pages

    def page(self, first: int | None, after: str | None, last: int | None, before: str | None) -> Window:
        return page_rows(self.rows, row_key, self.question, first=first, after=after, last=last, before=before)

    @property
    def row_count(self) -> int:
        return len(self.rows)


async def spending_report(context: Context, args: SpendingReportArgs) -> SpendingReport:
    customer = await _checked_customer(context, args)
    reports = context.sources.billing_reports
    query: SpendingQuery | None = None

    async def sums() -> tuple[list[SpendingSum], list[SpendingSum]]:
        nonlocal query
        query = await _query(context, args, customer)
        # Rows and totals from one statement, as of the answer's moment (sources/moment.py).
        return await reports.spending_and_totals(query)

    if is_final(context, args.last, args.group_by, args.structure):
        if args.org_unit_id is not None:
            await load_node(context, args.org_unit_id, expect="OrgUnit")  # in scope, or NOT_FOUND as when summed
        found, whole = await kept_sums(context, customer, args, sums)
    else:
        found, whole = await sums()
    report = SpendingReport(args.first, args.last, await reports.as_of(), question=question_of("spending", args))
    report.rows = sorted((spending_row(s, args, query) for s in found), key=_order)
    totals = SpendingReportArgs(args.first, args.last)
    report.totals = [spending_row(s, totals) for s in whole]
    return report


async def spending_query(context: Context, args: SpendingReportArgs) -> SpendingQuery:
    """What billing is asked: the visible lines mapped to their groups, and billing's own dimensions."""
    return await _query(context, args, await _checked_customer(context, args))


async def _checked_customer(context: Context, args: SpendingReportArgs) -> int:
    """The report's customer, once the arguments and the caller's rights to them are checked."""
    _validate(args)
    if "line" in args.group_by:
        require_rule(context.principal, SINGLE_LINES, "Grouping by line shows single lines")
    floor = floor_of(context)
    refuse_fine_dimensions(floor, args.group_by)
    refuse_current_tree(floor, args.structure)
    return await report_customer(context, args.customer_id)


async def _query(context: Context, args: SpendingReportArgs, customer: int) -> SpendingQuery:
    floor = floor_of(context)
    if floor:
        return await _suppressed_query(context, args, customer, floor)
    cost_centres = await context.sources.crm.cost_centres([customer]) if "cost_centre" in args.group_by else {}
    centre = cost_centre_of(context)
    if args.structure == AS_BILLED:
        stays = await visible_stays(context, customer, args.first, args.last, args.org_unit_id)
        return SpendingQuery(
            customer_ids=(customer,), first_period=args.first, last_period=args.last, groups={},
            stays=tuple((s.line_id, _label(s.line_id, s.path, args, cost_centres, centre), s.valid_from, s.valid_to)
                        for s in stays),
            by_month="month" in args.group_by, by_category="category" in args.group_by,
            by_plan="tariff_plan" in args.group_by, by_service="service" in args.group_by, categories=args.categories,
        )  # fmt: skip
    lines = await visible_lines(context, customer, args.org_unit_id)
    return SpendingQuery(
        customer_ids=(customer,), first_period=args.first, last_period=args.last,
        groups={sid: _label(sid, path, args, cost_centres, centre) for sid, path in lines.items()},
        by_month="month" in args.group_by, by_category="category" in args.group_by,
        by_plan="tariff_plan" in args.group_by, by_service="service" in args.group_by, categories=args.categories,
    )  # fmt: skip


async def _suppressed_query(context: Context, args: SpendingReportArgs, customer: int, floor: int) -> SpendingQuery:
    """For a caller without line:read (as billed only): every line it may see, blocked (the blocks
    never depend on the question; each month's are those of where its lines sat then), and each
    block's row for this question."""
    cost_centres = await context.sources.crm.cost_centres([customer])

    def row_of(unit: str, paths: list[str], cost_centre: str | None) -> str:
        parts = []
        if "org_unit" in args.group_by:
            found = unit_row(unit, paths, args.unit_depth)
            if found is None:
                return REMAINDER
            parts.append(str(found))
        if "cost_centre" in args.group_by:
            parts.append(cost_centre or "")
        return "|".join(parts) if parts else WHOLE

    stays = await visible_stays(context, customer, args.first, args.last)
    unit = None if args.org_unit_id is None else int((await load_node(context, args.org_unit_id, expect="OrgUnit")).id)
    whole = covers_stays(stays, unit)
    periods = months(args.first, args.last)
    blocks = blocked_stays(context, stays, periods, floor, cost_centres, None if whole else unit, row_of)
    return SpendingQuery(
        customer_ids=(customer,), first_period=args.first, last_period=args.last, groups={},
        by_month="month" in args.group_by, by_category="category" in args.group_by, categories=args.categories,
        floor=floor, blocks=blocks, pools=whole and not args.categories,
    )  # fmt: skip


def _validate(args: SpendingReportArgs) -> None:
    check_months(args.first, args.last)
    assert args.structure in (AS_BILLED, CURRENT), args.structure
    check_depth(args.unit_depth)
    if len(set(args.group_by)) != len(args.group_by):
        raise BadUserInput("Name each dimension once.", field=["groupBy"])


def _label(line: int, path: str, args: SpendingReportArgs, cost_centres: dict[int, str], centre: CostCentreOf) -> str:
    """The line's group on the organisation's side: ``unit|cost centre|line``, parts as asked."""
    parts = []
    if "org_unit" in args.group_by:
        parts.append(str(unit_at_depth(path, args.unit_depth)))
    if "cost_centre" in args.group_by:
        parts.append(centre(path, cost_centres) or "")
    if "line" in args.group_by:
        parts.append(str(line))
    return "|".join(parts) if parts else WHOLE


def spending_row(found: SpendingSum, args: SpendingReportArgs, query: SpendingQuery | None = None) -> SpendingRow:
    row = SpendingRow(found.currency, found.total_minor, found.employee_minor, found.lines, month=found.period,
                      category=found.category, tariff_plan_id=found.plan_id, service_id=found.service_id)  # fmt: skip
    if query is not None and query.blocks is not None and found.group == REMAINDER:
        row.suppressed = True
        return row
    parts = iter(found.group.split("|")) if found.group != WHOLE else iter(())
    if "org_unit" in args.group_by:
        row.org_unit_id = int(next(parts))
    if "cost_centre" in args.group_by:
        row.cost_centre = next(parts) or None
    if "line" in args.group_by:
        row.line_id = int(next(parts))
    return row


def row_key(row: SpendingRow) -> tuple[object, ...]:
    """A row's place in the report: its group, unique per row (page cursors hold it)."""
    return _order(row)


def _order(row: SpendingRow) -> tuple[object, ...]:
    return (row.month or date.min, row.suppressed, row.org_unit_id or 0, row.cost_centre or "", row.line_id or 0,
            row.category or "", row.tariff_plan_id or 0, row.service_id or 0, row.currency)  # fmt: skip
