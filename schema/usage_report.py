"""Usage volumes per unit and month, and how much of their bundles each tariff plan's lines use."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry

from loaders.org import OrgUnitByIdLoader
from loaders.subscriber import BundleByIdLoader, SubscriberByIdLoader, TariffPlanByIdLoader
from permissions.roles import Permission as P
from permissions.rules import SINGLE_LINES, requires
from schema.catalogue import Bundle, TariffPlan
from schema.common import Money
from schema.enums import UNIT_OF_KIND, QuantityUnit, UsageKind
from schema.fields import field, related, resolved
from schema.org_unit import OrgUnit
from schema.reports import report_rows
from schema.scalars import Month
from schema.subscriber import Subscriber

PRODUCT = requires(P.PRODUCT_READ)


def _unit(root: Any) -> QuantityUnit:
    return UNIT_OF_KIND[root.kind]


def _quantity(root: Any) -> Decimal:
    return Decimal(root.quantity)


@strawberry.type(description="Itemised usage of the lines you may see in a unit's subtree, for one month and kind.")
class UsageReportRow:
    org_unit: OrgUnit | None = related(OrgUnitByIdLoader, "org_unit_id", PRODUCT)
    month: Month = field(PRODUCT)
    kind: UsageKind = field(PRODUCT)
    quantity: Decimal = resolved(PRODUCT, _quantity, description="In `unit`s (a decimal: sums outgrow 32 bits).")
    unit: QuantityUnit = resolved(PRODUCT, _unit)
    amount: Money = field(PRODUCT, description="As rated.")
    lines: int = field(PRODUCT, description="Lines with usage of this kind.")
    billed: bool = field(
        PRODUCT, description="The month has closed and been invoiced; otherwise rated, not yet billed."
    )
    suppressed: bool = field(
        PRODUCT,
        description="For a caller without line:read, no row stands for fewer than the minimum group size of "
        "lines (CORPCARE_MIN_GROUP_SIZE, 5 by default): the smaller units of a month and kind are summed into "
        "this remainder row (orgUnit null).",
    )


@strawberry.type(description="Usage of one kind over the whole report: every month, unit and remainder row.")
class UsageReportTotal:
    kind: UsageKind = field(PRODUCT)
    quantity: Decimal = resolved(PRODUCT, _quantity, description="In `unit`s.")
    unit: QuantityUnit = resolved(PRODUCT, _unit)
    amount: Money = field(PRODUCT, description="As rated.")


@strawberry.type(description="Usage volumes by kind per unit and month; units at the chosen depth, rolled up.")
class UsageReport:
    first: Month = field(PRODUCT, name="from")
    last: Month = field(PRODUCT, name="to")
    as_of: datetime = field(PRODUCT)
    totals: list[UsageReportTotal] = field(
        PRODUCT,
        description="Per kind and currency, the sums of every row (each line counts in one row of a month and "
        "kind): amounts in two currencies are never added.",
    )

    rows = report_rows(UsageReportRow, PRODUCT, "by month, then unit (the remainder last), kind and currency")


def _allowance(root: Any) -> Decimal:
    return Decimal(root.allowance)


def _used(root: Any) -> Decimal:
    return Decimal(root.used)


@strawberry.type(
    description="A tariff plan's lines and one of their bundles in a month: allowance against use. For a caller "
    "without line:read, only plans held by at least the minimum group size of its lines, and only over all of "
    "them (asked for a part of its lines, such a caller gets no rows)."
)
class BundleUtilisation:
    tariff_plan: TariffPlan | None = related(TariffPlanByIdLoader, "tariff_plan_id", PRODUCT)
    bundle: Bundle | None = related(BundleByIdLoader, "bundle_id", PRODUCT)
    lines: int = field(PRODUCT)
    allowance: Decimal = resolved(PRODUCT, _allowance, description="Summed over the lines, in the bundle's unit.")
    used: Decimal = resolved(PRODUCT, _used)
    percent_used: Decimal | None = field(PRODUCT)


@strawberry.type(description="A line whose usage fits a cheaper plan.")
class LineSaving:
    line: Subscriber | None = related(SubscriberByIdLoader, "line_id", PRODUCT)
    current_plan: TariffPlan | None = related(TariffPlanByIdLoader, "current_plan_id", PRODUCT)
    suggested_plan: TariffPlan | None = related(TariffPlanByIdLoader, "suggested_plan_id", PRODUCT)
    monthly_saving: Money = field(PRODUCT)


@strawberry.type(
    description="Lines whose recent usage fits a cheaper tariff plan, largest saving first.", directives=[SINGLE_LINES]
)
class SavingsReport:
    first: Month = field(PRODUCT, name="from")
    last: Month = field(PRODUCT, name="to")
    as_of: datetime = field(PRODUCT)
    rule: str = field(PRODUCT, description="How a line is found to fit a plan, in words.")
    lines: list[LineSaving] = field(PRODUCT)
    total_monthly_saving: Money | None = field(
        PRODUCT, description="The lines' savings added up; null with MIXED_CURRENCIES when they are in two currencies."
    )
    totals_by_currency: list[Money] = field(
        PRODUCT, description="The lines' savings added up in each currency, by currency: never added across them."
    )
