"""The catalogue: tariff plans, services and the bundles they include, read in batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import select

from core.billing_records import BundleRecord, ServiceRecord, TariffPlanRecord
from core.values import Money
from sources.billing.models import Bundle, PlanBundle, Service, TariffPlan
from sources.db import SqlSource, key_in

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


R = TypeVar("R")


def by_id(rows: Sequence[Any], record: Callable[[Any], R], at: int) -> dict[Any, R]:
    """``record`` for the rows of one read, made once per id (the rows' column ``at``): a page of
    2,000 lines shares a few dozen plans and services (the records are immutable). The id is read
    by position: a row's attribute by name costs about 20 times its item."""
    first = {row[at]: row for row in reversed(rows)}  # each id's first row
    return {key: record(row) for key, row in first.items()}


def plan_record(row: Any) -> TariffPlanRecord:
    """A tariff plan from a row with ``PLAN_COLUMNS``."""
    return TariffPlanRecord(row.id, row.code, row.name, Money.from_minor(row.monthly_fee_minor, row.currency))


def service_record(row: Any) -> ServiceRecord:
    """A service from a row with ``SERVICE_COLUMNS``."""
    fee = Money.from_minor(row.monthly_fee_minor, row.currency)
    return ServiceRecord(
        row.id, row.code, row.name, row.kind, fee, row.bundle_id, row.exclusion_group, row.filter_level
    )


class CatalogueSource(SqlSource):
    """What the operator sells: plans, services, and the bundles of plans and services."""

    async def plans(self, ids: Sequence[int] | None = None) -> list[TariffPlanRecord]:
        statement = select(*PLAN_COLUMNS).order_by(TariffPlan.monthly_fee_minor, TariffPlan.id)
        if ids is not None:
            statement = statement.where(key_in(TariffPlan.id, ids, self.dialect))
        return [plan_record(row) for row in await self._rows(statement)]

    async def services(self, ids: Sequence[int] | None = None) -> list[ServiceRecord]:
        statement = select(*SERVICE_COLUMNS).order_by(Service.kind, Service.name)
        if ids is not None:
            statement = statement.where(key_in(Service.id, ids, self.dialect))
        return [service_record(row) for row in await self._rows(statement)]

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
