"""Operation limits: cost, depth, aliases and tokens are checked on the document before anything
runs; the estimated and the actual cost are reported with every answer."""

from __future__ import annotations

import uuid

from engine.build import build_schema
from request.context import Context, QueryLimits
from tests.api.access.test_access import codes

LINES = "query($n: Int!) { subscribers(first: $n) { nodes { id orgUnit { id } } } }"


def cost_of(result) -> dict:
    return result.extensions["cost"]


async def test_the_estimated_cost_follows_the_page_sizes_and_is_reported(world, customer_admin):
    small = await world.run(customer_admin, LINES, {"n": 10})
    large = await world.run(customer_admin, LINES, {"n": 2000})
    # The connection (1) and, per line, the line (1) and its unit (1).
    assert cost_of(small) == {"requestedQueryCost": 1 + 10 * 2, "actualQueryCost": 1 + 10 * 2, "maximum": 100_000}
    assert cost_of(large)["requestedQueryCost"] == 1 + 2000 * 2
    # The company has fewer lines than the page: the actual cost counts what came back.
    lines = len(large.data["subscribers"]["nodes"])
    assert 10 < lines < 2000 and cost_of(large)["actualQueryCost"] == 1 + lines * 2
    assert small.errors is None and large.errors is None


async def test_a_too_costly_operation_is_refused_before_any_sql(world, customer_admin):
    heavy = """{ subscribers(first: 2000) { nodes { id services { service { id } }
      orgUnit { children { children { id } } } spending { byCategory { amount { amount } } } } } }"""
    result = await world.run(customer_admin, heavy)
    assert result.data is None and codes(result) == ["QUERY_TOO_COMPLEX"]
    assert result.errors[0].extensions["cost"] > 100_000 and result.errors[0].extensions["maximum"] == 100_000
    assert world.counter.count == 0


async def test_depth_aliases_and_tokens_have_limits(world, customer_admin):
    deep = "{ customer { orgRoot " + "{ children " * 15 + "{ id }" + " }" * 15 + " } }"
    too_deep = await world.run(customer_admin, deep)
    # customer, orgRoot, fifteen levels of children, then id: 18 fields deep (and costly too).
    assert set(codes(too_deep)) == {"QUERY_TOO_COMPLEX"}
    assert [e.extensions["depth"] for e in too_deep.errors if "depth" in e.extensions] == [18]
    aliases = "{ " + " ".join(f"a{i}: viewer {{ login }}" for i in range(31)) + " }"
    too_many = await world.run(customer_admin, aliases)
    assert codes(too_many) == ["QUERY_TOO_COMPLEX"] and too_many.errors[0].extensions["aliases"] == 31
    huge = "{ viewer { " + " ".join(["login"] * 10_001) + " } }"
    too_long = await world.run(customer_admin, huge)
    assert too_long.data is None and codes(too_long) == ["QUERY_TOO_COMPLEX"]
    assert world.counter.count == 0


async def test_the_limits_are_configurable(world, customer_admin):
    limits = QueryLimits(max_cost=10, max_depth=10, max_aliases=1, max_tokens=200)
    context = Context.of(await world.principal(customer_admin), world.sources, request_id=uuid.uuid4().hex,
                         limits=limits)  # fmt: skip
    result = await build_schema(limits).execute(LINES, variable_values={"n": 10}, context_value=context)
    assert codes(result) == ["QUERY_TOO_COMPLEX"] and result.errors[0].extensions["maximum"] == 10


async def test_directives_and_input_lists_have_limits(world, customer_admin):
    flooded = "{ viewer { " + " ".join(f"f{i}: login @include(if: true)" for i in range(25)) + " " + " ".join(
        f"g{i}: name @skip(if: false)" for i in range(26)
    ) + " } }"  # fmt: skip
    too_many = await world.run(customer_admin, flooded)
    assert "QUERY_TOO_COMPLEX" in codes(too_many)
    assert [e.extensions["directives"] for e in too_many.errors if "directives" in e.extensions] == [51]

    ids = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    too_long = await world.run(customer_admin, ids, {"ids": ["U3Vic2NyaWJlcjox"] * 100_001})
    assert too_long.data is None and "BAD_USER_INPUT" in codes(too_long)
    [listed] = [e.extensions for e in too_long.errors if "listLength" in e.extensions]
    assert listed == {"code": "BAD_USER_INPUT", "listLength": 100_001, "maximum": 100_000}
    # Lists written in the document count too (there the token limit bounds them first).
    limits = QueryLimits(max_input_list=5)
    context = Context.of(await world.principal(customer_admin), world.sources, request_id=uuid.uuid4().hex,
                         limits=limits)  # fmt: skip
    nested = "mutation { subscriberServicesAdd(input: {selection: {ids: [%s]}, services: []}) { dryRun } }"
    inline = await build_schema(limits).execute(nested % ", ".join(['"x"'] * 6), context_value=context)
    assert inline.data is None and [e.extensions.get("listLength") for e in inline.errors] == [6]
    assert world.counter.count == 0
