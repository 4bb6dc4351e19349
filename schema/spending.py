"""Money spent by lines and units, and the spending policy that applies to them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from core.billing_records import PolicyPeriodRecord, SpendingRecord
from core.values import Money as MoneyValue
from loaders.org import OrgUnitByIdLoader
from loaders.policy_periods import PolicyPeriodsBySubscriberMonthLoader
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from schema.common import Money
from schema.enums import ChargeCategory, ContentFilter, LimitAction, PolicyAttribute, PolicySetBy
from schema.fields import field, instances_of, related, resolved
from schema.scalars import Month

if TYPE_CHECKING:
    from schema.org_unit import OrgUnit

SPENDING = requires(P.SPENDING_READ)
POLICY = requires(P.POLICY_READ)


@strawberry.type
class CategoryAmount:
    category: ChargeCategory = field(PUBLIC)
    amount: Money = field(PUBLIC)


COMPANY_SHARE = "What the company pays: the total less the employee's share."
EMPLOYEE_SHARE = (
    "What the employee pays: usage charges over the limit under CHARGE_EMPLOYEE, plus the employee's part of "
    "the cost split of the rest. The split is computed on the cumulative charges of each line, month, category "
    "and policy period, rounded half to even, so company + employee = total for every charge and every sum; "
    "recurring fees are the company's in full."
)


def _limit_action(root: PolicyPeriodRecord) -> LimitAction:
    return LimitAction(root.policy.limit_action or "notify")


def _company_share_percent(root: PolicyPeriodRecord) -> int:
    percent = root.policy.company_share_percent
    return 100 if percent is None else percent


def _monthly_limit(root: PolicyPeriodRecord) -> MoneyValue | None:
    limit = root.policy.monthly_limit_minor
    return None if limit is None else MoneyValue.from_minor(limit, root.total.currency)


@strawberry.type(description="A line's charges of one month rated under one policy, and that policy.")
class PolicyPeriod:
    since: datetime = field(SPENDING, description="When this policy took effect (or the month began).")
    until: datetime = field(SPENDING, description="When the next policy took effect (or the month ends).")
    limit_action: LimitAction = resolved(SPENDING, _limit_action)
    company_share_percent: int = resolved(SPENDING, _company_share_percent)
    monthly_limit: Money | None = resolved(SPENDING, _monthly_limit)
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING, description=COMPANY_SHARE)
    employee_share: Money = field(SPENDING, description=EMPLOYEE_SHARE)
    over_limit: Money = field(
        SPENDING, description="Of the employee's share, the usage over the limit under CHARGE_EMPLOYEE."
    )

    is_type_of = instances_of(PolicyPeriodRecord)


def _policy_periods_key(root: SpendingRecord) -> tuple[int, Any, str, str]:
    return (root.subscriber_id or 0, root.period, root.total.currency, root.org_path or "")


@strawberry.type(description="A line's rated charges for one month, split between company and employee.")
class Spending:
    period: Month = field(SPENDING)
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING, description=COMPANY_SHARE)
    employee_share: Money = field(SPENDING, description=EMPLOYEE_SHARE)
    by_category: list[CategoryAmount] = field(SPENDING)
    policy_periods: list[PolicyPeriod] = related(
        PolicyPeriodsBySubscriberMonthLoader,
        _policy_periods_key,
        SPENDING,
        description="The month's charges per policy in force while they were rated, oldest first: one period "
        "unless the line's policy (or its unit's) changed during the month. They add up to the month.",
    )


PER_CURRENCY = (
    "The same charges as `spending` (same arguments and rules), one entry per currency the lines were charged "
    "in, in currency order; empty when nothing was charged. Amounts in two currencies are never added, so this "
    "answers for a company billed in several currencies, where `spending` is refused."
)


@strawberry.type(description="Charges of the lines in a subtree (that the caller may see) for one month.")
class UnitSpending:
    period: Month = field(SPENDING)
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING)
    employee_share: Money = field(SPENDING)
    line_count: int = field(SPENDING, description="Lines with charges in the month (in this currency).")


@strawberry.type(description="Where one attribute of the policy in force comes from.")
class PolicyOrigin:
    attribute: PolicyAttribute = field(POLICY)
    set_by: PolicySetBy = field(POLICY)
    org_unit: Annotated[OrgUnit, strawberry.lazy("schema.org_unit")] | None = related(
        OrgUnitByIdLoader,
        "org_unit_id",
        requires(P.ORG_READ),
        description="The unit that sets it (OWN on a unit: the unit itself). Null for the default, for a line's "
        "own setting, and for a unit outside your scope.",
    )


@strawberry.type(description="The policy in force: each attribute from the nearest level of the tree that sets it.")
class EffectivePolicy:
    monthly_limit: Money | None = field(
        POLICY,
        description="What a line's usage charges may reach in a month; recurring fees never count. In the "
        "currency of the line's billing account: only its charges in that currency count. On a unit whose lines "
        "are billed in several currencies, shown in the company's (each line reads it in its own).",
    )
    limit_action: LimitAction = field(POLICY)
    company_share_percent: int = field(
        POLICY,
        description="Share of usage charges (within the limit) the company pays; recurring fees are always the "
        "company's in full.",
    )
    content_filter: ContentFilter = field(POLICY)
    roaming_allowed: bool = field(POLICY)
    overrides: bool = field(POLICY, description="True when this object sets some attribute itself.")
    origins: list[PolicyOrigin] = field(
        POLICY, description="Where each attribute comes from: one entry per attribute, in PolicyAttribute order."
    )
