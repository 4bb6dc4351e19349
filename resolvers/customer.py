"""The customer a caller asks for: its own by default; operator staff find companies by name."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from core.crm_records import CustomerRecord
from core.errors import BadUserInput, NotFound
from core.scope import RowScope
from core.text import FILTER, checked
from loaders.org import CustomerByIdLoader
from request.context import Context, Info
from resolvers.node import load_node


async def customer(info: Info, global_id: str | None) -> Any:
    if global_id is not None:
        return await load_node(info.context, global_id, expect="Customer")
    own = info.context.principal.customer_id
    if own is None:
        raise BadUserInput("Operator staff must name the customer: pass `id`.", argument="id")
    record = await info.context.loader(CustomerByIdLoader).load(own)
    if record is None:
        raise NotFound("Your company was not found.")
    return record


MOST_FOUND = 50


async def customers(info: Info, search: str, first: int) -> list[CustomerRecord]:
    if not 1 <= first <= MOST_FOUND:
        raise BadUserInput(f"`first` must be between 1 and {MOST_FOUND}.", argument="first")
    text = checked(search, field="search", longest=FILTER).strip()
    return await info.context.sources.crm.find_customers(text, first, info.context.principal.scope)


async def company_scope(context: Context, customer_id: str | None) -> RowScope:
    """The caller's row scope, narrowed to the company ``customer_id`` names (operator staff acting
    for one company; anyone else may name only their own): NOT_FOUND for a company out of view."""
    scope = context.principal.scope
    if customer_id is None:
        return scope
    customer = int((await load_node(context, customer_id, expect="Customer")).id)
    return replace(scope, customer_ids=frozenset({customer}))
