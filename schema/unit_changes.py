"""Changes to one org unit: its monthly budget and its spending policy."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from loaders.org import OrgUnitByIdLoader
from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from request.context import Info
from resolvers.mutation import plain
from resolvers.org_changes import create_child, delete_empty, move_under, update_unit
from resolvers.policy_changes import set_unit_policy
from resolvers.unit_changes import UnitOutcome, change_unit, set_budget
from schema.common import UserError, shown_as
from schema.enums import OrgUnitKind
from schema.fields import field, related
from schema.org_unit import OrgUnit
from schema.policy_input import PolicyInput, policy_changes


@strawberry.input
class OrgUnitSetBudgetInput:
    org_unit: strawberry.ID
    monthly_budget: Decimal | None = strawberry.field(description="In the company's currency; null removes it.")
    idempotency_key: str | None = None


@strawberry.input
class OrgUnitSetPolicyInput:
    org_unit: strawberry.ID
    policy: PolicyInput
    idempotency_key: str | None = None


@strawberry.input
class OrgUnitCreateInput:
    parent: strawberry.ID
    name: str
    kind: OrgUnitKind | None = strawberry.field(default=None, description="Defaults to the level below the parent.")
    cost_centre_code: str | None = None
    idempotency_key: str | None = None


@strawberry.input(description="Omit a field to leave it; a null cost-centre code removes it.")
class OrgUnitUpdateInput:
    org_unit: strawberry.ID
    name: str | None = strawberry.UNSET
    cost_centre_code: str | None = strawberry.UNSET
    idempotency_key: str | None = None


@strawberry.input
class OrgUnitMoveInput:
    org_unit: strawberry.ID
    new_parent: strawberry.ID = strawberry.field(description="A unit one level up, not inside the moved subtree.")
    idempotency_key: str | None = None


@strawberry.input
class OrgUnitDeleteInput:
    org_unit: strawberry.ID = strawberry.field(description="An empty unit: no units and no lines below it.")
    idempotency_key: str | None = None


@strawberry.type
class OrgUnitPayload:
    org_unit: OrgUnit | None = related(OrgUnitByIdLoader, "unit_id", PUBLIC, description="The unit, as it is now.")
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.type
class UnitMutation:
    @strawberry.mutation(directives=[requires(P.BUDGET_WRITE)], description="Set or remove a unit's monthly budget.")
    async def org_unit_set_budget(self, info: Info, input: OrgUnitSetBudgetInput) -> OrgUnitPayload:
        budget = input.monthly_budget
        echo = {"orgUnit": input.org_unit, "monthlyBudget": None if budget is None else str(budget)}
        outcome: UnitOutcome = await change_unit(
            info, "orgUnitSetBudget", input.org_unit, echo, input.idempotency_key, set_budget(budget)
        )
        return shown_as(OrgUnitPayload, outcome)

    @strawberry.mutation(
        directives=[requires(P.POLICY_WRITE)],
        description="Set a unit's spending policy; the lines and units below inherit what they do not override.",
    )
    async def org_unit_set_policy(self, info: Info, input: OrgUnitSetPolicyInput) -> OrgUnitPayload:
        changes = policy_changes(input.policy)
        echo = {"orgUnit": input.org_unit, "policy": plain(changes)}
        outcome = await change_unit(
            info, "orgUnitSetPolicy", input.org_unit, echo, input.idempotency_key, set_unit_policy(changes)
        )
        return shown_as(OrgUnitPayload, outcome)

    @strawberry.mutation(directives=[requires(P.ORG_WRITE)], description="Create a unit under a parent.")
    async def org_unit_create(self, info: Info, input: OrgUnitCreateInput) -> OrgUnitPayload:
        kind = input.kind.value if input.kind else None
        echo = {"parent": input.parent, "name": input.name, "kind": kind, "costCentreCode": input.cost_centre_code}
        change = create_child(input.name, kind, input.cost_centre_code)
        return shown_as(
            OrgUnitPayload, await change_unit(info, "orgUnitCreate", input.parent, echo, input.idempotency_key, change)
        )

    @strawberry.mutation(directives=[requires(P.ORG_WRITE)], description="Rename a unit or change its cost centre.")
    async def org_unit_update(self, info: Info, input: OrgUnitUpdateInput) -> OrgUnitPayload:
        values = {
            name: getattr(input, name)
            for name in ("name", "cost_centre_code")
            if getattr(input, name) is not strawberry.UNSET
        }
        echo = {"orgUnit": input.org_unit, **values}
        change = update_unit(values)
        return shown_as(
            OrgUnitPayload,
            await change_unit(info, "orgUnitUpdate", input.org_unit, echo, input.idempotency_key, change),
        )

    @strawberry.mutation(directives=[requires(P.ORG_WRITE)], description="Move a unit, with everything below it.")
    async def org_unit_move(self, info: Info, input: OrgUnitMoveInput) -> OrgUnitPayload:
        echo = {"orgUnit": input.org_unit, "newParent": input.new_parent}
        change = move_under(input.new_parent)
        return shown_as(
            OrgUnitPayload, await change_unit(info, "orgUnitMove", input.org_unit, echo, input.idempotency_key, change)
        )

    @strawberry.mutation(directives=[requires(P.ORG_WRITE)], description="Delete an empty unit.")
    async def org_unit_delete(self, info: Info, input: OrgUnitDeleteInput) -> OrgUnitPayload:
        echo = {"orgUnit": input.org_unit}
        return shown_as(
            OrgUnitPayload,
            await change_unit(info, "orgUnitDelete", input.org_unit, echo, input.idempotency_key, delete_empty()),
        )
