"""The customer a caller asks for: its own by default."""

from __future__ import annotations

from typing import Any

from core.errors import BadUserInput, NotFound
from loaders.org import CustomerByIdLoader
from request.context import Info
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
