"""The cost of a document before it runs (engine/cost.py), on a small schema of its own: objects
cost 1, scalars nothing, lists multiply what is below them by their page or ``ids``, fragments
count where they are used, variables are read, and input lists cost by their items."""

from __future__ import annotations

import math

import pytest
from graphql import OperationDefinitionNode, build_schema, parse

from engine.cost import INPUT_ITEM_POINTS, LIST_GUESS, Shape, measure

SCHEMA = build_schema("""
    interface Node { id: ID! }
    type Query {
        viewer: Unit
        node(id: ID!): Node
        nodes(ids: [ID!]!): [Node]!
        lines(first: Int, last: Int, after: String): LineConnection!
    }
    type Unit implements Node { id: ID! name: String children: [Unit!]! lines(first: Int): LineConnection! }
    type Line implements Node { id: ID! name: String unit: Unit }
    type LineConnection { edges: [LineEdge!]! pageInfo: PageInfo! totalCount: Int }
    type LineEdge { cursor: String! node: Line! }
    type PageInfo { hasNextPage: Boolean! }
""")
PAGE = 50


def shape(document: str, variables: dict | None = None) -> Shape:
    parsed = parse(document)
    operation = next(d for d in parsed.definitions if isinstance(d, OperationDefinitionNode))
    fragments = {d.name.value: d for d in parsed.definitions if not isinstance(d, OperationDefinitionNode)}
    return measure(SCHEMA, operation, fragments, variables, PAGE)


@pytest.mark.parametrize(
    ("document", "cost", "depth"),
    [
        ("{ viewer { name } }", 1, 2),
        ("{ viewer { name id } }", 1, 2),  # scalars are free
        ("{ viewer { children { name } } }", 1 + LIST_GUESS, 3),  # a list no argument sizes
        ("{ viewer { children { children { name } } } }", 1 + LIST_GUESS * (1 + LIST_GUESS), 4),
        # a connection: itself, then `first` edges of (edge + node); pageInfo is one object
        ("{ lines(first: 5) { edges { node { name } } } }", 1 + 5 * 2, 4),
        ("{ lines(first: 5) { edges { node { unit { name } } } pageInfo { hasNextPage } } }", 1 + 5 * (3 + 1), 5),
        ("{ lines { edges { node { name } } } }", 1 + PAGE * 2, 4),  # no size: the default page
        ("{ lines(first: 9, last: 3) { edges { cursor } } }", 1 + 3, 3),  # both: the smaller
        ("{ viewer { lines(first: 2) { edges { node { name } } } } }", 1 + (1 + 2 * 2), 5),
    ],
)
def test_objects_cost_one_and_lists_multiply_what_is_below_them(document, cost, depth):
    measured = shape(document)
    assert (measured.cost, measured.depth) == (cost, depth)


def test_variables_are_read_and_fragments_count_once_per_place_used():
    by_variable = shape("query($n: Int) { lines(first: $n) { edges { node { name } } } }", {"n": 7})
    assert by_variable.cost == 1 + 7 * 2
    fragment = "fragment L on LineConnection { edges { node { name } } }"
    twice = shape(fragment + " { a: lines(first: 3) { ...L } b: lines(first: 4) { ...L } }")
    assert twice.cost == (1 + 3 * 2) + (1 + 4 * 2)
    assert twice.aliases == 2
    inline = shape("{ node(id: 1) { ... on Line { unit { children { name } } } } }")
    assert inline.cost == 1 + 1 + LIST_GUESS


def test_an_ids_list_sizes_its_field_and_every_input_item_costs_work():
    ids = [f"id{i}" for i in range(40)]
    measured = shape("query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Line { unit { name } } } }", {"ids": ids})
    work = math.ceil(len(ids) * INPUT_ITEM_POINTS)
    assert measured.work == work
    assert measured.cost == len(ids) * (1 + 1) + work
    assert (measured.most_ids, measured.longest_list) == (40, 40)


def test_directives_and_aliases_are_counted():
    measured = shape("query @a { x: viewer @b { y: name @c } }")
    assert (measured.directives, measured.aliases) == (3, 2)
