"""Loaders for lines (CRM) and the products on them (billing)."""

from __future__ import annotations

from loaders.base import SourceLoader, grouped, in_key_order
from sources.billing.records import (
    BundleBalanceRecord,
    BundleRecord,
    LineServiceRecord,
    ScheduledPlanRecord,
    ServiceRecord,
    TariffPlanRecord,
)
from sources.crm.records import SubscriberRecord


class SubscriberByIdLoader(SourceLoader[int, SubscriberRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[SubscriberRecord | None]:
        rows = await self.crm.subscribers_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class TariffPlanBySubscriberIdLoader(SourceLoader[int, TariffPlanRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[TariffPlanRecord | None]:
        return in_key_order(keys, dict(await self.billing.plans_by_subscriber_ids(keys)))


class ScheduledPlanBySubscriberIdLoader(SourceLoader[int, ScheduledPlanRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[ScheduledPlanRecord | None]:
        rows = await self.billing.scheduled_plans(keys)
        return in_key_order(keys, {row.subscriber_id: row for row in rows})


class ServicesBySubscriberIdLoader(SourceLoader[int, list[LineServiceRecord]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[LineServiceRecord]]:
        rows = await self.billing.services_by_subscriber_ids(keys)
        return grouped(keys, ((row.subscriber_id, row) for row in rows))


class BundleBalancesBySubscriberIdLoader(SourceLoader[int, list[BundleBalanceRecord]]):
    """Balances of the current billing month."""

    async def batch_load_fn(self, keys: list[int]) -> list[list[BundleBalanceRecord]]:
        rows = await self.billing.bundle_balances(keys, self.ctx.current_period)
        return grouped(keys, ((row.subscriber_id, row) for row in rows))


class TariffPlanByIdLoader(SourceLoader[int, TariffPlanRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[TariffPlanRecord | None]:
        return in_key_order(keys, {row.id: row for row in await self.billing.plans(keys)})


class ServiceByIdLoader(SourceLoader[int, ServiceRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[ServiceRecord | None]:
        return in_key_order(keys, {row.id: row for row in await self.billing.services(keys)})


class BundleByIdLoader(SourceLoader[int, BundleRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[BundleRecord | None]:
        return in_key_order(keys, {row.id: row for row in await self.billing.bundles_by_ids(keys)})


class BundlesByPlanIdLoader(SourceLoader[int, list[BundleRecord]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[BundleRecord]]:
        return grouped(keys, await self.billing.bundles_by_plan_ids(keys))
