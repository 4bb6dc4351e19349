"""The savings finder: lines whose usage fits a cheaper tariff plan, and what each would save
(the rule is ``RULE``, also returned with every report)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from core.errors import BadUserInput, one_currency
from core.values import Money, add_months
from request.context import Context
from resolvers.report_base import report_customer, visible_lines
from sources.billing.usage_reports import PlanFit

RULE = (
    "Over the chosen closed months, each line's heaviest month per kind of usage (voice, SMS, data, roaming "
    "data) is taken from its itemised usage. A plan fits when, for every kind the line used, the plan has a "
    "bundle of that kind at least that large; a kind the plan has no bundle for must be unused, as it would "
    "be charged per use. The cheapest fitting plan is suggested when it costs less than the line's plan; the "
    "saving is the difference in monthly fees. Services on the line stay as they are."
)


@dataclass(slots=True)
class LineSaving:
    line_id: int
    current_plan_id: int
    suggested_plan_id: int
    monthly_saving: Money


@dataclass(slots=True)
class SavingsReport:
    first: date
    last: date
    as_of: datetime
    rule: str = RULE
    lines: list[LineSaving] = field(default_factory=list)

    @property
    def total_monthly_saving(self) -> Money | None:
        if not self.lines:
            return None
        # Plans are priced in the line's billing currency: a company billed in two has no one sum.
        currency = one_currency("The savings", (line.monthly_saving.currency for line in self.lines), "")
        return Money.from_minor(sum(line.monthly_saving.minor for line in self.lines), currency)

    @property
    def totals_by_currency(self) -> list[Money]:
        sums: dict[str, int] = {}
        for line in self.lines:
            money = line.monthly_saving
            sums[money.currency] = sums.get(money.currency, 0) + money.minor
        return [Money.from_minor(minor, currency) for currency, minor in sorted(sums.items())]


async def savings(context: Context, months: int, org_unit_id: str | None, customer_id: str | None) -> SavingsReport:
    if not 1 <= months <= 12:
        raise BadUserInput("Look back 1 to 12 months.", field=["months"])
    customer = await report_customer(context, customer_id)
    lines = await visible_lines(context, customer, org_unit_id)
    last = add_months(context.current_period, -1)
    first = add_months(last, -(months - 1))
    catalogue = context.sources.catalogue
    plans = await catalogue.plans()
    allowances: dict[int, dict[str, int]] = {plan.id: {} for plan in plans}
    for plan_id, bundle in await catalogue.bundles_by_plan_ids([plan.id for plan in plans]):
        allowances[plan_id][bundle.kind] = allowances[plan_id].get(bundle.kind, 0) + bundle.allowance
    fits = [PlanFit(plan.id, plan.monthly_fee.minor, allowances[plan.id]) for plan in plans]
    found = await context.sources.savings.cheaper_plans(customer, first, last, sorted(lines), fits)
    report = SavingsReport(first, last, await context.sources.savings.as_of())  # the answer's moment
    report.lines = [
        LineSaving(
            s.line_id, s.current_plan_id, s.plan_id, Money.from_minor(s.current_fee_minor - s.fee_minor, s.currency)
        )
        for s in found
    ]
    return report
