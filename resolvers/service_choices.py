"""What a line may add or take off now, so that a front end offers only changes the API would
make: each catalogue service it lacks that ``subscriberServicesAdd`` would add on its own, and each
it holds that ``subscriberServicesRemove`` would take off on its own, under the policy in force and
by the same checks (the line's status, then ``resolvers/service_policy.py``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from core.billing_records import ServiceRecord
from core.crm_records import SubscriberRecord
from loaders.spending import PolicyBySubscriberLoader
from loaders.subscriber import ServicesBySubscriberIdLoader
from request.context import Info
from resolvers.service_policy import refuse_adding, refuse_removing


@dataclass(frozen=True, slots=True)
class ServiceChoices:
    add: list[ServiceRecord]
    remove: list[ServiceRecord]


async def service_choices(info: Info, line: SubscriberRecord) -> ServiceChoices:
    context = info.context
    if line.status == "terminated":
        return ServiceChoices([], [])
    present, policy, catalogue = await asyncio.gather(
        context.loader(ServicesBySubscriberIdLoader).load(line.id),
        context.loader(PolicyBySubscriberLoader).load((line.id, line.org_path, line.currency)),
        context.sources.catalogue.services(),
    )
    held = {record.service.id for record in present}
    add = [] if line.status == "suspended" else [
        service for service in catalogue
        if service.id not in held and refuse_adding([service], present, policy) is None
    ]  # fmt: skip
    remove = [record.service for record in present if refuse_removing([record.service], present, policy) is None]
    return ServiceChoices(add, remove)
