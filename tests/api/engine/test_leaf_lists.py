"""Long lists of ids in variables are coerced without visiting each item (engine/leaf_lists.py),
and to exactly what graphql-core makes of them item by item."""

from __future__ import annotations

import importlib
from typing import Any

import graphql
import pytest
from graphql.execution import values as variable_values
from hypothesis import given, settings
from hypothesis import strategies as st
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext as ItemByItem

from engine.build import build_schema
from engine.executor import LevelExecutor
from engine.leaf_lists import LONG, StandIns

SCHEMA = build_schema()._schema
# The module (graphql.utilities exports a function of the same name).
coercion = importlib.import_module("graphql.utilities.coerce_input_value")
SERVICES_ADD = graphql.parse("""mutation($input: SubscriberServicesInput!) {
  subscriberServicesAdd(input: $input) { wouldApply } }""")
NODES = graphql.parse("query($ids: [ID!]!) { nodes(ids: $ids) { id } }")


def coerced(executor_class: type[ItemByItem], document: graphql.DocumentNode, variables: dict[str, Any]) -> Any:
    built = executor_class.build(SCHEMA, document, raw_variable_values=variables)
    if isinstance(built, list):
        return [error.message for error in built]
    return built.variable_values.coerced


def selection(ids: list[Any]) -> dict[str, Any]:
    return {"input": {"selection": {"ids": ids}, "services": ["U2VydmljZTox"], "dryRun": True}}


@pytest.fixture
def item_coercions(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times graphql-core coerces one input value (any level, any item)."""
    calls: list[int] = []
    original = coercion.coerce_input_value

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(coercion, "coerce_input_value", counting)
    monkeypatch.setattr(variable_values, "coerce_input_value", counting)
    return calls


def test_a_selection_of_100000_ids_is_coerced_to_itself_without_visiting_each_id(item_coercions):
    ids = [f"U3Vic2NyaWJlcjo{n}" for n in range(100_000)]
    values = coerced(LevelExecutor, SERVICES_ADD, selection(ids))
    assert values["input"]["selection"]["ids"] is ids
    assert values["input"]["services"] == ["U2VydmljZTox"] and values["input"]["dryRun"] is True
    assert len(item_coercions) < 20, "graphql-core coerced the ids one by one"
    item_coercions.clear()
    assert coerced(ItemByItem, SERVICES_ADD, selection(ids)) == values
    assert len(item_coercions) > 100_000  # what the stand-in saves


ITEMS = st.one_of(st.text(max_size=3), st.integers(-3, 3), st.none(), st.floats(allow_nan=False), st.booleans())


@settings(max_examples=40, deadline=None)
@given(
    many=st.integers(LONG - 2, LONG + 2),
    odd=st.lists(st.tuples(st.integers(0, LONG + 1), ITEMS), max_size=3),
    as_nodes=st.booleans(),
)
def test_whatever_is_sent_the_answer_is_graphql_cores_own(many, odd, as_nodes):
    """Strings, and the odd int, null, float or boolean among them: the same values or the same
    errors as graphql-core's item-by-item coercion."""
    ids: list[Any] = [f"id{n}" for n in range(many)]
    for at, item in odd:
        if at < len(ids):
            ids[at] = item
    document, variables = (NODES, {"ids": ids}) if as_nodes else (SERVICES_ADD, selection(ids))
    assert coerced(LevelExecutor, document, variables) == coerced(ItemByItem, document, variables)


FILTERED = graphql.parse("query($f: SubscriberFilter, $ids: [ID!]!) { subscribers(filter: $f) { totalCount } "
                         "nodes(ids: $ids) { id } }")  # fmt: skip


def test_an_error_quotes_the_list_not_its_stand_in():
    """A coercion error quotes the value sent: it shows the list, as graphql-core does, and
    never the stand-in (which would let a caller name it)."""
    long = [f"U2VydmljZTo{n}" for n in range(LONG)]
    for variables in ({"f": {"services": long, "bogus": 1}, "ids": []}, {"f": {"services": long}, "ids": None}):
        errors = coerced(LevelExecutor, FILTERED, variables)
        assert errors == coerced(ItemByItem, FILTERED, variables)
        assert isinstance(errors, list) and not any("list-" in message for message in errors), errors


def test_a_stand_in_cannot_be_named_in_advance():
    """Stand-ins are drawn for each request: one seen in an answer names nothing in the next."""
    long = [f"U2VydmljZTo{n}" for n in range(LONG)]
    first, second = StandIns(), StandIns()
    key = first.replace(SCHEMA, FILTERED, None, {"f": {"services": long}, "ids": []})["f"]["services"]
    assert isinstance(key, str) and key in first.lists
    named = {"f": {"services": long}, "ids": [key]}
    stood_in = second.replace(SCHEMA, FILTERED, None, named)
    assert stood_in["ids"] == [key] and key not in second.lists
    values = coerced(LevelExecutor, FILTERED, named)
    assert values["ids"] == [key] and values["f"]["services"] == long  # one id, as sent
