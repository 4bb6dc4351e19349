"""Changes to one org unit: its monthly budget and its spending policy."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from resolvers.context import Info
from resolvers.policy_changes import set_unit_policy
from resolvers.unit_changes import UnitOutcome, change_unit, set_budget
from schema.common import UserError
from schema.fields import field, related
from schema.org_unit import OrgUnit
from schema.policy_input import PolicyInput, plain, policy_changes


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


@strawberry.type
class OrgUnitPayload:
    org_unit: OrgUnit | None = related("org_unit", "unit_id", PUBLIC, description="The unit, as it is now.")
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
        return outcome  # type: ignore[return-value]

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
        return outcome  # type: ignore[return-value]
