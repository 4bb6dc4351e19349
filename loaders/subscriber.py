"""Loaders for lines (CRM) and the products on them (billing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from core.billing_records import (
    BundleBalanceRecord,
    BundleRecord,
    LineServiceRecord,
    ScheduledPlanRecord,
    ServiceRecord,
    TariffPlanRecord,
)
from core.crm_records import SubscriberRecord
from loaders.base import SourceLoader, grouped, in_key_order
from loaders.shared import CATALOGUE_SECONDS, bundle, bundles, service, tariff_plan, through
from sources.billing.balances import BalanceSource
from sources.billing.catalogue import CatalogueSource
from sources.billing.products import ProductSource
from sources.crm.source import CrmSource

V = TypeVar("V")


class SubscriberByIdLoader(SourceLoader[int, SubscriberRecord | None]):
    reads = (CrmSource.subscribers_by_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[SubscriberRecord | None]:
        rows = await self.crm.subscribers_by_ids(keys, self.scope)
        return in_key_order(keys, {row.id: row for row in rows})


class TariffPlanBySubscriberIdLoader(SourceLoader[int, TariffPlanRecord | None]):
    reads = (ProductSource.plans_by_subscriber_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[TariffPlanRecord | None]:
        return in_key_order(keys, dict(await self.sources.products.plans_by_subscriber_ids(keys)))


class ScheduledPlanBySubscriberIdLoader(SourceLoader[int, ScheduledPlanRecord | None]):
    reads = (ProductSource.scheduled_plans,)

    async def batch_load_fn(self, keys: list[int]) -> list[ScheduledPlanRecord | None]:
        rows = await self.sources.products.scheduled_plans(keys)
        return in_key_order(keys, {row.subscriber_id: row for row in rows})


class ServicesBySubscriberIdLoader(SourceLoader[int, list[LineServiceRecord]]):
    reads = (ProductSource.services_by_subscriber_ids,)

    async def batch_load_fn(self, keys: list[int]) -> list[list[LineServiceRecord]]:
        rows = await self.sources.products.services_by_subscriber_ids(keys)
        return grouped(keys, ((row.subscriber_id, row) for row in rows))


class BundleBalancesBySubscriberIdLoader(SourceLoader[int, list[BundleBalanceRecord]]):
    """Balances of the current billing month."""

    reads = (BalanceSource.bundle_balances,)

    async def batch_load_fn(self, keys: list[int]) -> list[list[BundleBalanceRecord]]:
        rows = await self.sources.balances.bundle_balances(keys, self.ctx.current_period)
        return grouped(keys, ((row.subscriber_id, row) for row in rows))


class CatalogueLoader(SourceLoader[int, V]):
    """The catalogue is the same for every caller and changes only with a release of the
    operator's offers: these loaders read it through the shared cache (loaders/shared.py)."""

    kind: str
    decoder: Callable[[Any], V]
    absent: Any = None

    async def batch_load_fn(self, keys: list[int]) -> list[V]:
        prefix = f"catalogue:{self.kind}:"
        found = await through(self.ctx.sources.cache, prefix, keys, self._load, self.decoder, CATALOGUE_SECONDS)
        return [found.get(key, self.absent) for key in keys]

    async def _load(self, keys: list[int]) -> dict[int, V]:
        raise NotImplementedError


class TariffPlanByIdLoader(CatalogueLoader[TariffPlanRecord | None]):
    kind, decoder = "plan", staticmethod(tariff_plan)
    reads = (CatalogueSource.plans,)

    async def _load(self, keys: list[int]) -> dict[int, TariffPlanRecord | None]:
        return {row.id: row for row in await self.sources.catalogue.plans(keys)}


class ServiceByIdLoader(CatalogueLoader[ServiceRecord | None]):
    kind, decoder = "service", staticmethod(service)
    reads = (CatalogueSource.services,)

    async def _load(self, keys: list[int]) -> dict[int, ServiceRecord | None]:
        return {row.id: row for row in await self.sources.catalogue.services(keys)}


class BundleByIdLoader(CatalogueLoader[BundleRecord | None]):
    kind, decoder = "bundle", staticmethod(bundle)
    reads = (CatalogueSource.bundles_by_ids,)

    async def _load(self, keys: list[int]) -> dict[int, BundleRecord | None]:
        return {row.id: row for row in await self.sources.catalogue.bundles_by_ids(keys)}


class BundlesByPlanIdLoader(CatalogueLoader[list[BundleRecord]]):
    kind, decoder, absent = "plan-bundles", staticmethod(bundles), ()
    reads = (CatalogueSource.bundles_by_plan_ids,)

    async def _load(self, keys: list[int]) -> dict[int, list[BundleRecord]]:
        return dict(zip(keys, grouped(keys, await self.sources.catalogue.bundles_by_plan_ids(keys)), strict=True))
