"""Plans for completing the objects of a list: every field of the selection compiled once into a
small closure, instead of graphql-core's per-field path (resolve info, path, completion dispatch).

A plan covers only what it can answer exactly as graphql-core would. Fields read a plain attribute,
call a declared function of the parent alone (global ids, computed fields), or read a declared
relation's loader future that the level's prefetch has already settled — a relation keyed by a
function of the parent and the field's arguments too, with the arguments coerced once, as the
prefetch coerces them (``keys.py``); leaves go through the type's own ``coerce_output_value``. A
selection with anything else — arguments of any other field, an interface or union, a denied
field, a hand-written resolver, ``@defer``/``@stream`` or any other directive — gets no plan
(``Uncovered``), and graphql-core completes the whole list. An item the plan cannot answer exactly
(a null where the type forbids it, a value the scalar refuses, a failed or pending load, a key that
cannot be computed, ``is_type_of`` false, a nested list longer than a chunk) raises ``Miss``, and
graphql-core completes that item alone, at its path, with its own errors and null propagation. A
plan never records an error.

The steps themselves are in ``steps.py``. Every step takes ``(value, loads, info)``: ``loads``
holds the request's loaders' ``load`` by the plan's slots (a subscription renews its loaders per
event, so they are looked up per run); ``info`` is the list's, which ``is_type_of`` receives
(corpcare's ignore it).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from keyword import iskeyword
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.collect_fields import FieldDetailsList

from engine.plans import steps
from engine.plans.global_ids import global_id
from engine.plans.keys import key_function, keyed_relation
from engine.plans.leaves import leaf, leaf_field
from engine.plans.steps import Field, Getter, Miss, Read, Step, settle_for
from loaders.base import cached_by_key
from schema.fields import GLOBAL_ID, RELATION

__all__ = ["Compiler", "Miss", "Plan", "Uncovered"]

# Directives graphql-core settles while collecting fields; any other one is left to graphql-core.
_SETTLED = frozenset({"include", "skip"})


class Uncovered(Exception):
    """The selection holds something no plan covers: graphql-core completes the whole list."""


@dataclass(frozen=True, slots=True)
class Plan:
    """Completes one item of the list (``complete(item, loads, info)``, or ``Miss``)."""

    complete: Step
    loaders: tuple[type[Any], ...]  # the loader class of each slot of ``loads``
    memos: int = 0  # the objects answered once per value (``steps.object_``): their dicts follow the loaders'

    def loads(self, context: Any) -> list[Any]:
        """What the steps take as ``loads``: by slot, the request's loader's cache where its futures
        are kept under their keys (``steps.prefetched``), else its ``load``; a fresh dict per memo;
        and last the count of objects built."""
        loads: list[Any] = []
        for kind in self.loaders:
            loader = context.loader(kind)
            loads.append(loader._cache if cached_by_key(kind) else loader.load)
        loads.extend({} for _ in range(self.memos))
        loads.append(0)
        return loads

    def forget(self, loads: list[Any]) -> None:
        """Empty the memos: what they answered is kept no longer than the run of items that built it."""
        for memo in loads[len(self.loaders) : -1]:
            memo.clear()


class Compiler:
    """Compiles the plans of one executor: the fields it collects, the fields it denies."""

    def __init__(self, executor: Any) -> None:
        self.executor = executor
        self.denied: dict[int, Any] = executor.denied or {}
        self.slots: dict[type[Any], int] = {}
        self.memos = 0

    def plan(self, item_type: GraphQLOutputType, details: FieldDetailsList) -> Plan | None:
        try:
            complete = self._complete(item_type, details)
        except (Uncovered, RecursionError):  # a selection nested deeper than Python's stack: graphql-core's
            return None
        return Plan(complete, tuple(self.slots), self.memos)

    def _complete(self, type_: GraphQLOutputType, details: FieldDetailsList, memo: bool = False) -> Step:
        """``memo``: an object at a field (not an item of a list, not the plan's own object), which
        other parents may share."""
        non_null = isinstance(type_, GraphQLNonNull)
        named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            return leaf(named, non_null)
        if isinstance(named, GraphQLList):
            return steps.list_(self._complete(named.of_type, details), non_null)
        if isinstance(named, GraphQLObjectType):
            is_type_of = named.is_type_of
            if is_type_of is not None and inspect.iscoroutinefunction(is_type_of):
                raise Uncovered
            fields = self._fields(named, details)
            slot = None
            if memo:  # counted from the end of ``loads``, before the objects' count (``Plan.loads``)
                slot, self.memos = -2 - self.memos, self.memos + 1
            return steps.object_(is_type_of, fields, non_null, slot)
        raise Uncovered  # interfaces and unions

    def _fields(self, type_: GraphQLObjectType, details: FieldDetailsList) -> tuple[tuple[str, Field], ...]:
        collected = self.executor.collect_subfields(type_, details)
        if collected.new_defer_usages or collected.forbidden_directive_instances:
            raise Uncovered
        fields: list[tuple[str, Field]] = []
        for key, sub in collected.grouped_field_set.items():
            for detail in sub:
                node = detail.node
                if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                    raise Uncovered
                if id(node) in self.denied:
                    raise Uncovered
                if any(directive.name.value not in _SETTLED for directive in node.directives or ()):
                    raise Uncovered
            name = sub[0].node.name.value
            if name == "__typename":
                fields.append((key, Field(repr(type_.name), {})))  # a GraphQL name: a plain literal
                continue
            field_def = type_.fields.get(name)
            if field_def is None:
                raise Uncovered
            if (field_def.args or any(detail.node.arguments for detail in sub)) and keyed_relation(field_def) is None:
                raise Uncovered
            fields.append((key, self._field(field_def, sub, f"_{len(fields)}")))
        return tuple(fields)

    def _field(self, field_def: GraphQLField, details: FieldDetailsList, suffix: str) -> Field:
        """The field's entry in its object's display; the objects it names end with ``suffix``."""
        type_ = field_def.type
        get = self._getter(field_def, details, suffix)
        names: dict[str, Any]
        if isinstance(get, Field):  # a loaded value, read by an expression of its own
            names = get.names | {f"complete{suffix}": self._complete(type_, details, memo=True)}
            return Field(f"complete{suffix}({get.expression}, loads, info)", names, get.read)
        if not isinstance(get, str | tuple):  # a loaded value
            names = {f"get{suffix}": get, f"complete{suffix}": self._complete(type_, details, memo=True)}
            return Field(f"complete{suffix}(get{suffix}(value, loads), loads, info)", names)
        names = {}
        if isinstance(get, str):  # a plain attribute
            read = f"value.{get}"
        else:  # a function of the parent alone
            read = f"read{suffix}(value)"
            names[f"read{suffix}"] = get[0]
        non_null = isinstance(type_, GraphQLNonNull)
        named = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
        if isinstance(named, GraphQLScalarType | GraphQLEnumType):
            field = leaf_field(read, named, non_null, suffix)
            return Field(field.expression, names | field.names)
        names[f"complete{suffix}"] = self._complete(type_, details, memo=True)
        return Field(f"complete{suffix}({read}, loads, info)", names)

    def _getter(
        self, field_def: GraphQLField, details: FieldDetailsList, suffix: str
    ) -> str | tuple[Read] | Getter | Field:
        """A plain attribute's name, a function of the parent alone (in a tuple), a relation's getter,
        or the expression reading a relation to one (its objects named with ``suffix``)."""
        resolve = field_def.resolve
        extensions = field_def.extensions or {}
        if (keyed := keyed_relation(field_def)) is not None:
            key_of = key_function(self.executor, field_def, details)
            if key_of is None:
                raise Uncovered  # arguments that do not coerce: every item's resolver reports it
            return steps.keyed(key_of, self.slots.setdefault(keyed.loader, len(self.slots)), settle_for(keyed.loader))
        relation = extensions.get(RELATION)
        if relation is not None:  # set by schema.fields.fast_resolvers with the relation's resolver
            slot, settle = self.slots.setdefault(relation.loader, len(self.slots)), settle_for(relation.loader)
            if relation.many:
                return steps.many(relation.key, slot, settle)
            return steps.one(relation.key, slot, settle, suffix)
        definition: Any = extensions.get("strawberry-definition")
        if getattr(resolve, "_is_default", False):
            attribute = definition.python_name
            return attribute if attribute.isidentifier() and not iskeyword(attribute) else (attrgetter(attribute),)
        if resolve is not None and getattr(resolve, "_of_parent", False):
            if (node_type := (getattr(definition, "metadata", None) or {}).get(GLOBAL_ID)) is not None:
                return (global_id(node_type),)
            return (lambda source: resolve(source, None),)
        raise Uncovered  # a hand-written resolver
