"""A plan's leaves answer exactly what graphql-core's ``coerce_output_value`` answers, value for
value, or miss where graphql-core would not answer a value (an error, a null): for each leaf type
of the schema, over edge values and any value Hypothesis makes; and global ids are the ids
``core.ids`` makes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from graphql import GraphQLBoolean, GraphQLFloat, GraphQLID, GraphQLInt, GraphQLString, Undefined
from hypothesis import given, settings
from hypothesis import strategies as st

from core.ids import to_global_id
from engine.build import build_schema
from engine.plans import global_ids, leaves
from engine.plans.global_ids import global_id
from engine.plans.leaves import leaf, leaf_field
from engine.plans.steps import object_

TYPES = build_schema()._schema.type_map
ENUM = TYPES["LineStatus"]
SCHEMA_LEAVES = [GraphQLString, GraphQLID, GraphQLBoolean, GraphQLInt, GraphQLFloat, *(
    TYPES[name] for name in ("Date", "DateTime", "Decimal", "Month", "LineStatus", "ServiceKind")
)]  # fmt: skip
MISSED = object()


class Other(enum.Enum):
    ACTIVE = "active"


EDGES: list[Any] = [
    "", "é", "1", True, False, 0, 1, -1, 2**31 - 1, 2**31, -(2**31), -(2**31) - 1, 2**63, -(2**80),
    0.0, -0.0, 1.5, 1e300, float("nan"), float("inf"), float("-inf"), 3.0,
    Decimal("0"), Decimal("-0"), Decimal("1E+2"), Decimal("1.50"), Decimal("0.000001"), Decimal("1E-7"),
    Decimal("NaN"), Decimal("-Infinity"), Decimal("123456789012345678901234567890.12"),
    date(2026, 1, 1), date(1, 1, 1), datetime(2026, 1, 1, 12, 30), datetime(2026, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    datetime(2026, 6, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=-3, minutes=-30))), time(12, 0),
    *ENUM.wrapped_cls, Other.ACTIVE, "ACTIVE", "active", [1], {"a": 1}, b"x",
]  # fmt: skip


def graphql_core(type_: Any, value: Any, non_null: bool) -> Any:
    """What graphql-core answers for ``value`` (``MISSED`` where it reports an error instead)."""
    if value is None:
        return MISSED if non_null else None
    try:
        answer = type_.coerce_output_value(value)
    except Exception:
        return MISSED
    return MISSED if answer is None or answer is Undefined else answer


def as_answered(answer: Any) -> tuple[type[Any], str]:
    return answer.__class__, repr(answer)  # -0.0 is not 0.0, nor 1 True


@dataclass
class Record:
    value: Any


def planned(type_: Any, value: Any, non_null: bool) -> tuple[Any, Any]:
    """The leaf's answer given (a list's item) and read off an object (a field), or ``MISSED``."""
    given_leaf = leaf(type_, non_null)
    field = leaf_field("value.value", type_, non_null, "_0")
    read_off = object_(None, (("x", field),), False)
    answers = []
    for complete in (lambda: given_leaf(value, [0], None), lambda: read_off(Record(value), [0], None)["x"]):
        try:
            answers.append(complete())
        except Exception:  # a Miss, or graphql-core's own error: the item is left to graphql-core
            answers.append(MISSED)
    return answers[0], answers[1]


def check(type_: Any, value: Any) -> None:
    for non_null in (True, False):
        expected = graphql_core(type_, value, non_null)
        for answer in planned(type_, value, non_null):
            if expected is MISSED:
                assert answer is MISSED, (type_, value)
            else:
                assert as_answered(answer) == as_answered(expected), (type_, value)


@pytest.mark.parametrize("type_", SCHEMA_LEAVES, ids=lambda t: t.name)
@pytest.mark.parametrize("value", [None, *EDGES], ids=repr)
def test_a_leaf_is_answered_as_graphql_core_answers_it(type_, value):
    check(type_, value)


VALUES = (
    st.none()
    | st.text()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.decimals(allow_nan=True, allow_infinity=True)
    | st.dates()
    | st.datetimes(timezones=st.none() | st.timezones())
    | st.sampled_from(list(ENUM.wrapped_cls))
    | st.sampled_from([member.value for member in ENUM.wrapped_cls])
)


@settings(max_examples=300, deadline=None)
@given(value=VALUES)
def test_any_value_is_answered_by_every_leaf_as_graphql_core_answers_it(value):
    for type_ in SCHEMA_LEAVES:
        check(type_, value)


SHORT_WAY = [
    ("String", "é"), ("ID", "1"), ("Boolean", False), ("Int", -(2**31)), ("Int", 2**31 - 1), ("Float", -0.0),
    ("Float", 1e300), ("Date", date(2026, 2, 28)), ("DateTime", datetime(2026, 2, 28, 1, 2, 3, 4, tzinfo=UTC)),
    ("Decimal", Decimal("1E+2")), ("LineStatus", ENUM.wrapped_cls("suspended")), ("LineStatus", "suspended"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "value"), SHORT_WAY, ids=repr)
def test_the_schemas_leaves_answer_a_value_of_their_own_class_the_short_way(name, value):
    # Were the short way missing or always failing, coerce_output_value would still answer exactly,
    # and as slowly as before: here it may not be asked.
    def graphql_cores_way(value: Any) -> Any:
        raise AssertionError(f"{value!r} went the long way")

    type_ = TYPES[name]
    for non_null in (True, False):
        field = leaf_field("value.value", type_, non_null, "_0")
        field.names["slow_0"] = graphql_cores_way
        answer = object_(None, (("x", field),), False)(Record(value), [0], None)["x"]
        assert as_answered(answer) == as_answered(type_.coerce_output_value(value))


class Flags(enum.Flag):
    A = 1
    B = 2


def test_an_enum_whose_members_are_not_all_listed_takes_graphql_cores_way():
    from strawberry.schema.schema_converter import CustomGraphQLEnumType

    definition = ENUM.extensions["strawberry-definition"]
    flags = CustomGraphQLEnumType(definition, "Flags", {"A": Flags.A, "B": Flags.B})
    flags.wrapped_cls = Flags
    assert leaf_field("value.x", flags, True, "_0").expression == "slow_0(value.x)"


@dataclass
class Node:
    id: Any


KEYS = st.integers() | st.text() | st.booleans() | st.floats(allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(type_name=st.text(min_size=1), keys=st.lists(KEYS, max_size=5))
def test_a_global_id_is_the_id_core_ids_makes(type_name, keys):
    encode = global_id(type_name)
    for key in [*keys, *keys]:  # the second time from what was remembered
        assert encode(Node(key)) == to_global_id(type_name, key)


def test_ids_of_keys_equal_to_an_int_are_not_taken_for_its_id():
    encode = global_id("Subscriber")
    assert encode(Node(1)) == to_global_id("Subscriber", 1)
    assert encode(Node(True)) == to_global_id("Subscriber", True) != encode(Node(1))
    assert encode(Node(1.0)) == to_global_id("Subscriber", 1.0)


def test_ids_past_the_remembered_are_encoded_afresh(monkeypatch):
    monkeypatch.setattr(global_ids, "REMEMBERED", 2)
    encode = global_id("OrgUnit")
    assert [encode(Node(key)) for key in (10, 11, 12, 10)] == [to_global_id("OrgUnit", key) for key in (10, 11, 12, 10)]


def test_a_dates_text_is_kept_by_the_date_and_past_the_kept_made_afresh(monkeypatch):
    monkeypatch.setattr(leaves, "DATES_KEPT", 2)
    monkeypatch.setattr(leaves, "_DATES", {})
    field = leaf_field("value.value", TYPES["Date"], True, "_0")
    read_off = object_(None, (("x", field),), False)
    days = [date(2026, 1, 1), date(2026, 1, 2), date(2026, 1, 3), date(2026, 1, 1)]
    assert [read_off(Record(day), [0], None)["x"] for day in days] == [day.isoformat() for day in days]
    assert {date(2026, 1, 3): "2026-01-03", date(2026, 1, 1): "2026-01-01"} == leaves._DATES
