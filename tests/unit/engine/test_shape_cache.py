"""An operation's first measure is kept (engine/shape_cache.py) by its parsed document, the
caller's permissions, its variables and the default page size: each of them changes what is kept,
and the cache holds no more than its bound."""

from __future__ import annotations

from collections import OrderedDict

import pytest
from graphql import FieldNode, FragmentDefinitionNode, GraphQLSchema, Node, OperationDefinitionNode, parse

from engine import shape_cache
from engine.build import build_schema
from engine.cost import measure
from engine.shape_cache import canonical, first_measure
from permissions.roles import ROLE_PERMISSIONS, Role

PAGE = 50
LINES = "query($n: Int) { subscribers(first: $n) { nodes { id msisdn employeeName } } }"
ADMIN = ROLE_PERMISSIONS[Role.CUSTOMER_ADMIN]
ANALYST = ROLE_PERMISSIONS[Role.ANALYST]


@pytest.fixture(autouse=True)
def empty(monkeypatch: pytest.MonkeyPatch) -> OrderedDict:
    kept: OrderedDict = OrderedDict()
    monkeypatch.setattr(shape_cache, "_kept", kept)
    return kept


@pytest.fixture
def schema() -> GraphQLSchema:
    return build_schema()._schema


def parsed(document: str) -> tuple[OperationDefinitionNode, dict[str, FragmentDefinitionNode]]:
    definitions = parse(document).definitions
    operation = next(d for d in definitions if isinstance(d, OperationDefinitionNode))
    return operation, {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}


def visited(node: Node) -> list[Node]:
    """Every node under ``node``, itself included."""
    found = [node]
    for key in node.keys:
        value = getattr(node, key)
        for child in value if isinstance(value, tuple | list) else (value,):
            if isinstance(child, Node):
                found += visited(child)
    return found


def test_the_same_document_with_other_variables_costs_what_they_say(schema, empty):
    operation, fragments = parsed(LINES)
    _, five = first_measure(schema, operation, fragments, {"n": 5}, PAGE, ADMIN)
    _, forty = first_measure(schema, operation, fragments, {"n": 40}, PAGE, ADMIN)
    _, default = first_measure(schema, operation, fragments, {}, PAGE, ADMIN)
    assert (five.cost, forty.cost, default.cost) == (1 + 5, 1 + 40, 1 + PAGE)
    assert len(empty) == 3
    # Asked again, each is the kept shape itself, as measure would give it.
    again = first_measure(schema, operation, fragments, {"n": 40}, PAGE, ADMIN)[1]
    assert again is forty
    assert again == measure(schema, operation, fragments, {"n": 40}, PAGE)


def test_the_default_page_size_is_part_of_what_is_kept(schema):
    operation, fragments = parsed(LINES)
    assert first_measure(schema, operation, fragments, {}, PAGE, ADMIN)[1].cost == 1 + PAGE
    assert first_measure(schema, operation, fragments, {}, 20, ADMIN)[1].cost == 1 + 20


def test_other_permissions_are_denied_other_fields(schema):
    operation, fragments = parsed(LINES)
    admin, _ = first_measure(schema, operation, fragments, {"n": 5}, PAGE, ADMIN)
    analyst, _ = first_measure(schema, operation, fragments, {"n": 5}, PAGE, ANALYST)
    assert admin == frozenset()
    fields = [node for node in visited(operation) if isinstance(node, FieldNode)]
    assert analyst == {id(field) for field in fields if field.name.value in ("msisdn", "employeeName")}
    # Asked again with the admin's permissions: nothing denied, whatever the analyst was told.
    assert first_measure(schema, operation, fragments, {"n": 5}, PAGE, ADMIN)[0] == frozenset()


def test_variables_are_keyed_canonically_and_only_when_they_are_plain_json():
    assert canonical({"b": [1, 2], "a": {"y": 1, "x": True}}) == canonical({"a": {"x": True, "y": 1}, "b": [1, 2]})
    assert canonical({"n": 1}) != canonical({"n": 1.0}) != canonical({"n": True})
    assert canonical(None) == canonical({}) == b""
    # A tuple is not a list to the measure, nor an object a mapping: those are measured each time.
    assert canonical({"ids": ("a", "b")}) is None
    assert canonical({"when": object()}) is None
    assert canonical({"ids": ["x" * 100] * 100}) is None  # too long to keep


def test_variables_that_are_not_plain_json_are_measured_and_not_kept(schema, empty):
    operation, fragments = parsed("query($ids: [ID!]!) { nodes(ids: $ids) { id } }")
    _, shape = first_measure(schema, operation, fragments, {"ids": ("a", "b", "c")}, PAGE, ADMIN)
    assert shape == measure(schema, operation, fragments, {"ids": ("a", "b", "c")}, PAGE)
    assert len(empty) == 0


def test_the_least_recently_used_shape_is_dropped_beyond_the_bound(schema, empty, monkeypatch):
    monkeypatch.setattr(shape_cache, "KEPT", 2)
    operation, fragments = parsed(LINES)
    first = first_measure(schema, operation, fragments, {"n": 1}, PAGE, ADMIN)[1]
    second = first_measure(schema, operation, fragments, {"n": 2}, PAGE, ADMIN)[1]
    assert first_measure(schema, operation, fragments, {"n": 1}, PAGE, ADMIN)[1] is first  # used again
    first_measure(schema, operation, fragments, {"n": 3}, PAGE, ADMIN)
    assert len(empty) == 2
    assert first_measure(schema, operation, fragments, {"n": 1}, PAGE, ADMIN)[1] is first
    assert first_measure(schema, operation, fragments, {"n": 2}, PAGE, ADMIN)[1] is not second
