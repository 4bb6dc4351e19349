"""Value types used across the schema: money, pages of lists, and the Node interface."""

from __future__ import annotations

from decimal import Decimal
from typing import Generic, TypeVar, cast

import strawberry

from loaders.cursors import Window
from permissions.rules import PUBLIC
from schema.fields import field

T = TypeVar("T")


def shown_as(kind: type[T], record: object) -> T:
    """``record`` served as the Strawberry type ``kind``. Schema types read their fields by name from
    what the resolvers return (core records, pages of rows) rather than copying them into instances of
    the type; naming the type here keeps mypy checking the field's return type where an ignore would
    silence it."""
    return cast(T, record)


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


@strawberry.type(
    description="Where a page lies in its list (the Relay cursor connections specification). Reading forward "
    "after a cursor, `hasPreviousPage` is true (the row the cursor names comes before); reading backward before "
    "a cursor, `hasNextPage` is."
)
class PageInfo:
    has_next_page: bool = field(PUBLIC)
    has_previous_page: bool = field(PUBLIC)
    start_cursor: str | None = field(PUBLIC, description="Pass as `before` (with `last`) to read the page before.")
    end_cursor: str | None = field(PUBLIC, description="Pass as `after` (with `first`) to read the next page.")


@strawberry.type
class Edge(Generic[T]):
    cursor: str = field(PUBLIC)
    node: T = field(PUBLIC)


@strawberry.type(
    description="A page of a list: `first` rows after `after`, or the `last` rows before `before` (not both sizes; "
    "each is capped). Cursors are keyset positions: rows added between two reads shift no other row."
)
class Connection(Generic[T]):
    edges: list[Edge[T]] = field(PUBLIC)
    nodes: list[T] = field(PUBLIC, description="The page's objects, without cursors.")
    page_info: PageInfo = field(PUBLIC)

    @strawberry.field(
        directives=[PUBLIC], description="Items in the whole list, counted by one more statement when asked for."
    )
    async def total_count(root: Window) -> int | None:
        return await root.count()


@strawberry.type
class UserError:
    # Declared with strawberry.field: an attribute named "field" would hide the helper.
    field: list[str] = strawberry.field(directives=[PUBLIC], description="Path to the input field at fault.")
    code: str = strawberry.field(directives=[PUBLIC])
    message: str = strawberry.field(directives=[PUBLIC])
