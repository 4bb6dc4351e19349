"""Setting an org unit's monthly budget: one unit, checked against the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from resolvers.context import Info
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.node import load_node
from sources.errors import CorpcareError

OPERATION = "orgUnitSetBudget"
MAX_BUDGET = Decimal("100000000")


@dataclass(slots=True)
class BudgetOutcome:
    unit_id: int | None
    user_errors: list[UserErrorRecord]


async def set_budget(info: Info, unit_id: str, budget: Decimal | None, idempotency_key: str | None) -> BudgetOutcome:
    """The answer is kept as plain data ({"unit_id", "user_errors"}) for idempotent replays."""
    echo = {"orgUnit": unit_id, "monthlyBudget": None if budget is None else str(budget)}

    async def work() -> dict[str, Any]:
        context = info.context
        try:
            unit = await load_node(info, unit_id, expect="OrgUnit")
        except CorpcareError as failure:
            answer = {"unit_id": None, "user_errors": [problem(["orgUnit"], failure.code, failure.message)]}
            await audit_change(context, OPERATION, allowed=False, detail={"input": echo, **answer}, targets=())
            return answer
        if budget is not None and not _valid(budget):
            message = f"A budget is an amount between 0 and {MAX_BUDGET} with at most two decimals."
            return {"unit_id": unit.id, "user_errors": [problem(["monthlyBudget"], "BAD_USER_INPUT", message)]}
        before = None if unit.monthly_budget is None else unit.monthly_budget.minor
        after = None if budget is None else int(budget.scaleb(2))
        if not await context.sources.crm_writer.set_unit_budget(unit.id, before, after):
            message = "The budget changed meanwhile; read it again."
            return {"unit_id": unit.id, "user_errors": [problem(["orgUnit"], "CONFLICT", message)]}
        context.loaders.org_unit.clear(unit.id)  # the answer shows the new budget
        detail = {"input": echo, "before_minor": before, "after_minor": after}
        await audit_change(context, OPERATION, allowed=True, detail=detail, targets=(("OrgUnit", unit.id),))
        return {"unit_id": unit.id, "user_errors": []}

    answer, key_error = await once(info, OPERATION, idempotency_key, echo, work)
    if answer is None:
        answer = {"unit_id": None, "user_errors": [key_error]}
    return BudgetOutcome(answer["unit_id"], [UserErrorRecord(**error) for error in answer["user_errors"]])


def _valid(budget: Decimal) -> bool:
    exponent = budget.as_tuple().exponent
    return 0 <= budget <= MAX_BUDGET and isinstance(exponent, int) and exponent >= -2


def problem(field: list[str], code: str, message: str) -> dict[str, Any]:
    return {"field": field, "code": code, "message": message}
