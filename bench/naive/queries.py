"""The naive root Query: the caller, its company, any line by id, and the list of lines."""

from __future__ import annotations

from datetime import date

import strawberry
from sqlalchemy import ColumnElement, select, tuple_

from bench.naive.common import Node, PageInfo
from bench.naive.context import (
    Info,
    coded_error,
    decode_cursor,
    encode_cursor,
    engines_of,
    fetch_all,
    line_scope,
    page_size,
    principal_of,
)
from bench.naive.lines import (
    SUBSCRIBER_COLUMNS,
    Subscriber,
    SubscriberConnection,
    SubscriberEdge,
    subscriber_by_id,
)
from bench.naive.org import Customer, OrgUnit, Viewer, customer_by_id, unit_by_id
from core.ids import from_global_id
from permissions.roles import Permission
from sources.crm.models import Customer as CustomerRow
from sources.crm.models import Subscriber as SubscriberRow
from sources.scope import under

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 2000


@strawberry.input
class SubscriberFilter:
    org_unit: strawberry.ID | None = None


@strawberry.type
class Query:
    @strawberry.field
    def viewer(self, info: Info) -> Viewer:
        return Viewer.of(principal_of(info))

    @strawberry.field
    async def customer(self, info: Info, id: strawberry.ID | None = None) -> Customer | None:
        if id is not None:
            key = from_global_id(id, expect="Customer")[1]
        elif (own := principal_of(info).customer_id) is not None:
            key = own
        else:
            raise coded_error("BAD_USER_INPUT", "Operator staff must name the customer: pass `id`.")
        found = await customer_by_id(info, key)
        if found is None:
            raise coded_error("NOT_FOUND", f"No Customer with id {id}.")
        return found

    @strawberry.field
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        type_name, key = from_global_id(id)
        principal = principal_of(info)
        found: Node | None = None
        if type_name == "Subscriber" and principal.can(Permission.LINE_READ):
            found = await subscriber_by_id(info, key)
        elif type_name == "OrgUnit" and principal.can(Permission.ORG_READ):
            found = await unit_by_id(info, key)
        elif type_name == "Customer":
            found = await customer_by_id(info, key)
        if found is None:
            raise coded_error("NOT_FOUND", f"No {type_name} with id {id}.")
        return found

    @strawberry.field
    async def subscribers(
        self, info: Info, first: int | None = None, after: str | None = None, filter: SubscriberFilter | None = None
    ) -> SubscriberConnection:
        principal = principal_of(info)
        limit = page_size(first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        conditions: list[ColumnElement[bool]] = [line_scope(principal)]
        if filter is not None and filter.org_unit is not None:
            unit: OrgUnit | None = await unit_by_id(info, from_global_id(filter.org_unit, expect="OrgUnit")[1])
            if unit is None:
                raise coded_error("NOT_FOUND", f"No OrgUnit with id {filter.org_unit}.")
            conditions.append(under(SubscriberRow.org_path, unit.path))
        # corpcare's default order: by name for callers who may read it, else by activation date.
        by_name = principal.can(Permission.PERSONAL_READ)
        sort = SubscriberRow.employee_name if by_name else SubscriberRow.activated_on
        cursor_conditions = []
        if after is not None:
            value, key = decode_cursor(after)
            after_value = value if by_name else date.fromisoformat(value)
            cursor_conditions.append(tuple_(sort, SubscriberRow.id) > tuple_(after_value, key))
        statement = (
            select(*SUBSCRIBER_COLUMNS)
            .join(CustomerRow, CustomerRow.id == SubscriberRow.customer_id)
            .where(*conditions, *cursor_conditions)
            .order_by(sort, SubscriberRow.id)
            .limit(limit + 1)
        )
        rows = await fetch_all(engines_of(info).crm, statement)
        edges = [
            SubscriberEdge(
                cursor=encode_cursor(row.employee_name if by_name else row.activated_on.isoformat(), row.id),
                node=Subscriber.from_row(row),
            )
            for row in rows[:limit]
        ]
        return SubscriberConnection(
            edges=edges,
            nodes=[edge.node for edge in edges],
            page_info=PageInfo(has_next_page=len(rows) > limit, end_cursor=edges[-1].cursor if edges else None),
            conditions=conditions,
        )
