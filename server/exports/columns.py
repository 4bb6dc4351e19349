"""Which columns of a CSV export a caller may read, decided by the GraphQL field rules.

Every column names the GraphQL fields its value is read through (``UsageReportRow.orgUnit``
then ``OrgUnit.id``); a caller gets the column only when the schema's rule of each of those
fields lets it select them, so an export shows exactly what the same caller could ask
GraphQL for. A column not in this table is left out (deny by default), and a test checks
that every column each export writes is in it. Which rows and which objects appear (scope)
is the resolvers' business, as for GraphQL.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from functools import cache

from permissions.authorize import RuleTable, rule_table
from permissions.principal import Principal
from permissions.roles import Permission


@dataclass(frozen=True, slots=True)
class Column:
    path: tuple[str, ...]  # "Type.field", from the report's row down to the value
    # An identifier a spreadsheet would turn into a number (a phone number loses its "+" and
    # its leading zeros, a 20-digit ICCID its last digits): written as text.
    text: bool = False


def _money(row: str, name: str) -> dict[str, Column]:
    return {name: Column((f"{row}.{_camel(name)}", "Money.amount"))}


def _camel(title: str) -> str:
    first, *rest = title.lower().split()
    return first + "".join(word.capitalize() for word in rest)


def _line(row: str) -> dict[str, Column]:
    return {
        "Line id": Column((f"{row}.line", "Subscriber.id")),
        "Phone number": Column((f"{row}.line", "Subscriber.msisdn"), text=True),
        "Employee": Column((f"{row}.line", "Subscriber.employeeName")),
    }


def _unit(row: str) -> dict[str, Column]:
    return {
        "Org unit": Column((f"{row}.orgUnit", "OrgUnit.name")),
        "Org unit id": Column((f"{row}.orgUnit", "OrgUnit.id")),
    }


_SPENDING = "SpendingReportRow"
_USAGE = "UsageReportRow"
_BUDGET = "BudgetReportRow"
_TOP = "TopSpender"
_SAVING = "LineSaving"
_INVOICE = ("BillingAccount.invoices", "Invoice")
_ON_INVOICE = ("Invoice.bySubscriber", "InvoiceLineTotal")


def _invoice(field: str, *more: str) -> Column:
    return Column((_INVOICE[0], f"{_INVOICE[1]}.{field}", *more))


def _on_invoice(field: str, *more: str, text: bool = False) -> Column:
    return Column((_ON_INVOICE[0], f"{_ON_INVOICE[1]}.{field}", *more), text=text)


_OVER = "LineOverLimit"
_GROWTH = "LineGrowth"

COLUMNS: dict[str, dict[str, Column]] = {
    "spending": {
        "Month": Column((f"{_SPENDING}.month",)),
        **_unit(_SPENDING),
        "Cost centre": Column((f"{_SPENDING}.costCentre",), text=True),
        **_line(_SPENDING),
        "Charge category": Column((f"{_SPENDING}.category",)),
        "Tariff plan": Column((f"{_SPENDING}.tariffPlan", "TariffPlan.name")),
        "Service": Column((f"{_SPENDING}.service", "Service.name")),
        "Currency": Column((f"{_SPENDING}.total", "Money.currency")),
        **_money(_SPENDING, "Total"),
        **_money(_SPENDING, "Company share"),
        **_money(_SPENDING, "Employee share"),
        "Lines with charges": Column((f"{_SPENDING}.lines",)),
    },
    "budget": {
        **_unit(_BUDGET),
        "Month": Column((f"{_BUDGET}.month",)),
        "Currency": Column((f"{_BUDGET}.budget", "Money.currency")),
        **_money(_BUDGET, "Budget"),
        **_money(_BUDGET, "Actual"),
        "Percent used": Column((f"{_BUDGET}.percentUsed",)),
        **_money(_BUDGET, "Forecast"),
        "Forecast percent": Column((f"{_BUDGET}.forecastPercent",)),
        "Over budget": Column((f"{_BUDGET}.overBudget",)),
    },
    "top-spenders": {
        "Rank": Column((f"{_TOP}.rank",)),
        **_line(_TOP),
        "Currency": Column((f"{_TOP}.total", "Money.currency")),
        **_money(_TOP, "Total"),
        **_money(_TOP, "Company share"),
        **_money(_TOP, "Employee share"),
    },
    # Over limit and growth rows in one file: their line and amount fields have the same rules.
    "anomalies": {
        "Anomaly": Column(("SpendingAnomalies.overLimit",)),
        "Month": Column(("SpendingAnomalies.month",)),
        **_line(_OVER),
        "Currency": Column((f"{_OVER}.spent", "Money.currency")),
        **_money(_OVER, "Spent"),
        **_money(_OVER, "Limit"),
        "Limit action": Column((f"{_OVER}.limitAction",)),
        **_money(_GROWTH, "Earlier"),
        "Growth percent": Column((f"{_GROWTH}.growthPercent",)),
    },
    "usage": {
        **_unit(_USAGE),
        "Month": Column((f"{_USAGE}.month",)),
        "Kind": Column((f"{_USAGE}.kind",)),
        "Quantity": Column((f"{_USAGE}.quantity",)),
        "Unit": Column((f"{_USAGE}.unit",)),
        "Currency": Column((f"{_USAGE}.amount", "Money.currency")),
        "Amount": Column((f"{_USAGE}.amount", "Money.amount")),
        "Lines": Column((f"{_USAGE}.lines",)),
        "Billed": Column((f"{_USAGE}.billed",)),
    },
    "savings": {
        **_line(_SAVING),
        "Current plan": Column((f"{_SAVING}.currentPlan", "TariffPlan.name")),
        "Suggested plan": Column((f"{_SAVING}.suggestedPlan", "TariffPlan.name")),
        "Currency": Column((f"{_SAVING}.monthlySaving", "Money.currency")),
        **_money(_SAVING, "Monthly saving"),
    },
    "invoices": {
        "Invoice id": _invoice("id"),
        "Invoice number": _invoice("number"),
        "Billing account": _invoice("billingAccount", "BillingAccount.name"),
        "Billing account number": _invoice("billingAccount", "BillingAccount.number"),
        "Period": _invoice("period"),
        "Issued on": _invoice("issuedOn"),
        "Due on": _invoice("dueOn"),
        "Status": _invoice("status"),
        "Currency": _invoice("total", "Money.currency"),
        "Total": _invoice("total", "Money.amount"),
        "Company share": _invoice("companyShare", "Money.amount"),
        "Employee share": _invoice("employeeShare", "Money.amount"),
    },
    "invoice-lines": {
        "Line id": _on_invoice("subscriber", "Subscriber.id"),
        "Phone number": _on_invoice("subscriber", "Subscriber.msisdn", text=True),
        "Employee": _on_invoice("subscriber", "Subscriber.employeeName"),
        "Currency": _on_invoice("total", "Money.currency"),
        "Total": _on_invoice("total", "Money.amount"),
        "Company share": _on_invoice("companyShare", "Money.amount"),
        "Employee share": _on_invoice("employeeShare", "Money.amount"),
    },
}


@cache
def _rules() -> RuleTable:
    from engine.build import build_schema  # the schema's own rule table: one source of truth

    return rule_table(build_schema()._schema)


def readable(column: Column | None, principal: Principal, rules: RuleTable | None = None) -> bool:
    if column is None:
        return False
    return all(selectable(step, principal, rules) for step in column.path)


def selectable(step: str, principal: Principal, rules: RuleTable | None = None) -> bool:
    """The caller could select the field ``Type.field`` in GraphQL: it has a rule, and the rule
    (with the type rule of the type it reaches) lets the caller's role select it."""
    found = needs(step, rules)
    return found is not None and all(principal.can(needed) for needed in found)


def needs(step: str, rules: RuleTable | None = None) -> tuple[Permission, ...] | None:
    """Every permission selecting the field ``Type.field`` takes; None: it has no rule."""
    table = _rules() if rules is None else rules
    type_name, _, field_name = step.partition(".")
    return table.needs(type_name, field_name)


@dataclass(frozen=True, slots=True)
class Shown:
    """The columns of one export that a caller may read: their positions and which are text."""

    keep: tuple[int, ...]
    text: frozenset[int]  # positions in the written row

    @classmethod
    def of(cls, report: str, header: Sequence[str], principal: Principal) -> Shown:
        columns = COLUMNS.get(report, {})
        keep = tuple(i for i, title in enumerate(header) if readable(columns.get(title), principal))
        text = frozenset(n for n, i in enumerate(keep) if columns[header[i]].text)
        return cls(keep, text)

    def row(self, cells: Sequence[str]) -> list[str]:
        return [cells[i] for i in self.keep]

    async def rows(self, rows: AsyncIterator[list[str]]) -> AsyncIterator[list[str]]:
        async for cells in rows:
            yield self.row(cells)
