"""The org tree: company, divisions, departments and teams, with budgets and roll-ups."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from core.crm_records import OrgUnitRecord
from loaders.org import (
    AncestorsByPathLoader,
    CustomerByIdLoader,
    OrgUnitByIdLoader,
    OrgUnitsByParentIdLoader,
    OrgUnitsUnderPathLoader,
    SubscriberCountByOrgUnitIdLoader,
)
from loaders.spending import (
    PolicyByOrgUnitLoader,
    SpendingByOrgUnitMonthLoader,
    SpendingPerCurrencyByOrgUnitMonthLoader,
)
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers.entities import entity
from schema.common import Money, Node
from schema.enums import OrgStructure, OrgUnitKind
from schema.fields import field, global_id, instances_of, related
from schema.scalars import Month
from schema.spending import PER_CURRENCY, EffectivePolicy, UnitSpending

if TYPE_CHECKING:
    from schema.customer import Customer

ORG = requires(P.ORG_READ)


def _spending_key(
    root: OrgUnitRecord, month: Month | None = None, structure: OrgStructure = OrgStructure.AS_BILLED
) -> tuple[Any, ...]:
    return (root.customer_id, root.path, month, root.currency, structure.value)


def _policy_key(root: OrgUnitRecord) -> tuple[int, str, str]:
    return (root.customer_id, root.path, root.currency)


@strawberry.type(description="A unit of a company's org tree; it may be a cost centre.")
class OrgUnit(Node):
    id: strawberry.ID = global_id("OrgUnit", PUBLIC)
    name: str = field(ORG)
    kind: OrgUnitKind = field(ORG)
    depth: int = field(ORG, description="0 for the company itself.")
    cost_centre_code: str | None = field(ORG)
    customer: Annotated[Customer, strawberry.lazy("schema.customer")] = related(CustomerByIdLoader, "customer_id", ORG)
    parent: OrgUnit | None = related(
        OrgUnitByIdLoader, "parent_id", ORG, description="Null at the top, or when the parent is outside your scope."
    )
    children: list[OrgUnit] = related(OrgUnitsByParentIdLoader, "id", ORG)
    ancestors: list[OrgUnit] = related(
        AncestorsByPathLoader, "path", ORG, description="From the top down to the parent, within your scope."
    )
    descendants: list[OrgUnit] = related(
        OrgUnitsUnderPathLoader, "path", ORG, description="The whole subtree, in tree order."
    )
    subscriber_count: int = related(
        SubscriberCountByOrgUnitIdLoader, "id", ORG, description="Lines in the subtree that you may see."
    )
    monthly_budget: Money | None = field(requires(P.BUDGET_READ))
    spending: UnitSpending | None = related(
        SpendingByOrgUnitMonthLoader,
        _spending_key,
        requires(P.SPENDING_READ),
        description="Charges of the subtree's lines that you may see; the current month by default. AS_BILLED "
        "(the default): the charges of the days the lines spent in the subtree. Without line:read, only parts of "
        "at least the minimum group size of lines count (as billed, cut from each month's tree as it was), and a "
        "unit too small to show on its own has null. Null with MIXED_CURRENCIES when the lines were charged in "
        "more than one currency: ask spendingByCurrency.",
    )
    spending_by_currency: list[UnitSpending] | None = related(
        SpendingPerCurrencyByOrgUnitMonthLoader,
        _spending_key,
        requires(P.SPENDING_READ),
        description=PER_CURRENCY,
    )
    effective_policy: EffectivePolicy | None = related(PolicyByOrgUnitLoader, _policy_key, requires(P.POLICY_READ))

    is_type_of = instances_of(OrgUnitRecord)

    @classmethod
    def resolve_reference(cls, info: Info, global_id: object) -> Awaitable[OrgUnitRecord | None]:
        """Federation: the unit with this global id, or None as for a missing one (``resolvers/entities.py``)."""
        return entity(info.context, "OrgUnit", global_id)
