"""The peer benchmark's own logic (bench/postgraphile.py), without npm, Node or PostGraphile:
how two answers are compared, how the ratios and their spread are computed, and that the
documents sent to corpcare are valid for its schema."""

from __future__ import annotations

from datetime import date

import pytest
from graphql import parse, validate

from bench.postgraphile import SHAPES, Ids, alternate, first_difference, leaves, spread
from core.ids import to_global_id
from engine.build import build_schema

CORPCARE = {
    "subscribers": {
        "nodes": [
            {
                "id": to_global_id("Subscriber", 353),
                "status": "ACTIVE",
                "tariffPlan": {"name": "Business M", "monthlyFee": {"amount": "25.00", "currency": "EUR"}},
                "services": [{"monthlyFee": {"amount": "12.00"}, "service": {"code": "DATA-PACK-20"}}],
            },
            {"id": to_global_id("Subscriber", 287), "status": "ACTIVE", "tariffPlan": None, "services": []},
        ]
    }
}
# The same answer as PostGraphile gives it: row keys, the plan behind the line's product (the
# product aliased as tariffPlan), services in a connection.
PEER = {
    "unitLines": {
        "nodes": [
            {
                "id": 353,
                "status": "ACTIVE",
                "tariffPlan": {"plan": {"name": "Business M", "monthlyFee": {"amount": "25.00", "currency": "EUR"}}},
                "services": {"nodes": [{"fee": {"amount": "12.00"}, "service": {"code": "DATA-PACK-20"}}]},
            },
            {"id": 287, "status": "ACTIVE", "tariffPlan": None, "services": {"nodes": []}},
        ]
    }
}


def test_the_same_leaves_in_other_nestings_are_the_same_answer():
    assert leaves(CORPCARE) == leaves(PEER)
    assert leaves(CORPCARE)[:4] == [("id", 353), ("status", "ACTIVE"), ("name", "Business M"), ("amount", "25.00")]
    assert first_difference(leaves(CORPCARE), leaves(PEER)) is None


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("subscribers", "nodes", 0, "tariffPlan", "monthlyFee", "amount"), "25.0", "leaf 3: corpcare"),
        (("subscribers", "nodes", 1, "id"), to_global_id("Subscriber", 288), "leaf 7: corpcare ('id', 288)"),
        (("subscribers", "nodes", 0, "status"), 1, "leaf 1: corpcare ('status', 1)"),
    ],
)
def test_a_value_that_differs_is_found(path, value, expected):
    import copy

    changed = copy.deepcopy(CORPCARE)
    holder = changed
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = value
    difference = first_difference(leaves(changed), leaves(PEER))
    assert difference is not None and difference.startswith(expected), difference


def test_a_renamed_missing_or_reordered_leaf_is_found():
    first, second = CORPCARE["subscribers"]["nodes"]
    renamed = {"subscribers": {"nodes": [{("state" if k == "status" else k): v for k, v in first.items()}, second]}}
    assert first_difference(leaves(renamed), leaves(PEER)) == (
        "leaf 1: corpcare ('state', 'ACTIVE'), PostGraphile ('status', 'ACTIVE')"
    )
    shorter = {"subscribers": {"nodes": CORPCARE["subscribers"]["nodes"][:1]}}
    assert first_difference(leaves(shorter), leaves(PEER)) == "corpcare has 7 leaves, PostGraphile 10"
    swapped = {"subscribers": {"nodes": CORPCARE["subscribers"]["nodes"][::-1]}}
    assert first_difference(leaves(swapped), leaves(PEER)) == "leaf 0: corpcare ('id', 287), PostGraphile ('id', 353)"


def test_the_spread_is_the_lowest_and_highest_ratio_of_one_rounds_medians():
    ours = [[10.0, 30.0, 20.0], [40.0, 40.0, 50.0]]
    theirs = [[5.0, 5.0, 100.0], [10.0, 20.0, 30.0]]
    assert spread(ours, theirs) == (2.0, 4.0)
    with pytest.raises(ValueError):
        spread(ours, theirs[:1])


def test_the_first_server_alternates_from_round_to_round():
    order: list[str] = []
    for turn in range(3):
        alternate(lambda: order.append("corpcare"), lambda: order.append("peer"), turn)
    assert order == ["corpcare", "peer", "peer", "corpcare", "corpcare", "peer"]


def test_the_corpcare_documents_are_valid_for_its_schema_and_their_variables_complete():
    schema = build_schema()._schema
    ids = Ids(customer=1, unit=12, line=353, today=date(2026, 12, 3))
    for shape in SHAPES:
        document = parse(shape.corpcare)
        assert validate(schema, document) == [], shape.name
        declared = {v.variable.name.value for op in document.definitions for v in op.variable_definitions or ()}
        assert set(shape.corpcare_variables(ids)) == declared, shape.name
        peer_declared = {
            v.variable.name.value for op in parse(shape.peer).definitions for v in op.variable_definitions or ()
        }
        assert set(shape.peer_variables(ids)) == peer_declared, shape.name
    line_in_full = next(shape for shape in SHAPES if shape.name == "line_in_full")
    assert line_in_full.corpcare_variables(ids)["month"] == "2026-11"
    assert line_in_full.peer_variables(ids) == {
        "line": 353,
        "period": "2026-12-01",
        "since": "2026-11-01T00:00:00Z",
        "until": "2026-12-01T00:00:00Z",
    }
