"""Read operations generated from the schema for the plans' differential test: fields with their
arguments (constants and variables, including the relations keyed by them), named and inline
fragments, aliases and fields asked twice under one response name, ``@include``/``@skip`` with
variables, lists nested in lists, and single objects asked by id (``node``/``nodes``) with ids of
the caller's company, of others, unknown and garbage.

Every document is valid and its values fit their types (sometimes a value the resolver refuses,
such as a page too large), so that the answers hold data and errors.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLUnionType,
    parse,
    validate,
)
from graphql.pyutils import Undefined
from hypothesis import strategies as st

from core.values import add_months, month_start
from engine.build import build_schema
from tests.support import today

SCHEMA = build_schema()._schema
# Cursors are never random strings, and ``last`` asks for the end of a list no test world is
# short of: left out, as the fuzzer leaves out ``after`` (tests/api/engine/fuzzing.py).
SKIPPED_ARGUMENTS = frozenset({"after", "before", "last"})
# A report's moment: two answers, each read at its own moment, differ in it whatever the path.
SKIPPED_FIELDS = frozenset({"asOf"})
MAX_DEPTH = 4  # objects below the root field
INTS = {
    "first": [0, 1, 2, 3, 5, 20, 50, 1000],  # 1000: larger than a page may be
    "percent": [0, 10, 50],
    "factor": [1, 2, 5],
    "months": [1, 3, 6],
    "unitDepth": [0, 1, 2, 3],
}
STRINGS = ["", "a", "Sales", "EUR", "%"]


@dataclass
class Operation:
    """A document being written: its variables (definitions and values) and named fragments."""

    ids: list[str]
    variables: dict[str, tuple[str, Any]] = field(default_factory=dict)
    fragments: list[str] = field(default_factory=list)
    aliases: int = 0

    def variable(self, type_: Any, value: Any) -> str:
        name = f"v{len(self.variables)}"
        self.variables[name] = (str(type_), value)
        return f"${name}"

    def text(self, selection: str) -> str:
        definitions = ", ".join(f"${name}: {type_}" for name, (type_, _) in self.variables.items())
        head = f"query Generated({definitions})" if definitions else "query Generated"
        return "\n".join([f"{head} {{ {selection} }}", *self.fragments])

    def values(self) -> dict[str, Any]:
        return {name: value for name, (_, value) in self.variables.items()}


def months() -> list[str]:
    this = month_start(today())
    return [add_months(this, -n).strftime("%Y-%m") for n in range(0, 14)]


def _value(draw: Any, type_: GraphQLInputType, name: str, op: Operation) -> Any:
    """A Python value (as a variable carries it) of ``type_``; None only where the type allows it."""
    if isinstance(type_, GraphQLNonNull):
        return _value(draw, type_.of_type, name, op)  # type: ignore[arg-type]
    if isinstance(type_, GraphQLList):
        return [_value(draw, GraphQLNonNull(type_.of_type), name, op) for _ in range(draw(st.integers(0, 3)))]
    if isinstance(type_, GraphQLEnumType):
        return draw(st.sampled_from(sorted(type_.values)))
    if isinstance(type_, GraphQLInputObjectType):
        chosen = {}
        for field_name, input_field in type_.fields.items():
            if isinstance(input_field.type, GraphQLNonNull) or draw(st.integers(0, 2)) == 0:
                chosen[field_name] = _value(draw, input_field.type, field_name, op)
        return chosen
    assert isinstance(type_, GraphQLScalarType)
    kind = type_.name
    if kind == "Month":
        return draw(st.sampled_from([*months()[:4], *months()]))
    if kind == "Int":
        return draw(st.sampled_from(INTS.get(name, [0, 1, 2, 5])))
    if kind == "ID":
        return draw(st.sampled_from(op.ids))
    if kind == "Boolean":
        return draw(st.booleans())
    if kind == "Decimal":
        return draw(st.sampled_from(["0", "10.50", "100"]))
    if kind == "DateTime":
        return draw(st.sampled_from([f"{months()[2]}-01T00:00:00+00:00", f"{months()[0]}-01T12:00:00+02:00"]))
    if kind == "Date":
        return draw(st.sampled_from([f"{months()[1]}-15", str(today())]))
    return draw(st.sampled_from(STRINGS))


def _literal(value: Any, type_: GraphQLInputType) -> str:
    """``value`` written in the document."""
    if isinstance(type_, GraphQLNonNull):
        return _literal(value, type_.of_type)  # type: ignore[arg-type]
    if value is None:
        return "null"
    if isinstance(type_, GraphQLList):
        return "[" + ", ".join(_literal(item, type_.of_type) for item in value) + "]"
    if isinstance(type_, GraphQLEnumType):
        return str(value)
    if isinstance(type_, GraphQLInputObjectType):
        return "{" + ", ".join(f"{k}: {_literal(v, type_.fields[k].type)}" for k, v in value.items()) + "}"
    return json.dumps(value)


def _arguments(draw: Any, definition: GraphQLField, op: Operation) -> str:
    """The field's arguments: every required one, some optional ones; constants or variables."""
    parts = []
    for name, argument in definition.args.items():
        required = isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined
        if name in SKIPPED_ARGUMENTS or not (required or draw(st.booleans())):
            continue
        nullable = not isinstance(argument.type, GraphQLNonNull)
        value = None if nullable and draw(st.integers(0, 5)) == 0 else _value(draw, argument.type, name, op)
        if draw(st.booleans()):
            parts.append(f"{name}: {op.variable(argument.type, value)}")
        else:
            parts.append(f"{name}: {_literal(value, argument.type)}")
    return f"({', '.join(parts)})" if parts else ""


def _named(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def _directive(draw: Any, op: Operation) -> str:
    """Sometimes ``@include``/``@skip``, on a constant or a variable."""
    if draw(st.integers(0, 4)):
        return ""
    name = draw(st.sampled_from(["include", "skip"]))
    condition = draw(st.booleans())
    if draw(st.booleans()):
        return f" @{name}(if: {op.variable(GraphQLNonNull(SCHEMA.type_map['Boolean']), condition)})"  # type: ignore[arg-type]
    return f" @{name}(if: {'true' if condition else 'false'})"


@st.composite
def selection(draw: Any, type_name: str, op: Operation, depth: int = 0) -> str:
    """A selection set's content on ``type_name``."""
    type_ = SCHEMA.type_map[type_name]
    if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
        possible = sorted(t.name for t in SCHEMA.get_possible_types(type_))
        chosen = draw(st.lists(st.sampled_from(possible), min_size=1, max_size=3, unique=True))
        common = "id " if isinstance(type_, GraphQLInterfaceType) and "id" in type_.fields else ""
        inner = " ".join(
            f"... on {name}{_directive(draw, op)} {{ {draw(selection(name, op, depth))} }}" for name in chosen
        )
        return f"__typename {common}{inner}"
    assert isinstance(type_, GraphQLObjectType)
    names = sorted(set(type_.fields) - SKIPPED_FIELDS)
    if depth >= MAX_DEPTH:
        composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
        names = [n for n in names if not isinstance(_named(type_.fields[n].type), composite)]
    chosen = draw(st.lists(st.sampled_from([*names, "__typename"]), min_size=1, max_size=6, unique=True))
    parts = [draw(_field(type_, name, op, depth)) for name in chosen]
    if len(parts) > 1 and draw(st.integers(0, 3)) == 0:  # some of them in a fragment
        cut = draw(st.integers(1, len(parts) - 1))
        inner = " ".join(parts[cut:])
        if draw(st.booleans()):
            fragment = f"F{len(op.fragments)}"
            op.fragments.append(f"fragment {fragment} on {type_name} {{ {inner} }}")
            parts[cut:] = [f"...{fragment}{_directive(draw, op)}"]
        else:
            on = draw(st.sampled_from([f"on {type_name}", ""]))
            parts[cut:] = [f"... {on}{_directive(draw, op)} {{ {inner} }}"]
    return " ".join(parts)


@st.composite
def _field(draw: Any, type_: GraphQLObjectType, name: str, op: Operation, depth: int) -> str:
    """One field with its arguments and its selection; sometimes aliased, and sometimes asked again
    under the same response name (same arguments, another selection: graphql-core merges them)."""
    if name == "__typename":
        return name + _directive(draw, op)
    definition = type_.fields[name]
    head = name + _arguments(draw, definition, op)
    if op.aliases < 25 and draw(st.integers(0, 3)) == 0:
        op.aliases += 1
        head = f"a{op.aliases}: {head}"
    inner = _named(definition.type)
    if not isinstance(inner, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
        once = head + _directive(draw, op)
        return f"{once} {head}" if draw(st.integers(0, 5)) == 0 else once
    text = f"{head}{_directive(draw, op)} {{ {draw(selection(inner.name, op, depth + 1))} }}"
    if draw(st.integers(0, 4)) == 0:
        text += f" {head}{_directive(draw, op)} {{ {draw(selection(inner.name, op, depth + 1))} }}"
    return text


ROOT_FIELDS = sorted(SCHEMA.query_type.fields) if SCHEMA.query_type else []
# The roots the plans answer most (lists of lines, units and bulk operations, objects by id) come
# up more often than the reports.
FAVOURED = ["subscribers", "subscribers", "subscribers", "customer", "customer", "node", "nodes", "nodes",
            "bulkOperations", "viewer"]  # fmt: skip


def operations(ids: list[str], *, audited: bool = False) -> st.SearchStrategy[tuple[str, dict[str, Any]]]:
    """Valid read operations and their variables; ``ids``: the ids their arguments may name.
    (A few drawn are not: inline fragments on two types whose fields of one name differ in type.)
    ``audited``: the caller's reads are audited, so its audit log grows with every read it sends,
    and is not asked for."""
    roots = [root for root in [*FAVOURED, *ROOT_FIELDS] if not (audited and root == "auditLog")]
    return _operations(ids, roots).filter(lambda operation: not validate(SCHEMA, parse(operation[0])))


@st.composite
def _operations(draw: Any, ids: list[str], roots: list[str]) -> tuple[str, dict[str, Any]]:
    op = Operation(ids)
    query = SCHEMA.query_type
    assert query is not None
    chosen = draw(st.lists(st.sampled_from(roots), min_size=1, max_size=2, unique=True))
    parts = [draw(_field(query, root, op, 0)) for root in chosen]
    return op.text(" ".join(parts)), op.values()
