"""How much a report will read, known before it runs: the lines in the caller's scope (within a
unit's subtree when one is named) and the units holding them.

The cost limit prices reports by this (``engine/work.py``). It is one COUNT statement per
customer, subtree and scope, kept in the shared cache for a few minutes: it is an estimate, so a
line added or moved meanwhile only makes it a little off, and nothing needs invalidating.
"""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import BadUserInput
from core.ids import from_global_id
from request.context import Context

CACHE_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class ScopeSize:
    lines: int
    units: int


NOTHING = ScopeSize(0, 0)


async def scope_size(context: Context, customer_id: str | None, org_unit_id: str | None) -> ScopeSize:
    """The lines and units a report over ``customer_id`` (default: the caller's company) and
    ``org_unit_id``'s subtree (default: all of the scope) will read. Ids that do not decode count
    as not given (the report refuses them when it runs); a report naming no customer it can
    read reads nothing."""
    customer = _key(customer_id, "Customer")
    if customer is None:
        customer = context.principal.customer_id
    if customer is None or not context.principal.scope.sees_customer(customer):
        return NOTHING
    unit = _key(org_unit_id, "OrgUnit")
    scope = context.principal.scope
    cache_key = f"report-size:{scope.fingerprint()}:{customer}:{unit or ''}"
    cached = await context.sources.cache.get(cache_key)
    if cached is not None:
        lines, _, units = cached.decode(errors="replace").partition(",")
        if lines.isdigit() and units.isdigit():  # anything else: count again
            return ScopeSize(int(lines), int(units))
    size = ScopeSize(*await context.sources.crm.scope_size(customer, scope, unit))
    await context.sources.cache.set(cache_key, f"{size.lines},{size.units}".encode(), CACHE_SECONDS)
    return size


def _key(global_id: str | None, expect: str) -> int | None:
    if not isinstance(global_id, str):
        return None
    try:
        return from_global_id(global_id, expect=expect)[1]
    except BadUserInput:
        return None
