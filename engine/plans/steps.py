"""The closures a plan is made of: one per field of a selection, each ``(value, loads, info)``;
``loads`` holds the run's loaders' ``load`` by slot, and last the count of objects built.

Each does what graphql-core's completion does for its kind of value, or raises ``Miss`` where
it would not be exactly that. Leaves of the built-in ``String``, ``ID``, ``Boolean`` and ``Int``
whose value is already of that exact Python type (an ``int`` within 32 bits) are returned as they
are: graphql-core's ``coerce_output_value`` returns them unchanged. An object's fields are built
by one generated function returning a dict display (no loop, no comprehension frame per object).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from types import CodeType, CoroutineType, GeneratorType
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.pyutils import is_awaitable

from engine.chunked import CHUNK

Step = Callable[[Any, list[Any], Any], Any]
Read = Callable[[Any], Any]  # a value from the parent alone
Getter = Callable[[Any, list[Any]], Any]  # a value from the parent and the request's loads

# The Python type each built-in scalar returns unchanged (graphql-core's serialize_* functions).
_UNCHANGED: dict[GraphQLScalarType, type[Any]] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


class Miss(Exception):
    """This item cannot be answered by the plan exactly as graphql-core would answer it."""


def leaf_value(type_: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> Callable[[Any], Any]:
    """A leaf's value as graphql-core completes it, or ``Miss``."""
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


def read_leaf(read: Read, type_: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> Step:
    """A leaf read off the parent alone."""
    slow = leaf_value(type_, non_null)
    if type_ is GraphQLInt:

        def read_int(source: Any, _loads: list[Any], _info: Any) -> Any:
            value = read(source)
            if value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
                return value
            return slow(value)

        return read_int
    unchanged = _UNCHANGED.get(type_) if isinstance(type_, GraphQLScalarType) else None
    if unchanged is None:
        return lambda source, _loads, _info: slow(read(source))

    def read_unchanged(source: Any, _loads: list[Any], _info: Any) -> Any:
        value = read(source)
        if value.__class__ is unchanged:
            return value
        return slow(value)

    return read_unchanged


def leaf(type_: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> Step:
    """A leaf whose value is given (an item of a list, a loaded value)."""
    complete = leaf_value(type_, non_null)
    return lambda value, _loads, _info: complete(value)


def read_field(read: Read, complete: Step) -> Step:
    def field(source: Any, loads: list[Any], info: Any) -> Any:
        return complete(read(source), loads, info)

    return field


def loaded_field(get: Getter, complete: Step) -> Step:
    def field(source: Any, loads: list[Any], info: Any) -> Any:
        return complete(get(source, loads), loads, info)

    return field


def constant(value: str) -> Step:
    return lambda _source, _loads, _info: value


def one(attribute: str, slot: int) -> Getter:
    """A relation to one: the loaded value for the parent's key."""

    def load_one(source: Any, loads: list[Any]) -> Any:
        key = getattr(source, attribute)
        if key is None:
            return None
        return settled(loads[slot](key))

    return load_one


def many(attribute: str, slot: int) -> Getter:
    """A relation to many: the loaded values for the parent's keys."""

    def load_many(source: Any, loads: list[Any]) -> Any:
        load = loads[slot]
        return [settled(load(key)) for key in getattr(source, attribute)]

    return load_many


def keyed(key_of: Read, slot: int) -> Getter:
    """A relation keyed by a function of the parent (and the field's arguments, already bound)."""

    def load_keyed(source: Any, loads: list[Any]) -> Any:
        # A key that cannot be computed raises: the item is left to graphql-core (``run.py``), whose
        # resolver raises it again and reports it at its path.
        return settled(loads[slot](key_of(source)))

    return load_keyed


def settled(future: Any) -> Any:
    """A load's value, if the load has succeeded already."""
    if not future.done() or future.cancelled() or future.exception() is not None:
        raise Miss
    return future.result()


def object_(is_type_of: Any, fields: tuple[tuple[str, Step], ...], non_null: bool) -> Step:
    """An object: checked as graphql-core checks it, then its fields in the selection's order. The
    objects built are counted in the last slot of ``loads`` (``run.py``: what the operation is charged)."""
    steps = {f"step_{index}": step for index, (_, step) in enumerate(fields)}
    # Response keys are GraphQL names ([_A-Za-z][_0-9A-Za-z]*): their repr is a plain string literal.
    display = ", ".join(f"{key!r}: step_{index}(value, loads, info)" for index, (key, _) in enumerate(fields))
    checked = "\n    if is_type_of(value, info) is not True:\n        raise Miss" if is_type_of is not None else ""
    source = f"""
def complete_object(value, loads, info):
    if value is None:
        {"raise Miss" if non_null else "return None"}
    if value.__class__ not in plain_classes and not plain(value):
        raise Miss{checked}
    loads[-1] += 1
    return {{{display}}}
"""
    namespace = {"Miss": Miss, "plain_classes": _PLAIN, "plain": plain, "is_type_of": is_type_of, **steps}
    exec(_code(source), namespace)
    complete: Step = namespace["complete_object"]
    return complete


@lru_cache(maxsize=1024)
def _code(source: str) -> CodeType:
    """Compiled once per shape of object (about 0.1 ms each), for the plans of every document."""
    return compile(source, "<plan>", "exec")


def list_(item: Step, non_null: bool) -> Step:
    def complete_list(value: Any, loads: list[Any], info: Any) -> Any:
        if value is None:
            if non_null:
                raise Miss
            return None
        # graphql-core's own completion of a long list yields between chunks (engine/chunked.py).
        if value.__class__ is not list or len(value) > CHUNK:
            raise Miss
        return [item(element, loads, info) for element in value]

    return complete_list


# Classes whose every instance is a plain value: not an error, not awaitable, not Undefined.
_PLAIN: set[type[Any]] = set()


def plain(value: Any) -> bool:
    """Whether graphql-core would complete ``value`` as it is (not raise it, not await it)."""
    if isinstance(value, BaseException) or value is Undefined or is_awaitable(value):
        return False
    cls = value.__class__
    # An instance with a __dict__ (or a generator) could be awaitable where another is not.
    if getattr(cls, "__dictoffset__", 1) == 0 and not issubclass(cls, GeneratorType | CoroutineType):
        _PLAIN.add(cls)
    return True
