"""The smaller reports as CSV rows: budget against actual, top spenders, spending anomalies, usage
and the savings finder. They are built as for GraphQL (the same resolvers, scope and checks) and named for a
spreadsheet: units and plans by name, lines by id (and number and employee for callers who
may read personal data)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from core.ids import to_global_id
from permissions.roles import Permission
from request.context import Context
from resolvers.budget_report import BudgetReportArgs, BudgetRow, budget_report
from resolvers.line_alerts import LineFigure, anomalies, top_spenders
from resolvers.report_base import AS_BILLED
from resolvers.savings import savings
from resolvers.usage_report import usage_report

Table = tuple[list[str], list[list[str]]]
# The remainder row's name: groups too small to show on their own (permissions/disclosure.py).
REMAINDER_NAME = "(smaller groups)"


async def budget_csv(context: Context, first: date, last: date, org_unit_id: str | None, customer: str | None) -> Table:
    report = await budget_report(context, BudgetReportArgs(first, last, org_unit_id, customer))
    units = await unit_names(context, [row.org_unit_id for row in report.rows])
    header = ["Org unit", "Org unit id", "Month", "Currency", "Budget", "Actual", "Percent used", "Forecast",
              "Forecast percent", "Over budget"]  # fmt: skip
    rows = [[*unit_cells(units, r.org_unit_id), f"{r.month:%Y-%m}", r.currency, *_budget_cells(r)] for r in report.rows]
    return header, rows


def _budget_cells(r: BudgetRow) -> list[str]:
    if r.foreign:  # charges in another currency than the budget's: nothing to compare (no sum of two)
        mixed = "MIXED_CURRENCIES " + " ".join(sorted({r.currency, *r.foreign}))
        return [str(r.budget.amount), mixed, "", "", "", ""]
    return [str(r.budget.amount), str(r.actual.amount), _text(r.percent_used), _text(r.forecast and r.forecast.amount),
            _text(r.forecast_percent), "yes" if r.over_budget else "no"]  # fmt: skip


async def top_spenders_csv(
    context: Context, first: date, last: date, count: int, org_unit_id: str | None, customer: str | None
) -> Table:
    found = (await top_spenders(context, first, last, count, org_unit_id, customer)).lines
    people = await people_of(context, [row.line_id for row in found])
    header = ["Rank", "Line id", *_personal_titles(context), "Currency", "Total", "Company share", "Employee share"]
    rows = [
        [str(r.rank), to_global_id("Subscriber", r.line_id), *people.get(r.line_id, ()), r.currency,
         str(r.total.amount), str(r.company_share.amount), str(r.employee_share.amount)]
        for r in found
    ]  # fmt: skip
    return header, rows


async def anomalies_csv(
    context: Context, month: date, percent: int, org_unit_id: str | None, customer: str | None
) -> Table:
    """The month's anomalies as GraphQL's ``spendingAnomalies`` lists them, over limit first, then
    growth on the month before (more than ``percent``), then roaming spikes (the field's defaults)."""
    found = await anomalies(context, month, org_unit_id, customer)
    kinds: list[tuple[str, list[LineFigure]]] = [
        ("OVER_LIMIT", await found.over_limit()),
        ("GROWTH", await found.grown(percent)),
        ("ROAMING_SPIKE", await found.roaming_spikes(3, Decimal("20.00"), None)),
    ]
    people = await people_of(context, [row.line_id for _, rows in kinds for row in rows])
    header = ["Anomaly", "Month", "Line id", *_personal_titles(context), "Currency", "Spent", "Limit", "Limit action",
              "Earlier", "Growth percent"]  # fmt: skip
    rows = [
        [kind, f"{month:%Y-%m}", to_global_id("Subscriber", r.line_id), *people.get(r.line_id, ()), r.currency,
         str(r.total.amount), *_compared(kind, r)]
        for kind, figures in kinds
        for r in figures
    ]  # fmt: skip
    return header, rows


def _compared(kind: str, r: LineFigure) -> list[str]:
    """Limit and its action for a line over its limit; the earlier figure and the growth otherwise."""
    compared = _text(r.compared and r.compared.amount)
    if kind == "OVER_LIMIT":
        return [compared, (r.limit_action or "").upper(), "", ""]
    return ["", "", compared, _text(r.growth_percent)]


async def usage_csv(
    context: Context,
    first: date,
    last: date,
    depth: int,
    org_unit_id: str | None,
    customer: str | None,
    structure: str = AS_BILLED,
) -> Table:
    report = await usage_report(context, first, last, depth, org_unit_id, customer, structure)
    units = await unit_names(context, [row.org_unit_id for row in report.rows if row.org_unit_id is not None])
    header = ["Org unit", "Org unit id", "Month", "Kind", "Quantity", "Unit", "Currency", "Amount", "Lines", "Billed"]
    unit_of = {"voice": "seconds", "sms": "messages"}
    rows = [
        [*([REMAINDER_NAME, ""] if r.suppressed else unit_cells(units, r.org_unit_id)), f"{r.month:%Y-%m}", r.kind,
         str(r.quantity), unit_of.get(r.kind, "kilobytes"), r.amount.currency, str(r.amount.amount), str(r.lines),
         "yes" if r.billed else "no"]
        for r in report.rows
    ]  # fmt: skip
    return header, rows


async def savings_csv(context: Context, months: int, org_unit_id: str | None, customer: str | None) -> Table:
    report = await savings(context, months, org_unit_id, customer)
    plans = {plan.id: plan.name for plan in await context.sources.catalogue.plans()}
    people = await people_of(context, [row.line_id for row in report.lines])
    header = ["Line id", *_personal_titles(context), "Current plan", "Suggested plan", "Currency", "Monthly saving"]
    rows = [
        [to_global_id("Subscriber", r.line_id), *people.get(r.line_id, ()), plans.get(r.current_plan_id, ""),
         plans.get(r.suggested_plan_id, ""), r.monthly_saving.currency, str(r.monthly_saving.amount)]
        for r in report.lines
    ]  # fmt: skip
    return header, rows


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _personal_titles(context: Context) -> list[str]:
    return ["Phone number", "Employee"] if context.principal.can(Permission.PERSONAL_READ) else []


async def people_of(context: Context, line_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
    if not context.principal.can(Permission.PERSONAL_READ) or not line_ids:
        return {}
    lines = await context.sources.crm.subscribers_by_ids(sorted(set(line_ids)), context.principal.scope)
    return {line.id: (line.msisdn, line.employee_name) for line in lines}


def unit_cells(units: dict[int, str], unit_id: int | None) -> list[str]:
    """A unit's name and id, as GraphQL's ``orgUnit { name id }`` would give them: blank for a
    unit out of the caller's view (an employee's own unit, say), whose id is not the caller's."""
    if unit_id is None or unit_id not in units:
        return ["", ""]
    return [units[unit_id], to_global_id("OrgUnit", unit_id)]


async def unit_names(context: Context, unit_ids: Sequence[int]) -> dict[int, str]:
    units = await context.sources.crm.org_units_by_ids(sorted(set(unit_ids)), context.principal.scope)
    return {unit.id: unit.name for unit in units}
