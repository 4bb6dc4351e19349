"""The naive line: every product, allowance, spending figure, policy and usage page is a
query of its own, run for each line on the page."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, func, select, tuple_

from bench.naive.common import (
    ActiveService,
    BundleBalance,
    CategoryAmount,
    EffectivePolicy,
    Node,
    PageInfo,
    Service,
    Spending,
    TariffPlan,
    UsageRecord,
    money,
    policy_in_force,
)
from bench.naive.context import (
    Info,
    current_month,
    decode_cursor,
    encode_cursor,
    engines_of,
    fetch_all,
    fetch_one,
    line_scope,
    page_size,
    principal_of,
)
from bench.naive.org import OrgUnit, unit_by_id
from core.crm_records import path_ids
from core.ids import to_global_id
from core.values import add_months, aware
from schema.enums import UNIT_OF_KIND, ChargeCategory, LineStatus, UsageKind
from schema.scalars import Month
from sources.billing.models import Bundle as BundleRow
from sources.billing.models import BundleBalance as BundleBalanceRow
from sources.billing.models import DailyCharge, LineProduct, LineService
from sources.billing.models import Service as ServiceRow
from sources.billing.models import TariffPlan as TariffPlanRow
from sources.billing.models import UsageRecord as UsageRow
from sources.crm.models import Customer as CustomerRow
from sources.crm.models import Subscriber as SubscriberRow

USAGE_PAGE_MAX = 500

SUBSCRIBER_COLUMNS = (
    SubscriberRow.id,
    SubscriberRow.customer_id,
    SubscriberRow.org_unit_id,
    SubscriberRow.org_path,
    SubscriberRow.msisdn,
    SubscriberRow.iccid,
    SubscriberRow.imsi,
    SubscriberRow.employee_name,
    SubscriberRow.email,
    SubscriberRow.position,
    SubscriberRow.device,
    SubscriberRow.status,
    SubscriberRow.activated_on,
    CustomerRow.currency,
)


@strawberry.type
class UsageRecordEdge:
    cursor: str
    node: UsageRecord


@strawberry.type
class UsageRecordConnection:
    edges: list[UsageRecordEdge]
    nodes: list[UsageRecord]
    page_info: PageInfo
    # corpcare does not count usage records either.
    total_count: int | None = None


@strawberry.type
class Subscriber(Node):
    msisdn: str
    employee_name: str
    email: str | None
    iccid: str
    imsi: str
    position: str | None
    device: str | None
    status: LineStatus
    activated_on: date
    db_id: strawberry.Private[int]
    org_unit_id: strawberry.Private[int]
    org_path: strawberry.Private[str]
    currency: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Any) -> Subscriber:
        return cls(
            id=strawberry.ID(to_global_id("Subscriber", row.id)),
            msisdn=row.msisdn,
            employee_name=row.employee_name,
            email=row.email,
            iccid=row.iccid,
            imsi=row.imsi,
            position=row.position,
            device=row.device,
            status=LineStatus(row.status),
            activated_on=row.activated_on,
            db_id=row.id,
            org_unit_id=row.org_unit_id,
            org_path=row.org_path,
            currency=row.currency,
        )

    @strawberry.field
    async def org_unit(self, info: Info) -> OrgUnit | None:
        return await unit_by_id(info, self.org_unit_id)

    @strawberry.field
    async def tariff_plan(self, info: Info) -> TariffPlan | None:
        statement = (
            select(
                TariffPlanRow.id,
                TariffPlanRow.code,
                TariffPlanRow.name,
                TariffPlanRow.monthly_fee_minor,
                TariffPlanRow.currency,
            )
            .join(LineProduct, LineProduct.plan_id == TariffPlanRow.id)
            .where(LineProduct.subscriber_id == self.db_id)
        )
        row = await fetch_one(engines_of(info).billing, statement)
        return None if row is None else TariffPlan.from_row(row)

    @strawberry.field
    async def services(self, info: Info) -> list[ActiveService]:
        statement = (
            select(
                LineService.activated_on,
                LineService.monthly_fee_minor.label("line_fee_minor"),
                ServiceRow.id,
                ServiceRow.code,
                ServiceRow.name,
                ServiceRow.kind,
                ServiceRow.monthly_fee_minor,
                ServiceRow.currency,
            )
            .join(ServiceRow, ServiceRow.id == LineService.service_id)
            .where(LineService.subscriber_id == self.db_id)
            .order_by(ServiceRow.name)
        )
        return [
            ActiveService(
                service=Service.from_row(row),
                activated_on=row.activated_on,
                monthly_fee=money(row.line_fee_minor, row.currency),
            )
            for row in await fetch_all(engines_of(info).billing, statement)
        ]

    @strawberry.field
    async def bundles(self, info: Info) -> list[BundleBalance]:
        period = current_month(info)
        statement = (
            select(BundleBalanceRow.allowance, BundleBalanceRow.used, BundleRow.kind)
            .join(BundleRow, BundleRow.id == BundleBalanceRow.bundle_id)
            .where(BundleBalanceRow.subscriber_id == self.db_id, BundleBalanceRow.period == period)
            .order_by(BundleRow.kind, BundleBalanceRow.bundle_id)
        )
        return [
            BundleBalance(
                period=Month(period),
                kind=UsageKind(row.kind),
                unit=UNIT_OF_KIND[row.kind],
                allowance=row.allowance,
                used=row.used,
                remaining=max(row.allowance - row.used, 0),
            )
            for row in await fetch_all(engines_of(info).billing, statement)
        ]

    @strawberry.field
    async def spending(self, info: Info, month: Month | None = None) -> Spending:
        period = month or current_month(info)
        statement = (
            select(
                DailyCharge.category,
                DailyCharge.currency,
                func.sum(DailyCharge.amount_minor).label("total"),
                func.sum(DailyCharge.employee_share_minor).label("employee"),
            )
            .where(DailyCharge.subscriber_id == self.db_id, DailyCharge.period == period)
            .group_by(DailyCharge.category, DailyCharge.currency)
            .order_by(DailyCharge.category)
        )
        rows = await fetch_all(engines_of(info).billing, statement)
        currency = rows[0].currency if rows else self.currency
        total = sum(int(row.total) for row in rows)
        employee = sum(int(row.employee) for row in rows)
        return Spending(
            period=Month(period),
            total=money(total, currency),
            company_share=money(total - employee, currency),
            employee_share=money(employee, currency),
            by_category=[
                CategoryAmount(category=ChargeCategory(row.category), amount=money(int(row.total), currency))
                for row in rows
            ],
        )

    @strawberry.field
    async def effective_policy(self, info: Info) -> EffectivePolicy:
        return await policy_in_force(engines_of(info), path_ids(self.org_path), self.db_id, self.currency)

    @strawberry.field
    async def usage(
        self, info: Info, first: int | None = None, after: str | None = None, month: Month | None = None
    ) -> UsageRecordConnection:
        limit = page_size(first, 50, USAGE_PAGE_MAX)
        conditions: list[ColumnElement[bool]] = [UsageRow.subscriber_id == self.db_id]
        if month is not None:
            # Like corpcare: the month is a time range on started_at (UTC), not the period column.
            conditions.append(UsageRow.started_at >= datetime.combine(month, time(), UTC))
            conditions.append(UsageRow.started_at < datetime.combine(add_months(month, 1), time(), UTC))
        if after is not None:
            started, key = decode_cursor(after)
            conditions.append(tuple_(UsageRow.started_at, UsageRow.id) < tuple_(datetime.fromisoformat(started), key))
        statement = (
            select(
                UsageRow.id,
                UsageRow.started_at,
                UsageRow.period,
                UsageRow.kind,
                UsageRow.quantity,
                UsageRow.destination,
                UsageRow.amount_minor,
                UsageRow.currency,
            )
            .where(*conditions)
            .order_by(UsageRow.started_at.desc(), UsageRow.id.desc())
            .limit(limit + 1)
        )
        rows = await fetch_all(engines_of(info).billing, statement)
        edges = [
            UsageRecordEdge(
                cursor=encode_cursor(aware(row.started_at).isoformat(), row.id),
                node=UsageRecord(
                    started_at=aware(row.started_at),
                    period=Month(row.period),
                    kind=UsageKind(row.kind),
                    quantity=row.quantity,
                    unit=UNIT_OF_KIND[row.kind],
                    destination=row.destination,
                    amount=money(row.amount_minor, row.currency),
                ),
            )
            for row in rows[:limit]
        ]
        return UsageRecordConnection(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None),
        )


async def subscriber_by_id(info: Info, subscriber_id: int) -> Subscriber | None:
    statement = (
        select(*SUBSCRIBER_COLUMNS)
        .join(CustomerRow, CustomerRow.id == SubscriberRow.customer_id)
        .where(SubscriberRow.id == subscriber_id, line_scope(principal_of(info)))
    )
    row = await fetch_one(engines_of(info).crm, statement)
    return None if row is None else Subscriber.from_row(row)


@strawberry.type
class SubscriberEdge:
    cursor: str
    node: Subscriber


@strawberry.type
class SubscriberConnection:
    edges: list[SubscriberEdge]
    nodes: list[Subscriber]
    page_info: PageInfo
    # The list's WHERE clause without the cursor: what totalCount counts.
    conditions: strawberry.Private[list[ColumnElement[bool]]]

    @strawberry.field
    async def total_count(self, info: Info) -> int | None:
        statement = select(func.count(SubscriberRow.id)).where(*self.conditions)
        row = await fetch_one(engines_of(info).crm, statement)
        return None if row is None else row[0]
