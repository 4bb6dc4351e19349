"""Compiled plans change nothing in an answer: every benchmark operation, reads that end in
errors (ids of another company, unknown and garbage ids, a field the role lacks inside a list) and
generated reads (``plan_operations.py``: arguments, fragments, aliases, directives, nested lists,
objects by id) answer byte for byte the same with plans on and off, for every role on both
backends — and the plans really answer the big list's items."""

from __future__ import annotations

import functools
import os
from typing import Any

import orjson
import pytest
from graphql import ExecutionResult, GraphQLError, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD, Targets
from core.values import add_months, month_start
from engine.executor import LevelExecutor
from engine.plans import run as plan_run
from tests import plan_differential
from tests.api.engine.fuzzing import id_pools
from tests.api.engine.plan_operations import operations
from tests.oracle import global_id, read_rows
from tests.support import LOGINS, World, today

ROLES = list(LOGINS)

NODES = """query($ids: [ID!]!) { nodes(ids: $ids) { id __typename
  ... on Subscriber { status tariffPlan { code } services { service { code } } }
  ... on OrgUnit { name children { id name } } } }"""
PAGE = """query($yes: Boolean!) { subscribers(first: 120) { nodes {
  __typename key: id ...Line plan: tariffPlan @include(if: $yes) { id code monthlyFee { amount currency } }
  services @skip(if: $yes) { activatedOn service { __typename code name } }
  bundles { kind unit allowance used remaining bundle { name } }
  orgUnit { id name costCentreCode parent { name } } } } }
fragment Line on Subscriber { status device position activatedOn msisdn }"""
# Relations keyed by the fields' arguments (constants and variables), on list items at two levels.
KEYED_READS = """query($month: Month, $kinds: [UsageKind!]) {
  subscribers(first: 60) { nodes { id
    spending(month: $month) { period total { amount currency } companyShare { amount } byCategory { category } }
    now: spending { total { amount } } perCurrency: spendingByCurrency(month: $month) { total { amount currency } }
    effectivePolicy { monthlyLimit { amount } limitAction companySharePercent roamingAllowed }
    usage(first: 3, month: $month, kinds: $kinds) { pageInfo { hasNextPage } nodes { kind quantity unit } } } }
  customer { orgRoot { children { name subscriberCount effectivePolicy { limitAction }
    spending(month: $month, structure: CURRENT) { total { amount } lineCount }
    billed: spendingByCurrency(month: $month) { total { amount currency } lineCount }
    children { subscriberCount spending(month: $month) { total { amount } } } } } } }"""
# A page too large for every line: each line's key function raises, and each line answers its error.
TOO_LARGE = "{ subscribers(first: 3) { nodes { id usage(first: 1000) { nodes { kind } } } } }"
TREE = "{ customer { orgRoot { id name children { id name subscriberCount children { id name costCentreCode } } } } }"
BIG = next(operation for operation in WORKLOAD if operation.name == "big_list")


async def answer(world: World, login: str, query: str, variables: dict[str, Any] | None, plans: bool) -> Any:
    """The answer as bytes: data through orjson, errors sorted by path."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CORPCARE_COMPILED_PLANS", "1" if plans else "0")
        result = await world.run(login, query, variables)
    errors = sorted((e.formatted for e in result.errors or ()), key=lambda e: (str(e.get("path")), e["message"]))
    return orjson.dumps(result.data), orjson.dumps(errors)


async def same_either_way(world: World, login: str, query: str, variables: dict[str, Any] | None = None) -> Any:
    off = await answer(world, login, query, variables, plans=False)
    on = await answer(world, login, query, variables, plans=True)
    assert on == off, (login, query)
    return orjson.loads(off[0]), orjson.loads(off[1])


async def targets(world: World) -> Targets:
    root = (await world.data(LOGINS["customer_admin"], TARGETS_QUERY))["customer"]["orgRoot"]
    unit = max(root["children"], key=lambda child: child["subscriberCount"])["id"]
    line = (await world.data(LOGINS["customer_admin"], LINE_QUERY, {"u": unit}))["subscribers"]["nodes"][0]["id"]
    return Targets(unit, line, today())


@pytest.mark.parametrize("role", ROLES)
async def test_every_benchmark_operation_answers_the_same_with_plans_on_and_off(world, role):
    aims = await targets(world)
    for operation in WORKLOAD:
        await same_either_way(world, LOGINS[role], operation.document, operation.variables(aims))


@pytest.mark.parametrize("role", ROLES)
async def test_reads_with_errors_answer_the_same_with_plans_on_and_off(world, role):
    rows = await read_rows(world)
    aims = await targets(world)
    foreign = [global_id("Subscriber", k) for k, v in sorted(rows.lines.items()) if v[0] != min(rows.customers)][:3]
    ids = [aims.line, aims.unit, *foreign, global_id("Subscriber", 999_999), global_id("Nope", 1), "garbage!"]
    _, errors = await same_either_way(world, LOGINS[role], NODES, {"ids": ids})
    assert errors  # the unknown and garbage ids at least
    for yes in (True, False):
        await same_either_way(world, LOGINS[role], PAGE, {"yes": yes})
    await same_either_way(world, LOGINS[role], TREE)


@pytest.mark.parametrize("role", ROLES)
async def test_relations_keyed_by_arguments_on_list_items_answer_the_same_with_plans_on_and_off(world, role):
    last_month = add_months(month_start(today()), -1).strftime("%Y-%m")
    for variables in ({"month": last_month, "kinds": ["DATA", "VOICE"]}, {"month": None, "kinds": None}):
        data, errors = await same_either_way(world, LOGINS[role], KEYED_READS, variables)
        if role == "customer_admin":
            lines = data["subscribers"]["nodes"]
            assert errors == [] and len(lines) > 1
            assert all(line["spending"] and line["usage"]["nodes"] is not None for line in lines)
    data, errors = await same_either_way(world, LOGINS[role], TOO_LARGE)
    if role == "customer_admin":
        assert [error["path"] for error in errors] == [["subscribers", "nodes", n, "usage"] for n in range(3)]


@pytest.mark.executed_once
async def test_the_dashboard_and_the_subscriber_pages_are_built_by_plans(world, spied, monkeypatch):
    aims = await targets(world)
    planned, by_graphql_core = spied
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    # The objects plans build at fields, and those graphql-core builds: a page whose total count its own
    # resolver counts (one more statement) is graphql-core's, its list of lines and its page info are plans'.
    expected = {
        "dashboard": (["customer", "subscribers.pageInfo", "viewer"], [["subscribers"]]),
        "subscriber_page": (["subscribers.pageInfo"], [["subscribers"]]),
        "subscriber_detail": (["node"], []),
    }
    for name, (places, by_resolvers) in expected.items():
        operation = next(operation for operation in WORKLOAD if operation.name == name)
        planned.clear()
        by_graphql_core.clear()
        data = await world.data(operation.login, operation.document, operation.variables(aims))
        assert sorted(planned) == places, name
        for place in places:
            first, *rest = place.split(".")
            assert planned[place] is not None and planned[place][0] == functools.reduce(dict.get, rest, data[first])
        assert by_graphql_core == by_resolvers, name  # no other object, in a list or not
    assert len(data["node"]["usage"]["nodes"]) > 1


async def test_a_field_the_role_lacks_inside_a_list_is_refused_the_same_with_plans_on_and_off(world, analyst):
    data, errors = await same_either_way(world, analyst, PAGE, {"yes": True})
    assert {error["extensions"]["code"] for error in errors} == {"FORBIDDEN"}
    assert data["subscribers"]["nodes"][0]["msisdn"] is None


@pytest.mark.parametrize("role", ROLES)
async def test_the_big_list_of_two_thousand_lines_answers_the_same_with_plans_on_and_off(large_world, role):
    await same_either_way(large_world, LOGINS[role], BIG.document)


@pytest.mark.executed_once
async def test_the_plan_answers_every_line_of_the_big_list(large_world, monkeypatch):
    planned: list[int] = []
    missed: list[int] = []
    complete_chunk, fallback = plan_run.complete_chunk, LevelExecutor.complete_list_item_value

    def counting(run: Any, start: int, stop: int) -> None:
        if run.path.as_list() == ["subscribers", "nodes"]:
            planned.append(stop - start)
        complete_chunk(run, start, stop)

    def missing(executor: Any, item: Any, results: list[Any], *args: Any) -> bool:
        missed.append(1)
        return bool(fallback(executor, item, results, *args))

    monkeypatch.setattr(plan_run, "complete_chunk", counting)
    monkeypatch.setattr(LevelExecutor, "complete_list_item_value", missing)
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    lines = (await large_world.data(BIG.login, BIG.document))["subscribers"]["nodes"]
    assert len(lines) > 1000 and sum(planned) == len(lines) and len(planned) > 1  # in chunks
    assert missed == []  # no item, and no item of a list below them, went through graphql-core
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "0")
    planned.clear()
    assert (await large_world.data(BIG.login, BIG.document))["subscribers"]["nodes"] == lines
    assert planned == [] and len(missed) > len(lines)


# Generated reads per role and backend; CORPCARE_PLAN_EXAMPLES=500 for a deeper look.
EXAMPLES = int(os.environ.get("CORPCARE_PLAN_EXAMPLES", "7"))
IDS: dict[int, list[str]] = {}  # by world: the ids generated arguments may name


async def ids_of(world: World) -> list[str]:
    if id(world) not in IDS:
        IDS[id(world)] = [identifier for pool in id_pools(await read_rows(world)) for identifier in pool]
    return IDS[id(world)]


@pytest.mark.parametrize("role", ROLES)
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
async def test_generated_reads_answer_the_same_with_plans_on_and_off(world, role, data):
    audited = (await world.principal(LOGINS[role])).reads_are_audited
    document, variables = data.draw(operations(await ids_of(world), audited=audited), label="operation")
    await same_either_way(world, LOGINS[role], document, variables)


async def test_the_suite_wide_differential_mode_notices_an_answer_plans_change(monkeypatch):
    """``CORPCARE_PLAN_DIFFERENTIAL=1`` (``tests/plan_differential.py``) fails on a changed answer,
    counts the same errors in another order apart, and leaves mutations alone."""
    monkeypatch.setattr(plan_differential, "TALLY", plan_differential.Tally())
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    answers = {
        "1": ExecutionResult({"a": 1}, [GraphQLError("x", path=["a"]), GraphQLError("y", path=["b"])]),
        "0": ExecutionResult({"a": 1}, [GraphQLError("y", path=["b"]), GraphQLError("x", path=["a"])]),
    }
    executed: list[str] = []

    def execute(_schema: Any, _document: Any, **_kwargs: Any) -> ExecutionResult:
        executed.append(os.environ["CORPCARE_COMPILED_PLANS"])
        return answers[executed[-1]]

    both = plan_differential.compared(execute)
    first = await both(None, parse("{ a b }"), context_value=None, middleware=None)
    assert first is answers["1"] and executed == ["1", "0"] and os.environ["CORPCARE_COMPILED_PLANS"] == "1"
    tally = plan_differential.TALLY
    assert (tally.compared, tally.reordered, tally.differences) == (1, 1, [])
    answers["0"] = ExecutionResult({"a": 2}, answers["1"].errors)
    await both(None, parse("query { a }"), context_value=None, middleware=None)
    assert len(tally.differences) == 1 and b'{"a":2}' in str(tally.differences[0]).encode()
    executed.clear()
    both(None, parse("mutation { a }"), context_value=None, middleware=None)
    assert executed == ["1"] and tally.compared == 2
