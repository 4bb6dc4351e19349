"""Money spent by lines and units, and the spending policy that applies to them."""

from __future__ import annotations

import strawberry

from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from schema.common import Money
from schema.enums import ChargeCategory, ContentFilter, LimitAction
from schema.fields import field
from schema.scalars import Month

SPENDING = requires(P.SPENDING_READ)
POLICY = requires(P.POLICY_READ)


@strawberry.type
class CategoryAmount:
    category: ChargeCategory = field(PUBLIC)
    amount: Money = field(PUBLIC)


@strawberry.type(description="A line's rated charges for one month, split between company and employee.")
class Spending:
    period: Month = field(SPENDING)
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING)
    employee_share: Money = field(SPENDING)
    by_category: list[CategoryAmount] = field(SPENDING)


@strawberry.type(description="Charges of the lines in a subtree (that the caller may see) for one month.")
class UnitSpending:
    period: Month = field(SPENDING)
    total: Money = field(SPENDING)
    company_share: Money = field(SPENDING)
    employee_share: Money = field(SPENDING)
    line_count: int = field(SPENDING, description="Lines with charges in the month.")


@strawberry.type(description="The policy in force: each attribute from the nearest level of the tree that sets it.")
class EffectivePolicy:
    monthly_limit: Money | None = field(POLICY)
    limit_action: LimitAction = field(POLICY)
    company_share_percent: int = field(POLICY, description="Share of usage charges the company pays.")
    content_filter: ContentFilter = field(POLICY)
    roaming_allowed: bool = field(POLICY)
    overrides: bool = field(POLICY, description="True when this object sets some attribute itself.")
