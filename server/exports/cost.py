"""A CSV export is charged to the caller's cost allowances like the report it writes: by the work it
will do over the lines in scope (``engine/work.py``) and one point for every row it writes.

Exports exist for large tables, so there is no per-operation cost limit here (a file of a whole
company's lines by month is the point of the route); but each one is paid for, and a caller
whose allowance, or whose company's, cannot pay gets 429 ``RATE_LIMITED`` with ``Retry-After``
before anything is read. A charge larger than a whole allowance needs that allowance full, and
empties it. Nothing is given back afterwards: the rows were computed whether or not the client read them.
"""

from __future__ import annotations

from typing import Any

from graphql import OperationType
from starlette.datastructures import QueryParams

from core.errors import CorpcareError
from engine import charging
from engine.work import report_work
from permissions.cost_allowances import CostAllowances
from request.context import Context
from resolvers.report_size import scope_size

# Each route's report field, as GraphQL names it.
FIELDS = {
    "spending": "spendingReport",
    "budget": "budgetReport",
    "top-spenders": "topSpenders",
    "anomalies": "spendingAnomalies",
    "usage": "usageReport",
    "savings": "savingsFinder",
    "invoices": "invoices",
    "invoice-lines": "bySubscriber",
}


async def charge_export(context: Context, name: str, params: QueryParams, allowances: CostAllowances | None) -> int:
    """Charge export ``name`` with ``params`` to the caller's cost allowances; its cost. Raises the
    coded refusal (``RATE_LIMITED``, or ``BACKEND_UNAVAILABLE`` when the allowances cannot be read
    and must be) when it must not run."""
    size = await scope_size(context, params.get("customer"), params.get("orgUnit"))
    work = report_work(FIELDS[name], _arguments(params), size)
    cost = work.points + work.rows
    if allowances is None:
        return cost
    context.cost_allowances = allowances
    _, refusal = await charging.charge(context, cost, OperationType.QUERY)
    if refusal is not None and isinstance(refusal.original_error, CorpcareError):
        raise refusal.original_error
    return cost


def _arguments(params: QueryParams) -> dict[str, Any]:
    """The route's parameters as the report field's arguments."""
    arguments: dict[str, Any] = {key: params[key] for key in ("from", "to") if key in params}
    for key in ("groupBy", "categories"):
        if key in params:
            arguments[key] = [part.strip().upper() for part in params[key].split(",") if part.strip()]
    for key in ("first", "months"):
        if params.get(key, "").isdigit():
            arguments[key] = int(params[key])
    return arguments
