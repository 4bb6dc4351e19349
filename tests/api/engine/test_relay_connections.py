"""Every paged list is a complete Relay connection, held to the specification's algorithm
(``tests/relay_spec.py``) for many (first, after, last, before) combinations, on both backends;
bad paging arguments are refused with BAD_USER_INPUT; ``totalCount`` costs a statement only when
it is asked for."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.api.access.test_access import codes
from tests.relay_spec import expected

PAGE_FIELDS = "edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }"
ARGS = "first: $first, after: $after, last: $last, before: $before"
VARIABLES = "$first: Int, $after: String, $last: Int, $before: String"


@dataclass(frozen=True)
class Listed:
    """One connection: a document that pages it with ``$first $after $last $before``, where its
    answer lies, who reads it and the largest page it serves."""

    document: str
    path: tuple[Any, ...]
    maximum: int
    login: str = "acme.admin"
    variables: dict[str, Any] = field(default_factory=dict)


def _connection(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


def subscribers(order: str) -> Listed:
    document = (
        f"query({VARIABLES}, $order: SubscriberOrder) {{ subscribers({ARGS}, orderBy: $order) {{ {PAGE_FIELDS} }} }}"
    )
    field_, _, direction = order.partition(" ")
    return Listed(document, ("subscribers",), 2000, variables={"order": {"field": field_, "direction": direction}})


USAGE = Listed(
    f"query({VARIABLES}, $line: ID!) {{ node(id: $line) {{ ... on Subscriber {{ usage({ARGS}) {{ {PAGE_FIELDS} }} }} "
    "} }",
    ("node", "usage"),
    500,
)
INVOICES = Listed(
    f"query({VARIABLES}) {{ customer {{ billingAccounts {{ invoices({ARGS}) {{ {PAGE_FIELDS} }} }} }} }}",
    ("customer", "billingAccounts", 0, "invoices"),
    100,
)
INVOICE_LINES = Listed(
    f"query({VARIABLES}, $invoice: ID!) {{ node(id: $invoice) {{ ... on Invoice {{ bySubscriber({ARGS}) "
    f"{{ {PAGE_FIELDS} }} }} }} }}",
    ("node", "bySubscriber"),
    1000,
)


async def all_cursors(world, listed: Listed) -> list[str]:
    """The whole list's cursors, read forward a largest page at a time."""
    cursors: list[str] = []
    after = None
    while True:
        data = await world.data(
            listed.login, listed.document, {**listed.variables, "first": listed.maximum, "after": after}
        )
        page = _connection(data, listed.path)
        cursors += [edge["cursor"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return cursors
        after = page["pageInfo"]["endCursor"]


async def holds_to_the_specification(world, listed: Listed) -> int:
    """Compares every combination of sizes and cursors with the specification; the number compared."""
    every = await all_cursors(world, listed)
    n = len(every)
    assert n >= 4, "the list needs a few rows to say anything"
    sizes = sorted({0, 1, 2, n // 2, n - 1, n, n + 3} & set(range(listed.maximum + 1)))
    cursors = [None, every[0], every[1], every[n // 2], every[-1]]
    compared = 0
    for after, before, size, backward in itertools.product(cursors, cursors, sizes, (False, True)):
        first, last = (None, size) if backward else (size, None)
        variables = {**listed.variables, "first": first, "after": after, "last": last, "before": before}
        page = _connection(await world.data(listed.login, listed.document, variables), listed.path)
        want = expected(every, first=first, after=after, last=last, before=before)
        got = [edge["cursor"] for edge in page["edges"]]
        info = page["pageInfo"]
        assert (got, info["hasPreviousPage"], info["hasNextPage"]) == (
            want.cursors,
            want.has_previous_page,
            want.has_next_page,
        ), (size, backward, [None if c is None else every.index(c) for c in (after, before)], len(every))
        assert (info["startCursor"], info["endCursor"]) == ((got[0], got[-1]) if got else (None, None))
        compared += 1
    return compared


async def _a_line_with_usage(world) -> str:
    data = await world.data("acme.admin", "{ subscribers(first: 50) { nodes { id usage(first: 0) { totalCount } } } }")
    lines = [(node["usage"]["totalCount"], node["id"]) for node in data["subscribers"]["nodes"]]
    return max(lines)[1]


async def _an_invoice(world) -> str:
    data = await world.data("acme.admin", "{ customer { billingAccounts { invoices(first: 1) { nodes { id } } } } }")
    return data["customer"]["billingAccounts"][0]["invoices"]["nodes"][0]["id"]


@pytest.mark.parametrize("order", ["NAME ASC", "ACTIVATED_ON DESC", "MSISDN DESC"])
async def test_the_subscribers_list_pages_as_the_specification_says(world, order):
    assert await holds_to_the_specification(world, subscribers(order)) == 5 * 5 * 7 * 2


async def test_a_lines_usage_pages_as_the_specification_says(world):
    line = await _a_line_with_usage(world)
    assert await holds_to_the_specification(world, Listed(USAGE.document, USAGE.path, 500, variables={"line": line}))


async def test_invoices_and_their_lines_page_as_the_specification_says(world):
    assert await holds_to_the_specification(world, INVOICES)
    invoice = await _an_invoice(world)
    lines = Listed(INVOICE_LINES.document, INVOICE_LINES.path, 1000, variables={"invoice": invoice})
    assert await holds_to_the_specification(world, lines)


def _garbled(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


async def test_bad_paging_arguments_are_refused_with_a_clear_message(world, customer_admin):
    listed = subscribers("NAME ASC")
    every = await all_cursors(world, listed)
    line = await _a_line_with_usage(world)
    usage = await all_cursors(world, Listed(USAGE.document, USAGE.path, 500, variables={"line": line}))
    activation = await all_cursors(world, subscribers("ACTIVATED_ON ASC"))
    refused = {
        "Pass first or last, not both.": {"first": 2, "last": 2},
        "first must be between 0 and 2000.": {"first": -1},
        "last must be between 0 and 2000.": {"last": -1},
        "first must be between 0 and 2000.|over": {"first": 2001},
        "last must be between 0 and 2000.|over": {"last": 2001},
        "The after cursor is not a cursor of this list.": {"first": 2, "after": "not a cursor!"},
        "The before cursor is not a cursor of this list.": {"last": 2, "before": _garbled("subscribers.name", 1, "x")},
        "The after cursor is not a cursor of this list.|another order": {"after": activation[3]},
        "The before cursor is not a cursor of this list.|an id past 32 bits": {
            "before": _garbled("subscribers.name", "Anna", 2**40)
        },
    }
    refused["The after cursor is not a cursor of this list.|another list"] = {"after": usage[0]}
    for message, arguments in refused.items():
        result = await world.run(customer_admin, listed.document, {**listed.variables, **arguments})
        assert codes(result) == ["BAD_USER_INPUT"], (message, arguments)
        assert result.errors[0].message == message.split("|")[0]
        assert result.data == {"subscribers": None}
    assert every  # the list itself reads


COUNTED = {
    "subscribers": "query($count: Boolean!) { subscribers(first: 3) { nodes { id } totalCount @include(if: $count) } }",
    "auditLog": "query($count: Boolean!) { auditLog(last: 3) { nodes { action } totalCount @include(if: $count) } }",
    "bulkOperations": "query($count: Boolean!) { bulkOperations(first: 3) { nodes { id } "
    "totalCount @include(if: $count) } }",
    "usage": "query($count: Boolean!) { subscribers(first: 5) { nodes { usage(last: 2) { nodes { kind } "
    "totalCount @include(if: $count) } } } }",
    "invoices": "query($count: Boolean!) { customer { billingAccounts { invoices(last: 2) { nodes { number } "
    "totalCount @include(if: $count) } } } }",
}


def _counts(statements: list[str]) -> int:
    return sum("count(" in statement.lower() for statement in statements)


@pytest.mark.parametrize("listed", sorted(COUNTED))
async def test_total_count_is_one_statement_sent_only_when_asked_for(world, customer_admin, listed):
    document = COUNTED[listed]
    await world.data(customer_admin, document, {"count": False})
    without = list(world.counter.statements)
    data = await world.data(customer_admin, document, {"count": True})
    with_count = list(world.counter.statements)
    assert _counts(without) == 0, without
    assert _counts(with_count) == 1 and len(with_count) == len(without) + 1, with_count
    totals = _totals(data)
    assert totals and all(isinstance(total, int) for total in totals), data


def _totals(data: Any) -> list[Any]:
    if isinstance(data, dict):
        return [value for key, value in data.items() if key == "totalCount"] + [
            total for value in data.values() for total in _totals(value)
        ]
    return [total for value in data for total in _totals(value)] if isinstance(data, list) else []
