"""The operator's catalogue: tariff plans, services and the allowances they include."""

from __future__ import annotations

from typing import Any

import strawberry

from core.billing_records import ServiceRecord, TariffPlanRecord
from loaders.subscriber import BundleByIdLoader, BundlesByPlanIdLoader
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from schema.common import Money, Node
from schema.enums import UNIT_OF_KIND, ContentFilter, QuantityUnit, ServiceKind, UsageKind
from schema.fields import field, global_id, instances_of, related, resolved

CATALOGUE = requires(P.CATALOGUE_READ)


def _unit(root: Any) -> QuantityUnit:
    return UNIT_OF_KIND[root.kind]


@strawberry.type(description="An allowance of minutes, messages or data.")
class Bundle:
    code: str = field(CATALOGUE)
    name: str = field(CATALOGUE)
    kind: UsageKind = field(CATALOGUE)
    allowance: int = field(CATALOGUE, description="In `unit`s per billing month.")
    unit: QuantityUnit = resolved(CATALOGUE, _unit)


@strawberry.type
class TariffPlan(Node):
    id: strawberry.ID = global_id("TariffPlan", PUBLIC)
    code: str = field(CATALOGUE)
    name: str = field(CATALOGUE)
    monthly_fee: Money = field(CATALOGUE)
    included_bundles: list[Bundle] = related(BundlesByPlanIdLoader, "id", CATALOGUE)

    is_type_of = instances_of(TariffPlanRecord)


@strawberry.type(description="An option a line can add to its plan.")
class Service(Node):
    id: strawberry.ID = global_id("Service", PUBLIC)
    code: str = field(CATALOGUE)
    name: str = field(CATALOGUE)
    kind: ServiceKind = field(CATALOGUE)
    monthly_fee: Money = field(CATALOGUE, description="List price; a line may pay less (see ActiveService).")
    bundle: Bundle | None = related(BundleByIdLoader, "bundle_id", CATALOGUE)
    exclusion_group: str | None = field(
        CATALOGUE,
        description="A line holds at most one service of a group (two content filters or two roaming passes "
        "contradict each other): adding a second is refused with `SERVICE_CONFLICT` until the first is removed.",
    )
    filter_level: ContentFilter | None = field(
        CATALOGUE,
        description="For a content filter, how strict it is; a policy's `contentFilter` is the least a line keeps.",
    )

    is_type_of = instances_of(ServiceRecord)
