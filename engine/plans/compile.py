"""Plans for completing the objects of a list: every field of the selection compiled once into a
small closure, instead of graphql-core's per-field path (resolve info, path, completion dispatch).

A plan covers only what it can answer exactly as graphql-core would. Fields read a plain attribute,
call a declared function of the parent alone (global ids, computed fields), or read a declared
relation's loader future that the level's prefetch has already settled; leaves go through the
type's own ``coerce_output_value``. A selection with anything else — arguments, an interface or
union, a denied field, a hand-written resolver, ``@defer``/``@stream`` or any other directive —
gets no plan (``Uncovered``), and graphql-core completes the whole list. An item the plan cannot
answer exactly (a null where the type forbids it, a value the scalar refuses, a failed or pending
load, ``is_type_of`` false, a nested list longer than a chunk) raises ``Miss``, and graphql-core
completes that item alone, at its path, with its own errors and null propagation. A plan never
records an error.

Every step takes ``(value, loads, info)``: ``loads`` holds the request's loaders' ``load`` by the
plan's slots (a subscription renews its loaders per event, so they are looked up per run);
``info`` is the list's, which ``is_type_of`` receives (corpcare's ignore it).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import is_awaitable

from engine.chunked import CHUNK
from schema.fields import RELATION

Step = Callable[[Any, list[Any], Any], Any]
Getter = Callable[[Any, list[Any]], Any]

# Directives graphql-core settles while collecting fields; any other one is left to graphql-core.
_SETTLED = frozenset({"include", "skip"})


class Miss(Exception):
    """This item cannot be answered by the plan exactly as graphql-core would answer it."""


class Uncovered(Exception):
    """The selection holds something no plan covers: graphql-core completes the whole list."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Completes one item of the list (``complete(item, loads, info)``, or ``Miss``)."""

    complete: Step
    loaders: tuple[type[Any], ...]  # the loader class of each slot of ``loads``


class Compiler:
    """Compiles the plans of one executor: the fields it collects, the fields it denies."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.denied: dict[int, Any] = executor.denied or {}
        self.slots: dict[type[Any], int] = {}

    def plan(self, item_type: GraphQLOutputType, details: FieldDetailsList) -> Plan | None:
        try:
            complete = self._complete(item_type, details)
        except Uncovered:
            return None
        return Plan(complete, tuple(self.slots))

    def _complete(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Step:
        non_null = isinstance(type_, GraphQLNonNull)
        named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return _leaf(named, non_null)
        if isinstance(named, GraphQLList):
            return _list(self._complete(named.of_type, details), non_null)
        if isinstance(named, GraphQLObjectType):
            is_type_of = named.is_type_of
            if is_type_of is not None and inspect.iscoroutinefunction(is_type_of):
                raise Uncovered
            return _object(is_type_of, self._fields(named, details), non_null)
        raise Uncovered  # interfaces and unions

    def _fields(self, type_: GraphQLObjectType, details: FieldDetailsList) -> tuple[tuple[str, Step], ...]:
        collected = self.executor.collect_subfields(type_, details)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise Uncovered
        fields: list[tuple[str, Step]] = []
        for key, sub in collected.grouped_field_set.items():
            for detail in sub:
                node = detail.node
                if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                    raise Uncovered
                if id(node) in self.denied or node.arguments:
                    raise Uncovered
                if any(directive.name.value not in _SETTLED for directive in node.directives or ()):
                    raise Uncovered
            name = sub[0].node.name.value
            if name == "__typename":
                fields.append((key, _constant(type_.name)))
                continue
            field_def = type_.fields.get(name)
            if field_def is None or field_def.args:
                raise Uncovered
            fields.append((key, _field(self._getter(field_def), self._complete(field_def.type, sub))))
        return tuple(fields)

    def _getter(self, field_def: GraphQLField) -> Getter:
        resolve = field_def.resolve
        extensions = field_def.extensions or {}
        relation = extensions.get(RELATION)
        if relation is not None:  # set by schema.fields.fast_resolvers with the relation's resolver
            slot = self.slots.setdefault(relation.loader, len(self.slots))
            return _many(relation.key, slot) if relation.many else _one(relation.key, slot)
        if getattr(resolve, "_is_default", False):
            read = attrgetter(extensions["strawberry-definition"].python_name)
            return lambda source, _loads: read(source)
        if resolve is not None and getattr(resolve, "_of_parent", False):
            return lambda source, _loads: resolve(source, None)
        raise Uncovered  # a hand-written resolver


def _field(get: Getter, complete: Step) -> Step:
    def field(source: Any, loads: list[Any], info: Any) -> Any:
        return complete(get(source, loads), loads, info)

    return field


def _constant(value: str) -> Step:
    return lambda _source, _loads, _info: value


def _one(attribute: str, slot: int) -> Getter:
    def one(source: Any, loads: list[Any]) -> Any:
        key = getattr(source, attribute)
        if key is None:
            return None
        return _settled(loads[slot](key))

    return one


def _many(attribute: str, slot: int) -> Getter:
    def many(source: Any, loads: list[Any]) -> Any:
        load = loads[slot]
        return [_settled(load(key)) for key in getattr(source, attribute)]

    return many


def _settled(future: Any) -> Any:
    """A load's value, if the load has succeeded already."""
    if not future.done() or future.cancelled() or future.exception() is not None:
        raise Miss
    return future.result()


def _leaf(type_: GraphQLScalarType | GraphQLEnumType, non_null: bool) -> Step:
    coerce = type_.coerce_output_value
    # An enum refuses every value outside its own (an error, an awaitable): no need to look first.
    check = not isinstance(type_, GraphQLEnumType)

    def leaf(value: Any, _loads: list[Any], _info: Any) -> Any:
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


def _object(is_type_of: Any, fields: tuple[tuple[str, Step], ...], non_null: bool) -> Step:
    def object_(value: Any, loads: list[Any], info: Any) -> Any:
        if value is None:
            if non_null:
                raise Miss
            return None
        if value.__class__ not in _PLAIN and not plain(value):
            raise Miss
        if is_type_of is not None and is_type_of(value, info) is not True:
            raise Miss
        return {key: step(value, loads, info) for key, step in fields}

    return object_


def _list(item: Step, non_null: bool) -> Step:
    def list_(value: Any, loads: list[Any], info: Any) -> Any:
        if value is None:
            if non_null:
                raise Miss
            return None
        # graphql-core's own completion of a long list yields between chunks (engine/chunked.py).
        if value.__class__ is not list or len(value) > CHUNK:
            raise Miss
        return [item(element, loads, info) for element in value]

    return list_


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
