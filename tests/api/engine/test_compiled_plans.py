"""Compiled plans change nothing in an answer: every benchmark operation, reads that end in
errors (ids of another company, unknown and garbage ids, a field the role lacks inside a list) and
generated operations answer byte for byte the same with plans on and off, for every role on both
backends — and the plans really answer the big list's items."""

from __future__ import annotations

import collections
from typing import Any

import orjson
import pytest
from graphql import GraphQLEnumType, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLScalarType
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.workload import LINE_QUERY, TARGETS_QUERY, WORKLOAD, Targets
from core.values import add_months, month_start
from engine.build import build_schema
from engine.executor import LevelExecutor
from engine.plans import run as plan_run
from schema.fields import KEYED
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


async def test_the_dashboard_and_the_subscriber_page_lists_are_answered_by_plans(world, monkeypatch):
    aims = await targets(world)
    planned: collections.Counter[str] = collections.Counter()
    missed: list[Any] = []
    complete_chunk, fallback = plan_run.complete_chunk, LevelExecutor.complete_list_item_value

    def counting(run: Any, start: int, stop: int) -> None:
        planned[".".join(str(key) for key in run.path.as_list())] += stop - start
        complete_chunk(run, start, stop)

    def missing(executor: Any, item: Any, results: list[Any], *args: Any) -> bool:
        missed.append(args[3].as_list())
        return bool(fallback(executor, item, results, *args))

    monkeypatch.setattr(plan_run, "complete_chunk", counting)
    monkeypatch.setattr(LevelExecutor, "complete_list_item_value", missing)
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    expected = {
        "dashboard": ("subscribers.edges", "customer.orgRoot.children"),
        "subscriber_page": ("subscribers.nodes",),
    }
    for name, lists in expected.items():
        operation = next(operation for operation in WORKLOAD if operation.name == name)
        planned.clear()
        data = await world.data(operation.login, operation.document, operation.variables(aims))
        assert set(planned) == set(lists), name
        assert planned[lists[0]] == len(data["subscribers"][lists[0].split(".")[1]]) > 1
        below = [path for path in missed if ".".join(str(k) for k in path if isinstance(k, str)).startswith(lists)]
        assert below == []  # no item, and no item of a list below them, went through graphql-core


async def test_a_field_the_role_lacks_inside_a_list_is_refused_the_same_with_plans_on_and_off(world, analyst):
    data, errors = await same_either_way(world, analyst, PAGE, {"yes": True})
    assert {error["extensions"]["code"] for error in errors} == {"FORBIDDEN"}
    assert data["subscribers"]["nodes"][0]["msisdn"] is None


@pytest.mark.parametrize("role", ROLES)
async def test_the_big_list_of_two_thousand_lines_answers_the_same_with_plans_on_and_off(large_world, role):
    await same_either_way(large_world, LOGINS[role], BIG.document)


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


SCHEMA = build_schema()._schema
# Lists of objects to start from: (the start of the document, the list's item type, its end).
ROOTS = (
    ("{ subscribers(first: SIZE) { nodes {", "Subscriber", "} } }"),
    ("{ bulkOperations(first: SIZE) { nodes {", "BulkOperation", "} } }"),
    ("{ customer { orgRoot { children {", "OrgUnit", "} } } }"),
)
EXAMPLES = 50


def _without_arguments(definition: Any) -> bool:
    return not definition.args or KEYED in (definition.extensions or {})


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


@st.composite
def selections(draw: Any, type_name: str, depth: int = 0) -> str:
    """Fields of ``type_name`` asked without arguments (sometimes aliased, under @include or @skip,
    or __typename), objects below it to depth 3; relations keyed by arguments with their defaults."""
    type_ = SCHEMA.type_map[type_name]
    names = sorted(name for name, definition in type_.fields.items() if _without_arguments(definition))
    chosen = draw(st.lists(st.sampled_from([*names, "__typename"]), min_size=3, max_size=10, unique=True))
    parts = []
    for name in chosen:
        part = name
        if draw(st.booleans()) and draw(st.booleans()):
            part = f"{name.lower()}Alias: {name}"
        if draw(st.integers(0, 5)) == 0:
            part += " @include(if: true)" if draw(st.booleans()) else " @include(if: false)"
        if name != "__typename":
            inner = _named(type_.fields[name].type)
            if isinstance(inner, GraphQLObjectType):
                if depth >= 2:
                    continue
                part += f" {{ {draw(selections(inner.name, depth + 1))} }}"
            elif not isinstance(inner, GraphQLScalarType | GraphQLEnumType):
                part += " { __typename }"
        parts.append(part)
    return " ".join(parts) or "__typename"


@st.composite
def list_operations(draw: Any) -> str:
    start, type_name, end = draw(st.sampled_from(ROOTS))
    size = draw(st.sampled_from([2, 3, 50, 100]))
    start = start.replace("SIZE", str(size))
    return f"{start} {draw(selections(type_name))} {end}"


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(role=st.sampled_from(ROLES), document=list_operations())
async def test_generated_selections_over_the_lists_answer_the_same_with_plans_on_and_off(world, role, document):
    await same_either_way(world, LOGINS[role], document)
