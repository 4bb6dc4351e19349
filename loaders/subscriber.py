"""Loaders for lines (CRM) and the products on them (billing)."""

from __future__ import annotations

from loaders.base import SourceLoader, grouped, in_key_order
from loaders.shared import CATALOGUE_SECONDS, bundle, bundles, service, tariff_plan, through
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


# The catalogue is the same for every caller and changes only with a release of the operator's
# offers: these four are kept in the shared cache (loaders/shared.py).


class TariffPlanByIdLoader(SourceLoader[int, TariffPlanRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[TariffPlanRecord | None]:
        found = await through(self.ctx.sources.cache, "catalogue:plan:", keys, self._load, tariff_plan,
                              CATALOGUE_SECONDS)  # fmt: skip
        return [found.get(key) for key in keys]

    async def _load(self, keys: list[int]) -> dict[int, TariffPlanRecord]:
        return {row.id: row for row in await self.billing.plans(keys)}


class ServiceByIdLoader(SourceLoader[int, ServiceRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[ServiceRecord | None]:
        found = await through(self.ctx.sources.cache, "catalogue:service:", keys, self._load, service,
                              CATALOGUE_SECONDS)  # fmt: skip
        return [found.get(key) for key in keys]

    async def _load(self, keys: list[int]) -> dict[int, ServiceRecord]:
        return {row.id: row for row in await self.billing.services(keys)}


class BundleByIdLoader(SourceLoader[int, BundleRecord | None]):
    async def batch_load_fn(self, keys: list[int]) -> list[BundleRecord | None]:
        found = await through(self.ctx.sources.cache, "catalogue:bundle:", keys, self._load, bundle,
                              CATALOGUE_SECONDS)  # fmt: skip
        return [found.get(key) for key in keys]

    async def _load(self, keys: list[int]) -> dict[int, BundleRecord]:
        return {row.id: row for row in await self.billing.bundles_by_ids(keys)}


class BundlesByPlanIdLoader(SourceLoader[int, list[BundleRecord]]):
    async def batch_load_fn(self, keys: list[int]) -> list[list[BundleRecord]]:
        found = await through(self.ctx.sources.cache, "catalogue:plan-bundles:", keys, self._load, bundles,
                              CATALOGUE_SECONDS)  # fmt: skip
        return in_key_order(keys, found, default=[])

    async def _load(self, keys: list[int]) -> dict[int, list[BundleRecord]]:
        return dict(zip(keys, grouped(keys, await self.billing.bundles_by_plan_ids(keys)), strict=True))
