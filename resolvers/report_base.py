"""What every report starts from: its customer, its months, and the lines the caller may see."""

from __future__ import annotations

from datetime import date

from permissions.roles import Permission
from resolvers.context import Context
from resolvers.node import load_node
from sources.errors import BadUserInput, Forbidden
from sources.values import Money, add_months

MAX_MONTHS = 36


def check_months(first: date, last: date) -> None:
    if first > last:
        raise BadUserInput("The report's first month comes after its last.", field=["from"])
    if add_months(first, MAX_MONTHS - 1) < last:
        raise BadUserInput(f"A report covers at most {MAX_MONTHS} months.", field=["to"])


async def report_customer(context: Context, customer_id: str | None) -> int:
    """The caller's company; operator staff name the customer."""
    if customer_id is not None:
        return int((await load_node(context, customer_id, expect="Customer")).id)
    if context.principal.customer_id is None:
        raise BadUserInput("Name the customer to report on.", field=["customer"])
    return context.principal.customer_id


def require_lines(context: Context, what: str) -> None:
    """Figures of single lines need line:read: an aggregate-only caller sees groups, never a line."""
    if not context.principal.can(Permission.LINE_READ):
        raise Forbidden(f"{what} shows single lines: it needs the line:read permission.")


async def visible_lines(context: Context, customer: int, org_unit_id: str | None = None) -> dict[int, str]:
    """Line id → org path of the customer's lines in the caller's scope (one CRM read),
    within ``org_unit_id``'s subtree when given."""
    members = await context.sources.crm.memberships([customer], context.principal.scope)
    lines = {line: path for line, _, path in members}
    if org_unit_id is not None:
        subtree = (await load_node(context, org_unit_id, expect="OrgUnit")).path
        lines = {line: path for line, path in lines.items() if path.startswith(subtree)}
    return lines


class Split:
    """Money figures split between company and employee, from ``total_minor``,
    ``employee_minor`` and ``currency`` on the row."""

    __slots__ = ()
    total_minor: int
    employee_minor: int
    currency: str

    @property
    def total(self) -> Money:
        return Money.from_minor(self.total_minor, self.currency)

    @property
    def company_share(self) -> Money:
        return Money.from_minor(self.total_minor - self.employee_minor, self.currency)

    @property
    def employee_share(self) -> Money:
        return Money.from_minor(self.employee_minor, self.currency)
