"""Value types used across the schema: money, pages of lists, and the Node interface."""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar

import strawberry

from loaders.page import Page
from permissions.rules import PUBLIC
from schema.fields import field

T = TypeVar("T")


@strawberry.type(
    description="An amount of money in a currency, as the backend holds it. Amounts are exact decimals with "
    "the currency's own minor unit (EUR 2 decimals, JPY none, KWD 3). Amounts in two currencies are never "
    "added: a figure over several is given per currency, or refused with MIXED_CURRENCIES."
)
class Money:
    amount: Decimal = field(PUBLIC, description="Exactly as many decimals as the currency's minor unit.")
    currency: str = field(PUBLIC, description="ISO 4217 code, for example EUR.")


@strawberry.interface(description="An object with a global id, fetchable with `node(id:)`.")
class Node:
    id: strawberry.ID = field(PUBLIC)


@strawberry.type
class PageInfo:
    has_next_page: bool = field(PUBLIC)
    end_cursor: str | None = field(PUBLIC, description="Pass as `after` to read the next page.")
    has_previous_page: bool = strawberry.field(
        default=False,
        directives=[PUBLIC],
        description="Lists read forward only (no `last`) say false here; a list that takes `last` tells.",
    )
    start_cursor: str | None = strawberry.field(
        default=None, directives=[PUBLIC], description="Pass as `before` (with `last`) to read the page before."
    )


@strawberry.type
class Edge(Generic[T]):
    cursor: str = field(PUBLIC)
    node: T = field(PUBLIC)


@strawberry.type(description="A page of a list. `first` is capped; follow `pageInfo.endCursor`.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = field(PUBLIC)
    nodes: list[T] = field(PUBLIC, description="The page's objects, without cursors.")
    page_info: PageInfo = field(PUBLIC)

    @strawberry.field(
        directives=[PUBLIC], description="Items in the whole list (one more query); null where not counted."
    )
    async def total_count(root: Page) -> int | None:  # type: ignore[misc]
        return await root.count()


@strawberry.type
class UserError:
    # Declared with strawberry.field: an attribute named "field" would hide the helper.
    field: list[str] = strawberry.field(directives=[PUBLIC], description="Path to the input field at fault.")
    code: str = strawberry.field(directives=[PUBLIC])
    message: str = strawberry.field(directives=[PUBLIC])
