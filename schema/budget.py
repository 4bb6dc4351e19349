"""Budgets: finance and admins set a unit's monthly budget."""

from __future__ import annotations

from decimal import Decimal

import strawberry

from permissions.roles import Permission as P
from permissions.rules import PUBLIC, requires
from resolvers.context import Info
from resolvers.unit_changes import UnitOutcome, change_unit, set_budget
from schema.fields import field, related
from schema.line_changes import UserError
from schema.org_unit import OrgUnit


@strawberry.input
class OrgUnitSetBudgetInput:
    org_unit: strawberry.ID
    monthly_budget: Decimal | None = strawberry.field(description="In the company's currency; null removes it.")
    idempotency_key: str | None = None


@strawberry.type
class OrgUnitSetBudgetPayload:
    org_unit: OrgUnit | None = related("org_unit", "unit_id", PUBLIC, description="The unit, as it is now.")
    user_errors: list[UserError] = field(PUBLIC)


@strawberry.type
class BudgetMutation:
    @strawberry.mutation(directives=[requires(P.BUDGET_WRITE)], description="Set or remove a unit's monthly budget.")
    async def org_unit_set_budget(self, info: Info, input: OrgUnitSetBudgetInput) -> OrgUnitSetBudgetPayload:
        budget = input.monthly_budget
        echo = {"orgUnit": input.org_unit, "monthlyBudget": None if budget is None else str(budget)}
        outcome: UnitOutcome = await change_unit(
            info, "orgUnitSetBudget", input.org_unit, echo, input.idempotency_key, set_budget(budget)
        )
        return outcome  # type: ignore[return-value]
