"""What every report starts from: its customer, its months, and the lines the caller may see."""

from __future__ import annotations

from datetime import date

from core.crm_records import path_ids
from core.errors import BadUserInput
from core.values import Money, add_months
from request.context import Context
from resolvers.node import load_node
from sources.crm.history import Stay

MAX_MONTHS = 36
AS_BILLED = "as_billed"  # each charge under the unit its line belonged to on the charge's day
CURRENT = "current"  # every month grouped by today's org tree


def months(first: date, last: date) -> list[date]:
    """The months ``first``..``last``, in order."""
    found = [first]
    while found[-1] < last:
        found.append(add_months(found[-1], 1))
    return found


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


def check_depth(depth: int) -> None:
    if not 0 <= depth <= 3:
        raise BadUserInput("unitDepth is 0 (the company) to 3 (teams).", field=["unitDepth"])


def unit_at_depth(path: str, depth: int) -> int:
    """The unit on ``path`` at ``depth``; a line hanging above that depth counts for its own unit."""
    ids = path_ids(path)
    return ids[min(depth, len(ids) - 1)]


async def visible_lines(context: Context, customer: int, org_unit_id: str | None = None) -> dict[int, str]:
    """Line id → org path of the customer's lines in the caller's scope (one CRM read),
    within ``org_unit_id``'s subtree when given."""
    subtree = None if org_unit_id is None else (await load_node(context, org_unit_id, expect="OrgUnit")).path
    members = await context.sources.crm.memberships([customer], context.principal.scope, subtree)
    return {line: path for line, _, path in members}


async def visible_stays(
    context: Context, customer: int, first: date, last: date, org_unit_id: str | None = None
) -> list[Stay]:
    """Where the lines sat during the months ``first``..``last``, as far as the caller may see
    (one CRM read): for a unit-scoped caller, the days a line spent inside its subtree
    (``sources/crm/history.py``); within ``org_unit_id``'s subtree as it was then, when given."""
    within = None if org_unit_id is None else int((await load_node(context, org_unit_id, expect="OrgUnit")).id)
    crm = context.sources.crm
    return await crm.stays([customer], context.principal.scope, first, add_months(last, 1), within)


def unit_on(path: str, unit_id: int) -> bool:
    """``unit_id`` is on ``path``: the line counted in that unit's subtree (paths are unit ids)."""
    return f"/{unit_id}/" in path


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
