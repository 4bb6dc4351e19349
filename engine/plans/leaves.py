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
  of a value of its exact Python class: that same call; a ``date``'s text is kept by the date
  (``date_text``).
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

__all__ = ["DATES_KEPT", "date_text", "leaf", "leaf_field", "leaf_value"]

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

# Dates' texts by the date, for the process: the same days recur across rows and requests, and
# ``date.isoformat`` costs about five lookups of a dict. Dates alone: a datetime or a time equals
# one at another offset whose text differs. Up to ``DATES_KEPT`` of them, then it starts afresh.
DATES_KEPT = 16_384
_DATES: dict[date, str] = {}


def date_text(day: date) -> str:
    """``day.isoformat()`` for a ``date`` (exactly), kept in ``_DATES``."""
    if len(_DATES) >= DATES_KEPT:
        _DATES.clear()
    text = _DATES[day] = date.isoformat(day)
    return text


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
    """The expression answering a leaf whose value is the Python expression ``read``: a short way,
    else graphql-core's. The objects it names end with ``suffix``, to stay apart from the other
    fields' in the object's code."""
    slow = f"slow{suffix}"
    names: dict[str, Any] = {slow: leaf_value(type_, non_null)}
    ways = _short_ways(type_)
    if not ways:
        return Field(f"{slow}({read})", names)
    # A null takes none of the short ways (their classes are never NoneType): it is looked at last.
    expression = f"{slow}(v)" if non_null else f"None if v is None else {slow}(v)"
    for index, (cls, answer, condition, used) in reversed(list(enumerate(ways))):
        own = f"{suffix}{'abc'[index]}" if len(ways) > 1 else suffix
        names.update({f"{name}{own}": value for name, value in used.items()})
        if cls in _BUILT_IN:
            class_name = cls.__name__
        else:
            class_name = f"cls{own}"
            names[class_name] = cls
        answer, condition = answer.format(suffix=own, slow=slow), condition.format(suffix=own)
        expression = f"{answer} if v.__class__ is {class_name}{condition} else {expression}"
    expression = expression.replace("v.__class__", f"(v := {read}).__class__", 1)
    return Field(f"({expression})", names)


def leaf(type_: Leaf, non_null: bool) -> Step:
    """A leaf whose value is given (an item of a list, a loaded value)."""
    return generated("complete_leaf", leaf_field("value", type_, non_null, ""))


# A short way: (exact class, answer over ``v``, further condition, the objects they name).
Way = tuple[type[Any], str, str, dict[str, Any]]


def _short_ways(type_: Leaf) -> list[Way]:
    if isinstance(type_, GraphQLEnumType):
        return _enum_ways(type_)
    if (unchanged := _UNCHANGED.get(type_)) is not None:
        cls, condition = unchanged
        return [(cls, "v", condition, {"isfinite": isfinite} if cls is float else {})]
    definition = (type_.extensions or {}).get("strawberry-definition")
    origin = getattr(definition, "origin", None)
    serialize = type_.coerce_output_value
    if not isinstance(origin, type):
        return []
    if serialize is str:
        return [(origin, "str(v)", "", {})]
    if serialize is isoformat and origin is date:
        return [(date, "(dates{suffix}.get(v) or date_text{suffix}(v))", "", {"dates": _DATES, "date_text": date_text})]
    if serialize is isoformat and origin in _ISOFORMAT:
        return [(origin, "isoformat{suffix}(v)", "", {"isoformat": origin.isoformat})]
    return []


def _enum_ways(type_: GraphQLEnumType) -> list[Way]:
    """A member of a Strawberry enum's class, and a ``str`` among the enum's values (a record's
    column, say): their names as the type itself names them, asked once."""
    ways: list[Way] = []
    members = getattr(type_, "wrapped_cls", None)
    listed = isinstance(members, type) and issubclass(members, enum.Enum) and not issubclass(members, enum.Flag)
    # A flag's combinations are members not listed.
    if listed and (names := _names(type_, list(members))) is not None:  # type: ignore[arg-type]
        ways.append((members, "names{suffix}[v]", "", {"names": names}))  # type: ignore[arg-type]
    values = [value.value for value in type_.values.values() if value.value.__class__ is str]
    if values and (names := _names(type_, values)) is not None:
        # Any other str is graphql-core's to refuse, in its own words.
        ways.append((str, "(names{suffix}.get(v) or {slow}(v))", "", {"names": names}))
    return ways


def _names(type_: GraphQLEnumType, values: list[Any]) -> dict[Any, str] | None:
    try:
        names = {value: type_.coerce_output_value(value) for value in values}
    except Exception:
        return None
    return names if all(name.__class__ is str and name for name in names.values()) else None
