"""The root Query type."""

from __future__ import annotations

from dataclasses import replace
from enum import Enum
from typing import Annotated

import strawberry

from loaders.cursors import PageArgs, Window
from permissions.principal import Principal
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers import audit, bulk_operations, catalogue, customer, line_alerts, savings, usage_report, users
from resolvers.budget_report import budget_report
from resolvers.node import load_node
from resolvers.spending_report import spending_report
from resolvers.subscriber import SubscriberListArgs, enum_values, subscribers
from schema.audit import AuditFilter, AuditRecord
from schema.audit import filter_args as audit_filter_args
from schema.bulk_operations import BulkOperation, BulkOperationStatus
from schema.catalogue import Service, TariffPlan
from schema.common import Connection, Node, shown_as
from schema.customer import Customer
from schema.enums import LineStatus, OrderDirection, OrgStructure
from schema.line_alerts import SpendingAnomalies, TopSpenders
from schema.portal_user import PortalUser
from schema.reports import BudgetReport, BudgetReportInput, SpendingReport, SpendingReportInput
from schema.scalars import Month
from schema.subscriber import Subscriber
from schema.usage_report import BundleUtilisation, SavingsReport, UsageReport
from schema.viewer import Viewer


@strawberry.input(description="Every condition given must hold.")
class SubscriberFilter:
    statuses: list[LineStatus] | None = None
    org_unit: strawberry.ID | None = strawberry.field(default=None, description="Lines in this unit's subtree.")
    tariff_plans: list[strawberry.ID] | None = strawberry.field(default=None, description="On any of these plans.")
    services: list[strawberry.ID] | None = strawberry.field(default=None, description="With all of these services.")
    search: str | None = strawberry.field(
        default=None,
        description="Part of the employee's name, in any case, with or without accents; or of the number as "
        "people type it: national or international form, with spaces, dashes or brackets, read by the "
        "company's country; digits without a prefix are found anywhere in the number (needs personal:read).",
    )
    customer: strawberry.ID | None = strawberry.field(default=None, description="For operator staff.")


def filter_args(given: SubscriberFilter | None) -> SubscriberListArgs:
    given = given or SubscriberFilter()
    return SubscriberListArgs(
        statuses=enum_values(given.statuses),  # type: ignore[arg-type]
        org_unit_id=given.org_unit,
        tariff_plan_ids=tuple(given.tariff_plans or ()),
        service_ids=tuple(given.services or ()),
        search=given.search,
        customer_id=given.customer,
    )


@strawberry.enum
class SubscriberOrderField(Enum):
    NAME = "name"
    MSISDN = "msisdn"
    STATUS = "status"
    ACTIVATED_ON = "activated_on"


@strawberry.input
class SubscriberOrder:
    field: SubscriberOrderField
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type
class Query:
    @strawberry.field(directives=[PUBLIC], description="The signed-in caller.")
    def viewer(self, info: Info) -> Viewer:
        principal: Principal = info.context.principal
        return shown_as(Viewer, principal)

    @strawberry.field(directives=[PUBLIC], description="Your company, or (operator staff) the one with this id.")
    async def customer(self, info: Info, id: strawberry.ID | None = None) -> Customer | None:
        return await customer.customer(info, id)

    @strawberry.field(
        directives=[requires(P.ALL_CUSTOMERS)],
        description="Operator staff: the companies whose name or code holds `search` (case aside), by name; "
        "at most `first` (1 to 50).",
    )
    async def customers(self, info: Info, search: str = "", first: int = 20) -> list[Customer] | None:
        return shown_as(list[Customer], await customer.customers(info, search, first))

    @strawberry.field(directives=[PUBLIC], description="Any object by its global id; NOT_FOUND outside your scope.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await load_node(info.context, id)

    @strawberry.field(
        directives=[PUBLIC], description="Several objects by id (at most 100), in order; missing ones are null."
    )
    def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        return [load_node(info.context, global_id) for global_id in ids]  # type: ignore[misc]

    @strawberry.field(
        directives=[requires(P.LINE_READ)],
        description="Lines you may see, filtered and ordered (by name by default; without "
        "personal:read, by activation date).",
    )
    async def subscribers(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: SubscriberFilter | None = None,
        order_by: SubscriberOrder | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[Subscriber] | None:
        args = replace(
            filter_args(filter),
            order_by=order_by.field.value if order_by else None,
            descending=bool(order_by and order_by.direction is OrderDirection.DESC),
        )
        page: Window = await subscribers(info, args, PageArgs(first, after, last, before))
        return shown_as(Connection[Subscriber], page)

    @strawberry.field(directives=[requires(P.AUDIT_READ)], description="Audit records of your company, newest first.")
    async def audit_log(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditFilter | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[AuditRecord] | None:
        page: Window = await audit.audit_log(info, audit_filter_args(filter), PageArgs(first, after, last, before))
        return shown_as(Connection[AuditRecord], page)

    @strawberry.field(
        directives=[PUBLIC],
        description="Bulk operations newest first: your own, or (with audit:read) all of your company's.",
    )
    async def bulk_operations(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        status: list[BulkOperationStatus] | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[BulkOperation] | None:
        statuses = [value.value for value in status or ()]
        page: Window = await bulk_operations.bulk_operations(info, statuses, PageArgs(first, after, last, before))
        return shown_as(Connection[BulkOperation], page)

    @strawberry.field(
        directives=[requires(P.SPENDING_READ)],
        description="Spending of the lines you may see, grouped by the dimensions you choose, summed by billing.",
    )
    async def spending_report(self, info: Info, input: SpendingReportInput) -> SpendingReport | None:
        return shown_as(SpendingReport, await spending_report(info.context, input.args(info.context.current_period)))

    @strawberry.field(
        directives=[requires(P.BUDGET_READ)],
        description="Budgets against actual spending per unit and month, with a month-end forecast; over budget first.",
    )
    async def budget_report(self, info: Info, input: BudgetReportInput) -> BudgetReport | None:
        return shown_as(BudgetReport, await budget_report(info.context, input.args(info.context.current_period)))

    @strawberry.field(directives=[requires(P.SPENDING_READ)], description="The lines that spent most, ranked.")
    async def top_spenders(
        self,
        info: Info,
        from_: Annotated[Month, strawberry.argument(name="from")],
        to: Month,
        first: int = 10,
        org_unit: strawberry.ID | None = None,
        customer: strawberry.ID | None = None,
    ) -> TopSpenders | None:
        return shown_as(TopSpenders, await line_alerts.top_spenders(info.context, from_, to, first, org_unit, customer))

    @strawberry.field(directives=[requires(P.SPENDING_READ)], description="Lines that stand out in a month.")
    async def spending_anomalies(
        self,
        info: Info,
        month: Month,
        org_unit: strawberry.ID | None = None,
        customer: strawberry.ID | None = None,
    ) -> SpendingAnomalies | None:
        return shown_as(SpendingAnomalies, await line_alerts.anomalies(info.context, month, org_unit, customer))

    @strawberry.field(
        directives=[requires(P.PRODUCT_READ)],
        description="Usage volumes by kind per unit (at `unitDepth`, rolled up) and month, over the lines you may see.",
    )
    async def usage_report(
        self,
        info: Info,
        from_: Annotated[Month, strawberry.argument(name="from")],
        to: Month,
        unit_depth: int = 1,
        org_unit: strawberry.ID | None = None,
        customer: strawberry.ID | None = None,
        structure: Annotated[
            OrgStructure,
            strawberry.argument(
                description="The tree that groups the units and decides `orgUnit`'s subtree: AS_BILLED (the "
                "default) the unit each line sat in on the usage's day, so closed months never change when lines "
                "or units move; CURRENT today's tree. Without line:read, AS_BILLED only (CURRENT is FORBIDDEN), "
                "the groups large enough to show cut from each month's tree as it was."
            ),
        ] = OrgStructure.AS_BILLED,
    ) -> UsageReport | None:
        return shown_as(
            UsageReport,
            await usage_report.usage_report(info.context, from_, to, unit_depth, org_unit, customer, structure.value),
        )

    @strawberry.field(
        directives=[requires(P.PRODUCT_READ)],
        description="Bundle allowance against use per tariff plan in a month (the current one by default).",
    )
    async def bundle_utilisation(
        self,
        info: Info,
        month: Month | None = None,
        org_unit: strawberry.ID | None = None,
        customer: strawberry.ID | None = None,
    ) -> list[BundleUtilisation] | None:
        period = month or info.context.current_period
        return shown_as(
            list[BundleUtilisation], await usage_report.bundle_use(info.context, period, org_unit, customer)
        )

    @strawberry.field(
        directives=[requires(P.PRODUCT_READ)],
        description="Lines whose usage over the last `months` closed months fits a cheaper tariff plan.",
    )
    async def savings_finder(
        self, info: Info, months: int = 3, org_unit: strawberry.ID | None = None, customer: strawberry.ID | None = None
    ) -> SavingsReport | None:
        return shown_as(SavingsReport, await savings.savings(info.context, months, org_unit, customer))

    @strawberry.field(
        directives=[requires(P.USER_READ)],
        description="Your company's portal users; operator staff name the `customer` to see one company's.",
    )
    async def portal_users(self, info: Info, customer: strawberry.ID | None = None) -> list[PortalUser] | None:
        return shown_as(list[PortalUser], await users.portal_users(info, customer))

    @strawberry.field(directives=[requires(P.CATALOGUE_READ)])
    async def tariff_plans(self, info: Info) -> list[TariffPlan] | None:
        return shown_as(list[TariffPlan], await catalogue.tariff_plans(info))

    @strawberry.field(directives=[requires(P.CATALOGUE_READ)])
    async def services(self, info: Info) -> list[Service] | None:
        return shown_as(list[Service], await catalogue.services(info))
