"""The catalogue lists."""

from __future__ import annotations

from core.billing_records import ServiceRecord, TariffPlanRecord
from request.context import Info


async def tariff_plans(info: Info) -> list[TariffPlanRecord]:
    return await info.context.sources.catalogue.plans()


async def services(info: Info) -> list[ServiceRecord]:
    return await info.context.sources.catalogue.services()
