"""Value types of the naive schema: Month, Money, Node, pages, catalogue entries, spending
and policies — with the same GraphQL names and shapes as corpcare's ``schema.graphql``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from sqlalchemy import select

from bench.naive.context import fetch_one
from core.billing_records import PolicyRecord
from core.ids import to_global_id
from core.values import Money as MoneyValue
from schema.enums import ChargeCategory, ContentFilter, LimitAction, QuantityUnit, ServiceKind, UsageKind
from schema.scalars import Month
from sources.billing.models import SpendingPolicy
from sources.billing.policies import effective_policy
from sources.billing.policy_reads import POLICY_COLUMNS
from sources.db import Engines


@strawberry.type
class Money:
    amount: Decimal
    currency: str


def money(minor: int, currency: str) -> Money:
    value = MoneyValue.from_minor(minor, currency)
    return Money(amount=value.amount, currency=value.currency)


@strawberry.interface
class Node:
    id: strawberry.ID


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class TariffPlan(Node):
    code: str
    name: str
    monthly_fee: Money

    @classmethod
    def from_row(cls, row: Any) -> TariffPlan:
        return cls(
            id=strawberry.ID(to_global_id("TariffPlan", row.id)),
            code=row.code,
            name=row.name,
            monthly_fee=money(row.monthly_fee_minor, row.currency),
        )


@strawberry.type
class Service(Node):
    code: str
    name: str
    kind: ServiceKind
    monthly_fee: Money

    @classmethod
    def from_row(cls, row: Any) -> Service:
        return cls(
            id=strawberry.ID(to_global_id("Service", row.id)),
            code=row.code,
            name=row.name,
            kind=ServiceKind(row.kind),
            monthly_fee=money(row.monthly_fee_minor, row.currency),
        )


@strawberry.type
class ActiveService:
    service: Service
    activated_on: date
    monthly_fee: Money


@strawberry.type
class BundleBalance:
    period: Month
    kind: UsageKind
    unit: QuantityUnit
    allowance: int
    used: int
    remaining: int


@strawberry.type
class UsageRecord:
    started_at: datetime
    period: Month
    kind: UsageKind
    quantity: int
    unit: QuantityUnit
    destination: str
    amount: Money


@strawberry.type
class CategoryAmount:
    category: ChargeCategory
    amount: Money


@strawberry.type
class Spending:
    period: Month
    total: Money
    company_share: Money
    employee_share: Money
    by_category: list[CategoryAmount]


@strawberry.type
class UnitSpending:
    period: Month
    total: Money
    company_share: Money
    employee_share: Money
    line_count: int


@strawberry.type
class EffectivePolicy:
    monthly_limit: Money | None
    limit_action: LimitAction
    company_share_percent: int
    content_filter: ContentFilter
    roaming_allowed: bool
    overrides: bool


async def policy_in_force(
    engines: Engines, unit_ids: list[int], subscriber_id: int | None, currency: str
) -> EffectivePolicy:
    """Read the policy row of every level, root first (one query per level), and merge them
    with corpcare's own inheritance rule so that both answer the same."""
    levels: list[PolicyRecord | None] = []
    for unit_id in unit_ids:
        in_force = (SpendingPolicy.org_unit_id == unit_id) & SpendingPolicy.valid_to.is_(None)
        row = await fetch_one(engines.billing, select(*POLICY_COLUMNS).where(in_force))
        levels.append(None if row is None else PolicyRecord(**row._asdict()))
    if subscriber_id is not None:
        statement = select(*POLICY_COLUMNS).where(
            SpendingPolicy.subscriber_id == subscriber_id, SpendingPolicy.valid_to.is_(None)
        )
        row = await fetch_one(engines.billing, statement)
        levels.append(None if row is None else PolicyRecord(**row._asdict()))
    merged = effective_policy(levels, currency)
    limit = merged.monthly_limit
    return EffectivePolicy(
        monthly_limit=None if limit is None else Money(amount=limit.amount, currency=limit.currency),
        limit_action=LimitAction(merged.limit_action),
        company_share_percent=merged.company_share_percent,
        content_filter=ContentFilter(merged.content_filter),
        roaming_allowed=merged.roaming_allowed,
        overrides=merged.overrides,
    )
