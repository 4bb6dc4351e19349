"""Usage volumes by kind per unit and month, and bundle use per tariff plan — over the lines in
scope, summed by billing. Volumes come from itemised usage as rated; a month is ``billed``
once it has closed (its invoices are issued the month after)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal

from resolvers.context import Context
from resolvers.report_base import check_depth, check_months, report_customer, unit_at_depth, visible_lines
from sources.values import Money


@dataclass(slots=True)
class UsageRow:
    org_unit_id: int
    month: date
    kind: str
    quantity: int
    amount: Money
    lines: int
    billed: bool


@dataclass(slots=True)
class UsageReport:
    first: date
    last: date
    as_of: datetime
    rows: list[UsageRow] = field(default_factory=list)


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
    context: Context, first: date, last: date, unit_depth: int, org_unit_id: str | None, customer_id: str | None
) -> UsageReport:
    check_months(first, last)
    check_depth(unit_depth)
    customer = await report_customer(context, customer_id)
    lines = await visible_lines(context, customer, org_unit_id)
    groups = {line: str(unit_at_depth(path, unit_depth)) for line, path in lines.items()}
    found = await context.sources.usage_figures.volumes(customer, first, last, groups)
    report = UsageReport(first, last, datetime.now(UTC))
    report.rows = [
        UsageRow(int(s.group), s.period, s.kind, s.quantity, Money.from_minor(s.amount_minor, s.currency), s.lines,
                 billed=s.period < context.current_period)
        for s in found
    ]  # fmt: skip
    return report


async def bundle_use(
    context: Context, month: date, org_unit_id: str | None, customer_id: str | None
) -> list[BundleUseRow]:
    customer = await report_customer(context, customer_id)
    lines = await visible_lines(context, customer, org_unit_id)
    found = await context.sources.usage_figures.bundle_use(month, sorted(lines))
    return [BundleUseRow(u.plan_id, u.bundle_id, u.lines, u.allowance, u.used) for u in found]
