"""The catalogue lists."""

from __future__ import annotations

from resolvers.context import Info
from sources.billing.records import ServiceRecord, TariffPlanRecord


async def tariff_plans(info: Info) -> list[TariffPlanRecord]:
    return await info.context.sources.billing.plans()


async def services(info: Info) -> list[ServiceRecord]:
    return await info.context.sources.billing.services()
