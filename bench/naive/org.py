"""The naive customer, org tree and viewer: every relation and roll-up is its own query,
run once per object that asks for it."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from sqlalchemy import Select, func, or_, select

from bench.naive.common import EffectivePolicy, Money, Node, UnitSpending, money, policy_in_force
from bench.naive.context import (
    Info,
    current_month,
    engines_of,
    fetch_all,
    fetch_one,
    line_scope,
    principal_of,
    unit_scope,
)
from core.crm_records import path_ids
from core.ids import to_global_id
from core.values import add_months
from permissions.principal import Principal
from schema.enums import OrgUnitKind
from schema.scalars import Month
from schema.viewer import Role
from sources.billing.models import DailyCharge
from sources.crm.models import Customer as CustomerRow
from sources.crm.models import LineMembership
from sources.crm.models import OrgUnit as OrgUnitRow
from sources.crm.models import Subscriber as SubscriberRow
from sources.db import Engines, key_in
from sources.scope import held_predicate, under

UNIT_COLUMNS = (
    OrgUnitRow.id,
    OrgUnitRow.customer_id,
    OrgUnitRow.name,
    OrgUnitRow.kind,
    OrgUnitRow.path,
    OrgUnitRow.depth,
    OrgUnitRow.cost_centre_code,
    OrgUnitRow.monthly_budget_minor,
    CustomerRow.currency,
)


def units_in_scope(principal: Principal) -> Select[*tuple[Any, ...]]:
    return (
        select(*UNIT_COLUMNS).join(CustomerRow, CustomerRow.id == OrgUnitRow.customer_id).where(unit_scope(principal))
    )


async def subscriber_count(info: Info, customer_id: int, path: str) -> int:
    statement = select(func.count(SubscriberRow.id)).where(
        SubscriberRow.customer_id == customer_id, under(SubscriberRow.org_path, path), line_scope(principal_of(info))
    )
    row = await fetch_one(engines_of(info).crm, statement)
    return 0 if row is None else row[0]


async def spending_under(info: Info, customer_id: int, path: str, month: date | None, currency: str) -> UnitSpending:
    """The one figure: the roll-up below in its one currency (``currency`` at zero without charges)."""
    figures = await spending_per_currency_under(info, customer_id, path, month)
    if len(figures) > 1:
        raise ValueError("Charged in more than one currency: no one figure (the baseline has no MIXED_CURRENCIES).")
    if figures:
        return figures[0]
    nothing = money(0, currency)
    period = Month(month or current_month(info))
    return UnitSpending(period=period, total=nothing, company_share=nothing, employee_share=nothing, line_count=0)


async def spending_per_currency_under(
    info: Info, customer_id: int, path: str, month: date | None
) -> list[UnitSpending]:
    """The naive roll-up, as billed: the visible stays of lines in the unit during the month from
    the CRM (``sources/crm/history.py``), then every charge row of those lines in the month from
    billing, kept in Python when its day falls in one of its line's stays; one figure per currency."""
    period = month or current_month(info)
    engines: Engines = engines_of(info)
    held = LineMembership
    stays = select(held.subscriber_id, held.valid_from, held.valid_to).where(
        held.customer_id == customer_id,
        held_predicate(principal_of(info).scope, customer_id=held.customer_id, path=held.org_path,
                       subscriber_id=held.subscriber_id),
        held.valid_from < add_months(period, 1),
        or_(held.valid_to.is_(None), held.valid_to > period),
    )  # fmt: skip
    if path != "/":
        stays = stays.where(held.org_path.contains(f"/{path_ids(path)[-1]}/"))
    days: dict[int, list[tuple[date, date | None]]] = {}
    for line, start, stop in await fetch_all(engines.crm, stays):
        days.setdefault(line, []).append((start, stop))
    # One bound parameter for the ids (corpcare's helper): a big unit has more lines than
    # SQLite and asyncpg accept parameters.
    charges = select(
        DailyCharge.subscriber_id,
        DailyCharge.day,
        DailyCharge.amount_minor,
        DailyCharge.employee_share_minor,
        DailyCharge.currency,
    ).where(
        DailyCharge.customer_id == customer_id,
        DailyCharge.period == period,
        key_in(DailyCharge.subscriber_id, list(days), engines.billing.dialect.name),
    )
    sums: dict[str, list[int]] = {}
    charged: dict[str, set[int]] = {}
    for line, day, amount, share, currency in await fetch_all(engines.billing, charges) if days else ():
        if any(start <= day and (stop is None or day < stop) for start, stop in days[line]):
            found = sums.setdefault(currency, [0, 0])
            found[0], found[1] = found[0] + amount, found[1] + share
            charged.setdefault(currency, set()).add(line)
    return [
        UnitSpending(
            period=Month(period),
            total=money(total, currency),
            company_share=money(total - employee, currency),
            employee_share=money(employee, currency),
            line_count=len(charged[currency]),
        )
        for currency, (total, employee) in sorted(sums.items())
    ]


@strawberry.type
class OrgUnit(Node):
    name: str
    kind: OrgUnitKind
    depth: int
    cost_centre_code: str | None
    monthly_budget: Money | None
    db_id: strawberry.Private[int]
    customer_id: strawberry.Private[int]
    path: strawberry.Private[str]
    currency: strawberry.Private[str]

    @classmethod
    def from_row(cls, row: Any) -> OrgUnit:
        budget = None if row.monthly_budget_minor is None else money(row.monthly_budget_minor, row.currency)
        return cls(
            id=strawberry.ID(to_global_id("OrgUnit", row.id)),
            name=row.name,
            kind=OrgUnitKind(row.kind),
            depth=row.depth,
            cost_centre_code=row.cost_centre_code,
            monthly_budget=budget,
            db_id=row.id,
            customer_id=row.customer_id,
            path=row.path,
            currency=row.currency,
        )

    @strawberry.field
    async def children(self, info: Info) -> list[OrgUnit]:
        statement = (
            units_in_scope(principal_of(info)).where(OrgUnitRow.parent_id == self.db_id).order_by(OrgUnitRow.name)
        )
        return [OrgUnit.from_row(row) for row in await fetch_all(engines_of(info).crm, statement)]

    @strawberry.field
    async def descendants(self, info: Info) -> list[OrgUnit]:
        statement = (
            units_in_scope(principal_of(info))
            .where(under(OrgUnitRow.path, self.path), OrgUnitRow.path != self.path)
            .order_by(OrgUnitRow.path)
        )
        return [OrgUnit.from_row(row) for row in await fetch_all(engines_of(info).crm, statement)]

    @strawberry.field
    async def subscriber_count(self, info: Info) -> int:
        return await subscriber_count(info, self.customer_id, self.path)

    @strawberry.field
    async def spending(self, info: Info, month: Month | None = None) -> UnitSpending:
        return await spending_under(info, self.customer_id, self.path, month, self.currency)

    @strawberry.field
    async def spending_by_currency(self, info: Info, month: Month | None = None) -> list[UnitSpending]:
        return await spending_per_currency_under(info, self.customer_id, self.path, month)

    @strawberry.field
    async def effective_policy(self, info: Info) -> EffectivePolicy:
        return await policy_in_force(engines_of(info), path_ids(self.path), None, self.currency)


async def unit_by_id(info: Info, unit_id: int) -> OrgUnit | None:
    statement = units_in_scope(principal_of(info)).where(OrgUnitRow.id == unit_id)
    row = await fetch_one(engines_of(info).crm, statement)
    return None if row is None else OrgUnit.from_row(row)


@strawberry.type
class Customer(Node):
    code: str
    name: str
    currency: str
    db_id: strawberry.Private[int]

    @strawberry.field
    async def org_root(self, info: Info) -> OrgUnit | None:
        statement = units_in_scope(principal_of(info)).where(
            OrgUnitRow.customer_id == self.db_id, OrgUnitRow.parent_id.is_(None)
        )
        row = await fetch_one(engines_of(info).crm, statement)
        return None if row is None else OrgUnit.from_row(row)

    @strawberry.field
    async def subscriber_count(self, info: Info) -> int:
        # "/" is above every path: the whole company, as far as the caller may see it.
        return await subscriber_count(info, self.db_id, "/")

    @strawberry.field
    async def spending(self, info: Info, month: Month | None = None) -> UnitSpending:
        return await spending_under(info, self.db_id, "/", month, self.currency)

    @strawberry.field
    async def spending_by_currency(self, info: Info, month: Month | None = None) -> list[UnitSpending]:
        return await spending_per_currency_under(info, self.db_id, "/", month)


async def customer_by_id(info: Info, customer_id: int) -> Customer | None:
    if not principal_of(info).scope.sees_customer(customer_id):
        return None
    statement = select(CustomerRow.id, CustomerRow.code, CustomerRow.name, CustomerRow.currency).where(
        CustomerRow.id == customer_id
    )
    row = await fetch_one(engines_of(info).crm, statement)
    if row is None:
        return None
    return Customer(
        id=strawberry.ID(to_global_id("Customer", row.id)),
        code=row.code,
        name=row.name,
        currency=row.currency,
        db_id=row.id,
    )


@strawberry.type
class Viewer:
    login: str
    name: str
    role: Role
    permissions: list[str]

    @classmethod
    def of(cls, principal: Principal) -> Viewer:
        return cls(
            login=principal.login,
            name=principal.name,
            role=Role(principal.role.value),
            permissions=sorted(permission.value for permission in principal.permissions),
        )
