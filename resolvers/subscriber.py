"""The subscribers list: filters turned into one CRM query (plus one billing query for
product filters), keyset pagination, and a total count on demand."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from core.crm_records import SubscriberRecord
from core.errors import Forbidden
from core.ids import from_global_id
from core.text import FILTER, checked
from loaders.cursors import Keyset, PageArgs, Window, day, key32, span_of, text, window_of
from permissions.roles import Permission as P
from request.context import Info
from resolvers.line_search import line_search
from resolvers.node import load_node
from sources.crm.line_reads import SUBSCRIBER_ORDER, SubscriberQuery
from sources.crm.search import LineSearch

# Orders that reveal personal data need the permission to read it.
PERSONAL_ORDERS = frozenset({"name", "msisdn"})


@dataclass(frozen=True, slots=True)
class SubscriberListArgs:
    """The list's arguments as plain values (the schema converts its inputs into this)."""

    statuses: tuple[str, ...] = ()
    org_unit_id: str | None = None
    tariff_plan_ids: tuple[str, ...] = ()
    service_ids: tuple[str, ...] = ()
    search: str | None = None
    customer_id: str | None = None
    order_by: str | None = None
    descending: bool = False


def _sort_value(record: SubscriberRecord, order_by: str) -> object:
    return getattr(record, "employee_name" if order_by == "name" else order_by)


async def line_query(info: Info, args: SubscriberListArgs) -> SubscriberQuery:
    """The list's filters as a CRM query (paging aside); one billing query for product filters."""
    context = info.context
    principal = context.principal
    if args.search and not principal.can(P.PERSONAL_READ):
        raise Forbidden("Searching by name or number needs the personal:read permission.")
    customer_ids = None
    if args.customer_id is not None:
        customer_ids = frozenset({(await load_node(info.context, args.customer_id, expect="Customer")).id})
    subtree = None
    if args.org_unit_id is not None:
        subtree = (await load_node(info.context, args.org_unit_id, expect="OrgUnit")).path
    among = None
    if args.tariff_plan_ids or args.service_ids:
        plans = [from_global_id(i, expect="TariffPlan")[1] for i in args.tariff_plan_ids]
        services = [from_global_id(i, expect="Service")[1] for i in args.service_ids]
        among = frozenset(
            await context.sources.products.subscriber_ids_with_products(
                customer_ids or principal.scope.customer_ids, plans, services
            )
        )
    return SubscriberQuery(
        customer_ids=customer_ids,
        statuses=args.statuses,
        subtree_path=subtree,
        among_ids=among,
        search=await _search(info, args.search, customer_ids),
    )


# One keyset per order: a cursor of one order names no place in another.
KEYSETS = {
    order: Keyset(f"subscribers.{order}", (day if order == "activated_on" else text, key32))
    for order in SUBSCRIBER_ORDER
}


async def _search(info: Info, given: str | None, customer_ids: frozenset[int] | None) -> LineSearch | None:
    typed = checked(given, field="search", longest=FILTER).strip() if given else ""
    return await line_search(info.context, typed, customer_ids) if typed else None


async def subscribers(info: Info, args: SubscriberListArgs, page: PageArgs) -> Window:
    context = info.context
    principal = context.principal
    personal = principal.can(P.PERSONAL_READ)
    order_by = args.order_by or ("name" if personal else "activated_on")
    if not personal and order_by in PERSONAL_ORDERS:
        raise Forbidden("Ordering by name or number needs the personal:read permission.")
    keyset = KEYSETS[order_by]
    span = span_of(keyset, page, default=context.pages.default_size, maximum=context.pages.max_size)
    query = replace(await line_query(info, args), order_by=order_by, descending=args.descending, span=span)
    crm, scope = context.sources.crm, principal.scope
    rows = await crm.subscriber_page(query, scope)
    return window_of(
        rows,
        span,
        lambda record: keyset.cursor(_sort_value(record, order_by), record.id),
        lambda: crm.subscriber_total(query, scope),
    )


def enum_values(values: list[Enum] | None) -> tuple[str, ...]:
    return tuple(value.value for value in values or ())
