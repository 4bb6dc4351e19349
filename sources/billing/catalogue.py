"""Billing accounts, the catalogue (tariff plans, services, bundles) and each line's products,
read in batches."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import select

from core.billing_records import (
    BillingAccountRecord,
    BundleBalanceRecord,
    BundleRecord,
    LineServiceRecord,
    ScheduledPlanRecord,
    ServiceRecord,
    TariffPlanRecord,
)
from core.scope import RowScope
from core.values import Money
from sources.billing.models import (
    BillingAccount,
    Bundle,
    BundleBalance,
    LineProduct,
    LineService,
    PlanBundle,
    ScheduledPlanChange,
    Service,
    TariffPlan,
)
from sources.db import SqlSource, key_in
from sources.scope import company_predicate

ACCOUNT_COLUMNS = (
    BillingAccount.id,
    BillingAccount.customer_id,
    BillingAccount.number,
    BillingAccount.name,
    BillingAccount.currency,
    BillingAccount.payment_terms_days,
)
PLAN_COLUMNS = (TariffPlan.id, TariffPlan.code, TariffPlan.name, TariffPlan.monthly_fee_minor, TariffPlan.currency)
SERVICE_COLUMNS = (
    Service.id,
    Service.code,
    Service.name,
    Service.kind,
    Service.monthly_fee_minor,
    Service.currency,
    Service.bundle_id,
    Service.exclusion_group,
    Service.filter_level,
)


def _plan(row: Any) -> TariffPlanRecord:
    return TariffPlanRecord(row.id, row.code, row.name, Money.from_minor(row.monthly_fee_minor, row.currency))


def _service(row: Any) -> ServiceRecord:
    fee = Money.from_minor(row.monthly_fee_minor, row.currency)
    return ServiceRecord(
        row.id, row.code, row.name, row.kind, fee, row.bundle_id, row.exclusion_group, row.filter_level
    )


class CatalogueReads(SqlSource):
    # accounts and catalogue -----------------------------------------------------------

    async def accounts_by_customer_ids(
        self, customer_ids: Sequence[int], scope: RowScope
    ) -> list[BillingAccountRecord]:
        statement = (
            select(*ACCOUNT_COLUMNS)
            .where(
                key_in(BillingAccount.customer_id, customer_ids, self.dialect),
                company_predicate(scope, BillingAccount.customer_id),
            )
            .order_by(BillingAccount.number)
        )
        return [BillingAccountRecord(*row) for row in await self._rows(statement)]

    async def accounts_by_ids(self, ids: Sequence[int], scope: RowScope) -> list[BillingAccountRecord]:
        statement = select(*ACCOUNT_COLUMNS).where(
            key_in(BillingAccount.id, ids, self.dialect), company_predicate(scope, BillingAccount.customer_id)
        )
        return [BillingAccountRecord(*row) for row in await self._rows(statement)]

    async def plans(self, ids: Sequence[int] | None = None) -> list[TariffPlanRecord]:
        statement = select(*PLAN_COLUMNS).order_by(TariffPlan.monthly_fee_minor, TariffPlan.id)
        if ids is not None:
            statement = statement.where(key_in(TariffPlan.id, ids, self.dialect))
        return [_plan(row) for row in await self._rows(statement)]

    async def services(self, ids: Sequence[int] | None = None) -> list[ServiceRecord]:
        statement = select(*SERVICE_COLUMNS).order_by(Service.kind, Service.name)
        if ids is not None:
            statement = statement.where(key_in(Service.id, ids, self.dialect))
        return [_service(row) for row in await self._rows(statement)]

    async def bundles_by_plan_ids(self, plan_ids: Sequence[int]) -> list[tuple[int, BundleRecord]]:
        statement = (
            select(PlanBundle.plan_id, Bundle.id, Bundle.code, Bundle.name, Bundle.kind, Bundle.allowance)
            .join(Bundle, Bundle.id == PlanBundle.bundle_id)
            .where(key_in(PlanBundle.plan_id, plan_ids, self.dialect))
            .order_by(Bundle.kind, Bundle.id)
        )
        return [(row[0], BundleRecord(*row[1:])) for row in await self._rows(statement)]

    async def bundles_by_ids(self, ids: Sequence[int]) -> list[BundleRecord]:
        statement = select(Bundle.id, Bundle.code, Bundle.name, Bundle.kind, Bundle.allowance).where(
            key_in(Bundle.id, ids, self.dialect)
        )
        return [BundleRecord(*row) for row in await self._rows(statement)]

    # a line's products ---------------------------------------------------------------

    async def plans_by_subscriber_ids(self, subscriber_ids: Sequence[int]) -> list[tuple[int, TariffPlanRecord]]:
        statement = (
            select(LineProduct.subscriber_id, *PLAN_COLUMNS)
            .join(TariffPlan, TariffPlan.id == LineProduct.plan_id)
            .where(key_in(LineProduct.subscriber_id, subscriber_ids, self.dialect))
        )
        return [(row[0], _plan(row)) for row in await self._rows(statement)]

    async def billing_currencies(self, subscriber_ids: Sequence[int]) -> dict[int, str]:
        """Each line's billing account's currency: what its charges, and its limit, are stated in."""
        statement = (
            select(LineProduct.subscriber_id, BillingAccount.currency)
            .join(BillingAccount, BillingAccount.id == LineProduct.billing_account_id)
            .where(key_in(LineProduct.subscriber_id, subscriber_ids, self.dialect))
        )
        return {sid: currency for sid, currency in await self._rows(statement)}

    async def services_by_subscriber_ids(self, subscriber_ids: Sequence[int]) -> list[LineServiceRecord]:
        statement = (
            select(
                LineService.subscriber_id,
                LineService.activated_on,
                LineService.monthly_fee_minor.label("line_fee_minor"),
                *SERVICE_COLUMNS,
            )
            .join(Service, Service.id == LineService.service_id)
            .where(key_in(LineService.subscriber_id, subscriber_ids, self.dialect))
            .order_by(LineService.subscriber_id, Service.name)
        )
        return [
            LineServiceRecord(
                row.subscriber_id, _service(row), row.activated_on, Money.from_minor(row.line_fee_minor, row.currency)
            )
            for row in await self._rows(statement)
        ]

    async def scheduled_plans(self, subscriber_ids: Sequence[int]) -> list[ScheduledPlanRecord]:
        """(line id, effective from, plan) of the plan changes waiting for a later month."""
        statement = (
            select(ScheduledPlanChange.subscriber_id, ScheduledPlanChange.effective_from, *PLAN_COLUMNS)
            .join(TariffPlan, TariffPlan.id == ScheduledPlanChange.plan_id)
            .where(key_in(ScheduledPlanChange.subscriber_id, subscriber_ids, self.dialect))
        )
        return [ScheduledPlanRecord(row[0], row[1], _plan(row)) for row in await self._rows(statement)]

    async def bundle_balances(self, subscriber_ids: Sequence[int], period: date) -> list[BundleBalanceRecord]:
        statement = (
            select(
                BundleBalance.subscriber_id,
                BundleBalance.bundle_id,
                BundleBalance.period,
                Bundle.kind,
                BundleBalance.allowance,
                BundleBalance.used,
            )
            .join(Bundle, Bundle.id == BundleBalance.bundle_id)
            .where(key_in(BundleBalance.subscriber_id, subscriber_ids, self.dialect), BundleBalance.period == period)
            .order_by(BundleBalance.subscriber_id, Bundle.kind, BundleBalance.bundle_id)
        )
        return [BundleBalanceRecord(*row) for row in await self._rows(statement)]

    async def subscriber_ids_with_products(
        self, customer_ids: Iterable[int] | None, plan_ids: Sequence[int], service_ids: Sequence[int]
    ) -> set[int]:
        """Lines on any of ``plan_ids`` and with all of ``service_ids``: input to CRM filters."""
        statement = select(LineProduct.subscriber_id)
        if customer_ids is not None:
            statement = statement.where(key_in(LineProduct.customer_id, customer_ids, self.dialect))
        if plan_ids:
            statement = statement.where(key_in(LineProduct.plan_id, plan_ids, self.dialect))
        for service_id in service_ids:
            statement = statement.where(
                select(LineService.subscriber_id)
                .where(LineService.subscriber_id == LineProduct.subscriber_id, LineService.service_id == service_id)
                .exists()
            )
        return {row[0] for row in await self._rows(statement)}
