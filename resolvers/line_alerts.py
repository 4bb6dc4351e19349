"""Lines that stand out: the top spenders of a period, lines over their monthly limit, lines whose
spending grew sharply month over month, and roaming spikes. Billing returns only those lines
(ORDER BY … LIMIT, or HAVING past the threshold); the lines considered are those in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from core.crm_records import path_ids
from core.errors import BadUserInput
from core.values import MINOR_UNITS, Money, add_months
from request.context import Context
from resolvers.report_base import Split, check_months, report_customer, visible_lines
from resolvers.unit_changes import minor_amount
from sources.billing.policies import line_policies
from sources.billing.reports import LineSum

TOP_MAX = 1000


@dataclass(slots=True)
class LineFigure(Split):
    """One line's figure, and what it was compared with."""

    line_id: int
    currency: str
    total_minor: int
    employee_minor: int = 0
    compared_minor: int | None = None
    limit_action: str | None = None
    rank: int = 0

    @property
    def compared(self) -> Money | None:
        return None if self.compared_minor is None else Money.from_minor(self.compared_minor, self.currency)

    # The same figures under the names each kind of alert gives them.
    spent = Split.total
    current = Split.total
    limit = compared
    earlier = compared

    @property
    def growth_percent(self) -> Decimal | None:
        if not self.compared_minor:
            return None
        return (Decimal(self.total_minor - self.compared_minor) * 100 / self.compared_minor).quantize(Decimal("0.1"))


def _figure(found: LineSum, rank: int = 0) -> LineFigure:
    return LineFigure(found.line_id, found.currency, found.total_minor, found.employee_minor, found.compared_minor,
                      rank=rank)  # fmt: skip


@dataclass(slots=True)
class TopSpenders:
    first: date
    last: date
    as_of: datetime
    lines: list[LineFigure]


async def top_spenders(
    context: Context, first: date, last: date, count: int, org_unit_id: str | None, customer_id: str | None
) -> TopSpenders:
    check_months(first, last)
    if not 1 <= count <= TOP_MAX:
        raise BadUserInput(f"Ask for 1 to {TOP_MAX} lines.", field=["first"])
    customer = await report_customer(context, customer_id)
    lines = await visible_lines(context, customer, org_unit_id)
    found = await context.sources.line_figures.top(customer, first, last, sorted(lines), count)
    ranked = [_figure(line, rank) for rank, line in enumerate(found, start=1)]
    return TopSpenders(first, last, await context.sources.line_figures.as_of(), ranked)  # the answer's moment


@dataclass(slots=True)
class Anomalies:
    """What the anomaly fields share: the month, the customer and the lines in scope."""

    context: Context
    month: date
    customer: int
    lines: dict[int, str]  # line id -> org path
    as_of: datetime
    currency: str  # the company's: amounts given as arguments are stated in it

    async def over_limit(self) -> list[LineFigure]:
        """A line's limit is in its billing account's currency (``resolvers/policy_changes.py``): only
        its charges in that currency are compared with it, never a sum in another."""
        billed_in = await self.context.sources.products.billing_currencies(sorted(self.lines)) if self.lines else {}
        limits, actions = await self._limits(billed_in)
        found = await self.context.sources.line_figures.over_limit(self.customer, self.month, limits)
        return [LineFigure(f.line_id, f.currency, f.total_minor, compared_minor=f.compared_minor,
                           limit_action=actions[f.line_id])
                for f in found if billed_in.get(f.line_id) == f.currency]  # fmt: skip

    async def grown(self, percent: int) -> list[LineFigure]:
        if percent < 0:
            raise BadUserInput("Growth is a percentage of at least 0.", field=["percent"])
        found = await self.context.sources.line_figures.grown(
            self.customer, self.month, [add_months(self.month, -1)], sorted(self.lines), percent=percent, minimum=1
        )
        return [_figure(line) for line in found]

    async def roaming_spikes(self, factor: int, minimum: Decimal, currency: str | None) -> list[LineFigure]:
        """Only charges in ``currency`` (the company's by default), the one ``minimum`` is stated
        in: a minimum in one currency is never compared with amounts in another."""
        if factor < 1 or minimum < 0:
            raise BadUserInput("The factor is at least 1 and the minimum at least 0.", field=["factor"])
        currency = currency or self.currency
        if currency not in MINOR_UNITS:
            raise BadUserInput(f"Unknown currency {currency!r}.", field=["currency"])
        earlier = [add_months(self.month, -back) for back in (1, 2, 3)]
        found = await self.context.sources.line_figures.grown(
            self.customer, self.month, earlier, sorted(self.lines),
            percent=(factor - 1) * 100, minimum=minor_amount(minimum, currency, ["minimum"]),
            category="roaming", currency=currency,
        )  # fmt: skip
        return [_figure(line) for line in found]

    async def _limits(self, billed_in: dict[int, str]) -> tuple[dict[int, int], dict[int, str]]:
        """Each line's monthly limit in force (units down to the line) in the currency it is billed
        in (``billed_in``), where it has one."""
        unit_ids = sorted({unit for path in set(self.lines.values()) for unit in path_ids(path)})
        records = await self.context.sources.policies.policies(unit_ids, sorted(self.lines))
        limits: dict[int, int] = {}
        actions: dict[int, str] = {}
        for line, policy in line_policies(records, self.lines, billed_in).items():
            if policy.monthly_limit_minor is not None:
                limits[line] = policy.monthly_limit_minor
                actions[line] = policy.limit_action or "notify"
        return limits, actions


async def anomalies(context: Context, month: date, org_unit_id: str | None, customer_id: str | None) -> Anomalies:
    customer = await report_customer(context, customer_id)
    lines = await visible_lines(context, customer, org_unit_id)
    company = await context.sources.crm.customers_by_ids([customer], context.principal.scope)
    currency = company[0].currency if company else "EUR"  # none: no line is in scope, nothing is compared
    return Anomalies(context, month, customer, lines, await context.sources.line_figures.as_of(), currency)
