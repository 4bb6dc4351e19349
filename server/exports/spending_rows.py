"""The spending report as CSV rows for a spreadsheet, streamed: billing's sums arrive in batches
on a server-side cursor, each batch is named (units, plans, lines) and written out, and
nothing of the whole report is held at once."""

from __future__ import annotations

from collections.abc import AsyncIterator

from core.ids import to_global_id
from permissions.roles import Permission
from request.context import Context
from resolvers.spending_report import SpendingReportArgs, SpendingRow, spending_query, spending_row
from server.exports.report_rows import REMAINDER_NAME, people_of, unit_cells, unit_names

_TITLES = {
    "month": ["Month"],
    "org_unit": ["Org unit", "Org unit id"],
    "cost_centre": ["Cost centre"],
    "line": ["Line id"],
    "category": ["Charge category"],
    "tariff_plan": ["Tariff plan"],
    "service": ["Service"],
}
_PERSONAL = ["Phone number", "Employee"]
_MEASURES = ["Currency", "Total", "Company share", "Employee share", "Lines with charges"]


async def spending_csv(context: Context, args: SpendingReportArgs) -> tuple[list[str], AsyncIterator[list[str]]]:
    """The header and the rows; input problems are raised before the first row."""
    query = await spending_query(context, args)
    personal = "line" in args.group_by and context.principal.can(Permission.PERSONAL_READ)
    header = [title for name in _order(args) for title in _TITLES[name]]
    if personal:
        header += _PERSONAL
    header += _MEASURES
    catalogue = context.sources.catalogue
    plans = {plan.id: plan.name for plan in await catalogue.plans()} if "tariff_plan" in args.group_by else {}
    services = (
        {service.id: service.name for service in await catalogue.services()} if "service" in args.group_by else {}
    )

    async def rows() -> AsyncIterator[list[str]]:
        async for batch in context.sources.billing_reports.spending_stream(query):
            found = [spending_row(item, args, query) for item in batch]
            unit_ids = [r.org_unit_id for r in found if r.org_unit_id is not None]
            units = await unit_names(context, unit_ids) if unit_ids else {}
            people = await people_of(context, [r.line_id for r in found if r.line_id is not None]) if personal else {}
            for row in found:
                yield _cells(row, args, units, plans, services, people)

    return header, rows()


def _order(args: SpendingReportArgs) -> list[str]:
    return [name for name in _TITLES if name in args.group_by]


def _cells(
    row: SpendingRow,
    args: SpendingReportArgs,
    units: dict[int, str],
    plans: dict[int, str],
    services: dict[int, str],
    people: dict[int, tuple[str, ...]] | None,
) -> list[str]:
    cells: list[str] = []
    named = False
    for name in _order(args):
        if row.suppressed and name != "month":
            # The remainder: the groups too small to show on their own, with no group keys.
            cells += [REMAINDER_NAME if not named else "", *([""] if name == "org_unit" else [])]
            named = True
        elif name == "month":
            cells.append(row.month.strftime("%Y-%m") if row.month else "")
        elif name == "org_unit":
            cells += unit_cells(units, row.org_unit_id)
        elif name == "cost_centre":
            cells.append(row.cost_centre or "")
        elif name == "line":
            cells.append(to_global_id("Subscriber", row.line_id or 0))
        elif name == "category":
            cells.append(row.category or "")
        elif name == "tariff_plan":
            cells.append(plans.get(row.tariff_plan_id or 0, ""))
        else:
            cells.append(services.get(row.service_id or 0, "(none)"))
    if people:
        cells += list(people.get(row.line_id or 0, ("", "")))
    return [*cells, row.currency, str(row.total.amount), str(row.company_share.amount),
            str(row.employee_share.amount), str(row.lines)]  # fmt: skip
