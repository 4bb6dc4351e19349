"""Leaves in plans: each leaf type's conversion, chosen once per field, written into the object's
generated code as one conditional expression instead of calls through ``coerce_output_value``.

A value of the one exact class a leaf type answers cheaply takes the short way; every other value
(None, a subclass, an error, anything the type converts or refuses) takes graphql-core's own way
(``leaf_value``), so the answer is exactly graphql-core's. The short ways:

- ``String``, ``ID`` (a ``str``), ``Boolean`` (a ``bool``), ``Int`` (an ``int`` within 32 bits),
  ``Float`` (a finite ``float``): returned as they are, as graphql-core's ``serialize_*`` return them;
- a Strawberry enum (a member of its class): its name, from a table made by asking the type itself
  once per member;
- a Strawberry scalar serialized by ``str`` or by ``isoformat`` (``Decimal``, ``Date``, ``DateTime``)
  of a value of its exact Python class: that same call.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime, time
from math import isfinite
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.type.scalars import GRAPHQL_MAX_INT, GRAPHQL_MIN_INT
from strawberry.schema.types.base_scalars import isoformat

from engine.plans.steps import _PLAIN, Field, Miss, Step, generated, plain

__all__ = ["leaf", "leaf_field", "leaf_value"]

Leaf = GraphQLScalarType | GraphQLEnumType

# The built-in scalars whose serializer returns a value of this class unchanged, and the condition
# (on ``v``) under which it does.
_UNCHANGED: dict[GraphQLScalarType, tuple[type[Any], str]] = {
    GraphQLString: (str, ""),
    GraphQLID: (str, ""),
    GraphQLBoolean: (bool, ""),
    GraphQLInt: (int, f" and {GRAPHQL_MIN_INT} <= v <= {GRAPHQL_MAX_INT}"),
    GraphQLFloat: (float, " and isfinite{suffix}(v)"),
}
_BUILT_IN = frozenset({str, bool, int, float})  # named as they are in the generated code
_ISOFORMAT: tuple[type[Any], ...] = (date, datetime, time)


def leaf_value(type_: Leaf, non_null: bool) -> Callable[[Any], Any]:
    """A leaf's value as graphql-core completes it, or ``Miss``: the way every value may take."""
    coerce = type_.coerce_output_value
    # An enum refuses every value outside its own (an error, an awaitable): no need to look first.
    check = not isinstance(type_, GraphQLEnumType)

    def leaf(value: Any) -> Any:
        if value is None:
            if non_null:
                raise Miss
            return None
        if check and value.__class__ not in _PLAIN and not plain(value):
            raise Miss
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise Miss
        return coerced

    return leaf


def leaf_field(read: str, type_: Leaf, non_null: bool, suffix: str) -> Field:
    """The expression answering a leaf whose value is the Python expression ``read``: the short
    way, else graphql-core's. The objects it names end with ``suffix``, to stay apart from the
    other fields' in the object's code."""
    slow = f"slow{suffix}"
    names: dict[str, Any] = {slow: leaf_value(type_, non_null)}
    if (short := _short_way(type_)) is None:
        return Field(f"{slow}({read})", names)
    cls, answer, condition, used = short
    if cls in _BUILT_IN:
        class_name = cls.__name__
    else:
        class_name = f"cls{suffix}"
        names[class_name] = cls
    names.update({f"{name}{suffix}": value for name, value in used.items()})
    answer, condition = answer.format(suffix=suffix), condition.format(suffix=suffix)
    short_way = f"{answer} if v.__class__ is {class_name}{condition} else {slow}(v)"
    if non_null:
        expression = short_way.replace("v.__class__", f"(v := {read}).__class__", 1)
    else:
        expression = f"None if (v := {read}) is None else {short_way}"
    return Field(f"({expression})", names)


def leaf(type_: Leaf, non_null: bool) -> Step:
    """A leaf whose value is given (an item of a list, a loaded value)."""
    return generated("complete_leaf", leaf_field("value", type_, non_null, ""))


def _short_way(type_: Leaf) -> tuple[type[Any], str, str, dict[str, Any]] | None:
    """(exact class, answer over ``v``, further condition, the objects the answer names)."""
    if isinstance(type_, GraphQLEnumType):
        names = _enum_names(type_)
        return None if names is None else (names[0], "names{suffix}[v]", "", {"names": names[1]})
    if (unchanged := _UNCHANGED.get(type_)) is not None:
        cls, condition = unchanged
        return cls, "v", condition, {"isfinite": isfinite} if cls is float else {}
    definition = (type_.extensions or {}).get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    serialize = type_.coerce_output_value
    if not isinstance(origin, type):
        return None
    if serialize is str:
        return origin, "str(v)", "", {}
    if serialize is isoformat and origin in _ISOFORMAT:
        return origin, "isoformat{suffix}(v)", "", {"isoformat": origin.isoformat}
    return None


def _enum_names(type_: GraphQLEnumType) -> tuple[type[Any], dict[Any, str]] | None:
    """Each member of a Strawberry enum's class and its name, as the type itself names it."""
    members = getattr(type_, "wrapped_cls", None)
    if not isinstance(members, type) or not issubclass(members, enum.Enum) or issubclass(members, enum.Flag):
        return None  # a flag's combinations are members not listed
    try:
        return members, {member: type_.coerce_output_value(member) for member in members}
    except Exception:
        return None
