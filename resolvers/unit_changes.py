"""Changes to one org unit (budget, spending policy): scope-checked, idempotent, audited.

Each change is a function ``(context, unit) -> (before, after, unit to show)`` that raises
a coded error with a ``field`` for bad input; ``change_unit`` does the rest. The unit to
show is the one the payload returns: the unit itself, a new child, or None once deleted.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from core.crm_records import OrgUnitRecord
from core.errors import BadUserInput, CorpcareError
from core.values import minor_unit, to_minor
from loaders.org import OrgUnitByIdLoader
from request.context import Context, Info
from resolvers.mutation import UserErrorRecord, audit_change, once
from resolvers.node import load_node

MAX_AMOUNT = Decimal("100000000")

UnitChange = Callable[[Context, OrgUnitRecord], Awaitable[tuple[Any, Any, int | None]]]


@dataclass(slots=True)
class UnitOutcome:
    unit_id: int | None
    user_errors: list[UserErrorRecord]


async def change_unit(
    info: Info, operation: str, unit_id: str, echo: dict[str, Any], key: str | None, change: UnitChange
) -> UnitOutcome:
    """The answer is kept as plain data ({"unit_id", "user_errors"}) for idempotent replays."""

    async def work() -> dict[str, Any]:
        context = info.context
        unit = None
        try:
            unit = await load_node(info.context, unit_id, expect="OrgUnit")
            before, after, shown = await change(context, unit)
        except CorpcareError as failure:
            field = failure.extensions.get("field", ["orgUnit"])
            answer = {"unit_id": unit.id if unit else None, "user_errors": [_error(field, failure)]}
            targets: tuple[tuple[str, int], ...] = (("OrgUnit", unit.id),) if unit else ()
            await audit_change(context, operation, allowed=False, detail={"input": echo, **answer}, targets=targets)
            return answer
        # A new generation of the org tree on every instance; the answer shows the unit as it is now.
        await context.loaders.org_generation.renew()
        context.loader(OrgUnitByIdLoader).clear(unit.id)
        detail = {"input": echo, "before": before, "after": after}
        touched = tuple(("OrgUnit", i) for i in sorted({unit.id, shown} - {None}))
        await audit_change(context, operation, allowed=True, detail=detail, targets=touched)
        return {"unit_id": shown, "user_errors": []}

    answer, key_error = await once(info, operation, key, echo, work)
    if answer is None:
        answer = {"unit_id": None, "user_errors": [key_error]}
    return UnitOutcome(answer.get("unit_id"), [UserErrorRecord(**error) for error in answer["user_errors"]])


def _error(field: list[str], failure: CorpcareError) -> dict[str, Any]:
    return {"field": field, "code": failure.code, "message": failure.message}


def minor_amount(amount: Decimal, currency: str, field: list[str]) -> int:
    """An amount of money in ``currency`` as its minor units: between 0 and MAX_AMOUNT, with no
    more decimals than the currency has (EUR 2, JPY 0, KWD 3); more would be rounded, so refused."""
    decimals = minor_unit(currency)
    minor = to_minor(amount, currency) if amount.is_finite() and 0 <= amount <= MAX_AMOUNT else None
    if minor is None:
        places = "no decimals" if decimals == 0 else f"at most {decimals} decimals"
        message = f"An amount in {currency} between 0 and {MAX_AMOUNT} with {places}."
        raise BadUserInput(message, field=field, currency=currency, decimals=decimals)
    return minor


def set_budget(budget: Decimal | None) -> UnitChange:
    async def change(context: Context, unit: OrgUnitRecord) -> tuple[Any, Any, int | None]:
        after = None if budget is None else minor_amount(budget, unit.currency, ["monthlyBudget"])
        before = None if unit.monthly_budget is None else unit.monthly_budget.minor
        if not await context.sources.crm_writer.set_unit_budget(unit.id, before, after, context.current_period):
            raise Conflict("The budget changed meanwhile; read it again.", field=["orgUnit"])
        return before, after, unit.id

    return change


class Conflict(CorpcareError):
    code = "CONFLICT"


__all__ = ["UnitOutcome", "change_unit", "minor_amount", "set_budget"]
