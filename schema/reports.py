"""Reports for finance and analysts: figures grouped over the org tree, months and products."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from core.errors import BadUserInput
from core.values import add_months
from loaders.org import OrgUnitByIdLoader
from loaders.subscriber import ServiceByIdLoader, SubscriberByIdLoader, TariffPlanByIdLoader
from permissions.roles import Permission as P
from permissions.rules import requires
from resolvers.budget_report import BudgetReportArgs
from resolvers.report_pages import ROW_PAGE_DEFAULT, ROW_PAGE_MAX
from resolvers.spending_report import SpendingReportArgs
from schema.catalogue import Service, TariffPlan
from schema.common import Connection, Money
from schema.enums import ChargeCategory, OrgStructure
from schema.fields import field, related, resolved
from schema.org_unit import OrgUnit
from schema.scalars import Month
from schema.subscriber import Subscriber

SPENDING = requires(P.SPENDING_READ)


def report_rows(node: type, permission: Any, order: str) -> Any:
    """A report's ``rows``: a connection of ``node`` over the report's rows in ``order``, paged by
    the report value's ``page`` (``resolvers/report_pages.py``), every row reachable."""

    def rows(
        root: Any, first: int | None = None, after: str | None = None, last: int | None = None,
        before: str | None = None,
    ) -> Any:  # fmt: skip
        return root.page(first, after, last, before)

    rows.__annotations__["return"] = Connection[node]  # type: ignore[valid-type]
    description = (
        f"Rows {order}, every one reachable: page with `first`/`after` or `last`/`before` (a page holds at most "
        f"{ROW_PAGE_MAX} rows, {ROW_PAGE_DEFAULT} by default; the report itself has no cap). Cursors name the "
        "row's group and this report's question: another question's cursor is refused."
    )
    return strawberry.field(rows, directives=[permission], description=description)


@strawberry.enum
class SpendingDimension(Enum):
    ORG_UNIT = "org_unit"
    COST_CENTRE = "cost_centre"
    LINE = "line"
    MONTH = "month"
    CATEGORY = "category"
    TARIFF_PLAN = "tariff_plan"
    SERVICE = "service"


MAX_LAST_MONTHS = 120


@strawberry.input(
    description="Months are billing periods, both ends included. Grouped by SERVICE, a line counts under each "
    "service it holds, so those rows overlap."
)
class SpendingReportInput:
    # Optional so that a dashboard asks for "this month" or "the last twelve" without reading a clock
    # of its own: the browser's month may differ from the server's at a month's turn.
    from_: Month | None = strawberry.field(
        default=None, name="from", description="`to` when not given (nor `lastMonths`)."
    )
    to: Month | None = strawberry.field(default=None, description="The current month when not given.")
    last_months: int | None = strawberry.field(
        default=None, description="Instead of `from`: this many months, up to `to` included (1 to 120)."
    )
    group_by: list[SpendingDimension] = strawberry.field(default_factory=list)
    unit_depth: int = strawberry.field(
        default=1, description="For ORG_UNIT: 0 the company, 1 divisions, 2 departments, 3 teams; rolled up."
    )
    org_unit: strawberry.ID | None = strawberry.field(default=None, description="Only the lines in this subtree.")
    customer: strawberry.ID | None = strawberry.field(default=None, description="Operator staff: the customer.")
    categories: list[ChargeCategory] | None = strawberry.field(default=None, description="Only these categories.")
    structure: OrgStructure = strawberry.field(
        default=OrgStructure.AS_BILLED,
        description="The tree that groups ORG_UNIT and COST_CENTRE and decides orgUnit and your subtree. Without "
        "line:read, the groups large enough to show are cut from that tree too (AS_BILLED: each month's as it was).",
    )

    def args(self, current: date) -> SpendingReportArgs:
        """The report's arguments, months not given counted from ``current`` (the server's month)."""
        last = self.to or current
        if self.last_months is not None:
            if self.from_ is not None:
                raise BadUserInput("Give `from` or `lastMonths`, not both.", field=["input", "lastMonths"])
            if not 1 <= self.last_months <= MAX_LAST_MONTHS:
                raise BadUserInput(f"lastMonths is 1 to {MAX_LAST_MONTHS}.", field=["input", "lastMonths"])
        first = add_months(last, 1 - self.last_months) if self.last_months is not None else self.from_ or last
        return SpendingReportArgs(
            first=first, last=last, group_by=tuple(d.value for d in self.group_by),
            unit_depth=self.unit_depth, org_unit_id=self.org_unit, customer_id=self.customer,
            categories=tuple(c.value for c in self.categories or ()), structure=self.structure.value,
        )  # fmt: skip


@strawberry.type(
    description="One group's figures; the dimensions not grouped by are null. For a caller without line:read, "
    "no figure stands for fewer than the minimum group size of lines (CORPCARE_MIN_GROUP_SIZE, 5 by default): "
    "the smaller groups are summed into a remainder row per month and currency (`suppressed: true`, every "
    "other dimension null), so rows and remainder add up to the totals; grouping by LINE, TARIFF_PLAN or "
    "SERVICE is refused."
)
class SpendingReportRow:
    org_unit: OrgUnit | None = related(OrgUnitByIdLoader, "org_unit_id", SPENDING)
    cost_centre: str | None = field(
        SPENDING,
        description="The nearest cost centre above the lines within your grant (a centre above your granted "
        "subtree is never named); null: none. Without line:read, the nearest of the units large enough to "
        "show: lines of a smaller centre count for the centre above it.",
    )
    line: Subscriber | None = related(SubscriberByIdLoader, "line_id", SPENDING)
    month: Month | None = field(SPENDING)
    category: ChargeCategory | None = field(SPENDING)
    tariff_plan: TariffPlan | None = related(TariffPlanByIdLoader, "tariff_plan_id", SPENDING)
    service: Service | None = related(
        ServiceByIdLoader,
        "service_id",
        SPENDING,
        description="By SERVICE: the lines holding it; null: lines with none.",
    )
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING)
    employee_share: Money = field(SPENDING)
    lines: int = field(SPENDING, description="Lines with charges.")
    suppressed: bool = field(
        SPENDING, description="The remainder row: groups too small to show on their own, summed (keys null)."
    )


@strawberry.type(description="Rated charges of the lines you may see, summed by the billing database.")
class SpendingReport:
    first: Month = field(SPENDING, name="from")
    last: Month = field(SPENDING, name="to")
    as_of: datetime = field(SPENDING, description="When the figures were read.")
    totals: list[SpendingReportRow] = field(
        SPENDING,
        description="Every line of the report, one row per currency: amounts in two currencies are never added "
        "(a company billed in EUR and SEK has two totals, and its rows carry their own currency).",
    )
    row_count: int = field(SPENDING, description="All rows of the report, as `rows.totalCount`.")

    rows = report_rows(SpendingReportRow, SPENDING, "in dimension order (months, then the groups, then currency)")


BUDGET = requires(P.BUDGET_READ)


@strawberry.input(description="Months are billing periods, both ends included; the current month is forecast.")
class BudgetReportInput:
    # Optional so that a dashboard asks for "this month" without reading a clock of its own: the
    # browser's month may differ from the server's at a month's turn.
    from_: Month | None = strawberry.field(default=None, name="from", description="The current month when not given.")
    to: Month | None = strawberry.field(default=None, description="The current month when not given.")
    org_unit: strawberry.ID | None = strawberry.field(default=None, description="Only the units in this subtree.")
    customer: strawberry.ID | None = strawberry.field(default=None, description="Operator staff: the customer.")
    structure: OrgStructure = strawberry.field(
        default=OrgStructure.AS_BILLED,
        description="Which lines count for a unit each month: AS_BILLED those it had then, CURRENT those it has "
        "now. Each month's budget is the one in force that month either way.",
    )

    def args(self, current: date) -> BudgetReportArgs:
        """The report's arguments, a month not given being ``current`` (the server's month)."""
        return BudgetReportArgs(
            self.from_ or current, self.to or current, self.org_unit, self.customer, self.structure.value
        )


@strawberry.type(
    description="A unit's budget against what the lines you may see in its subtree spent. Without line:read, "
    "only units large enough to show on their own (as billed: in that month) are listed, and their actuals "
    "count only parts of at least the minimum group size of lines."
)
class BudgetReportRow:
    org_unit: OrgUnit | None = related(OrgUnitByIdLoader, "org_unit_id", BUDGET)
    month: Month = field(BUDGET)
    budget: Money = field(BUDGET, description="In the company's currency.")
    # Computed, not plain attributes: a row whose charges are in another currency than its budget
    # answers MIXED_CURRENCIES on these fields alone (the executor reads plain attributes of a
    # whole list at once, where one row's refusal would fail every row).
    actual: Money | None = resolved(
        BUDGET,
        lambda root: root.actual,
        description="Charges in the budget's currency. Null with MIXED_CURRENCIES (extensions.currencies) when "
        "the unit's lines were also charged in another currency that month: currencies are never added or "
        "converted; percentUsed, forecast, forecastPercent and overBudget are null with it.",
    )
    percent_used: Decimal | None = resolved(
        BUDGET,
        lambda root: root.percent_used,
        description="actual / budget, in percent.",
    )
    forecast: Money | None = resolved(
        BUDGET,
        lambda root: root.forecast,
        description="The current month only: recurring fees as charged, plus usage so far extrapolated over the "
        "month's days.",
    )
    forecast_percent: Decimal | None = resolved(BUDGET, lambda root: root.forecast_percent)
    over_budget: bool | None = resolved(
        BUDGET,
        lambda root: root.over_budget,
        description="Actual, or the forecast, above the budget.",
    )


@strawberry.type(description="Budgets against actual spending; units over budget first.")
class BudgetReport:
    first: Month = field(BUDGET, name="from")
    last: Month = field(BUDGET, name="to")
    as_of: datetime = field(BUDGET, description="When the figures were read.")

    rows = report_rows(
        BudgetReportRow,
        BUDGET,
        "over budget (or forecast to be) first, then by the share used, rows in mixed currencies last; then by "
        "month and unit. A unit's subtree holds its budgeted sub-units, so rows overlap and have no total",
    )
