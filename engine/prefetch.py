"""A level's prefetch: every load the selection under a list of objects (or one object) will need,
issued at once before the objects are completed.

The walk follows the selection down: a relation (``schema.fields.related``) asks its loader for
the keys of all objects at once, a relation keyed by the field's arguments
(``engine/plans/keys.py``) for the keys its key function computes, a plain object attribute is
followed into its values; once a relation's values are loaded, the walk goes on below them.
Relations to leaves (counts, say) are loaded last, all levels' together, once the objects they
hang off are loaded — in one batch per loader, as their resolvers would ask for them while the
objects are completed — so that a plan finds them settled. A denied field is answered null: nothing
is loaded for it. A failed load is left for the field's own resolver to report.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from itertools import filterfalse
from operator import attrgetter, is_not, methodcaller
from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType
from graphql.execution.collect_fields import FieldDetailsList

from engine.plans.keys import key_function, keyed_relation
from loaders.base import load_each
from schema.fields import RELATION

__all__ = ["prefetch", "settled"]

Leaves = list[tuple[type[Any], list[Any]]]


def prefetch(
    executor: Any,
    type_: GraphQLObjectType,
    details: FieldDetailsList,
    objects: list[Any],
    context: Any,
    walked: set[int] | None = None,
) -> asyncio.Future[Any] | None:
    """Issue every load the selection under ``objects`` will need; None when nothing waits. The
    places walked (ids of their field details) are added to ``walked``."""
    walk = _Walk(executor, context, walked)
    waits = walk.level(type_, details, objects)
    if waits or walk.leaves:
        return asyncio.ensure_future(walk.then_leaves(waits))
    return None


class _Walk:
    __slots__ = ("below", "context", "executor", "leaves", "walked")

    def __init__(self, executor: Any, context: Any, walked: set[int] | None) -> None:
        self.executor, self.context, self.walked = executor, context, walked
        self.leaves: Leaves = []
        # Whether a selection loads anything below it, by (type, id of its field details).
        self.below: dict[tuple[GraphQLObjectType, int], tuple[FieldDetailsList, bool]] = {}

    def level(self, type_: GraphQLObjectType, details: FieldDetailsList, objects: list[Any]) -> list[Any]:
        """The waits of the loads under ``objects``; the leaves' loads are gathered in ``leaves``."""
        executor = self.executor
        if self.walked is not None:
            self.walked.add(id(details))
        waits: list[Any] = []
        keys_by: dict[tuple[str, bool], list[Any]] = {}  # relations keyed alike (a line's plan, its services)
        for sub_details in executor.collect_subfields(type_, details).grouped_field_set.values():
            name = sub_details[0].node.name.value
            field_def = type_.fields.get(name)
            if field_def is None:
                continue  # __typename
            if executor.denied is not None and executor._denial(sub_details) is not None:
                continue  # answered null: nothing is loaded for it
            sub_type = _object_type(field_def.type)
            relation = (field_def.extensions or {}).get(RELATION)
            keyed = keyed_relation(field_def)
            if relation is not None:
                if (keys := keys_by.get((relation.key, relation.many))) is None:
                    keys = keys_by[relation.key, relation.many] = _keys(objects, relation.key, relation.many)
                loader_class = relation.loader
            elif keyed is not None:
                keys = _computed_keys(objects, key_function(executor, field_def, sub_details))
                loader_class = keyed.loader
            else:
                if (
                    sub_type is not None
                    and getattr(field_def.resolve, "_is_default", False)
                    and self.loads_below(sub_type, sub_details)
                ):
                    attribute = field_def.extensions["strawberry-definition"].python_name
                    children = _flatten(getattr(obj, attribute) for obj in objects)
                    if children and (nested := self.level(sub_type, sub_details, children)):
                        waits.append(asyncio.ensure_future(_all(nested)))
                continue
            if not keys:
                continue
            if sub_type is None and sub_details[0].node.selection_set is None:
                self.leaves.append((loader_class, keys))
                continue
            loader = self.context.loader(loader_class)
            waits.append(self.follow(load_each(loader, keys), sub_type, sub_details))
        return waits

    async def follow(self, futures: list[asyncio.Future[Any]], sub_type: GraphQLObjectType | None,
                     details: FieldDetailsList) -> None:  # fmt: skip
        """Once a relation's values are loaded, the loads below them."""
        await settled(futures)
        if sub_type is None or not self.loads_below(sub_type, details):
            return
        values = _flatten(f.result() for f in futures if not f.cancelled() and f.exception() is None)
        if values and (nested := self.level(sub_type, details, values)):
            await _all(nested)

    def loads_below(self, type_: GraphQLObjectType, details: FieldDetailsList) -> bool:
        """Whether the selection under objects of ``type_`` at ``details`` has anything for
        ``level`` to load: a relation, at once or under objects read from attributes. Where it has
        none, the objects are not walked."""
        key = (type_, id(details))
        if (known := self.below.get(key)) is not None:
            return known[1]
        executor, loads = self.executor, False
        for sub_details in executor.collect_subfields(type_, details).grouped_field_set.values():
            field_def = type_.fields.get(sub_details[0].node.name.value)
            if field_def is None or (executor.denied is not None and executor._denial(sub_details) is not None):
                continue  # __typename; a field answered null
            if (field_def.extensions or {}).get(RELATION) is not None or keyed_relation(field_def) is not None:
                loads = True
            elif (sub_type := _object_type(field_def.type)) is not None and getattr(
                field_def.resolve, "_is_default", False
            ):
                loads = self.loads_below(sub_type, sub_details)
            if loads:
                break
        self.below[key] = (details, loads)  # the details kept, so that their id is not reused
        return loads

    async def then_leaves(self, waits: list[Any]) -> None:
        """The objects' loads, then the leaves' loads the whole tree asked for along the way."""
        if waits:
            await _all(waits)
        loader = self.context.loader
        await settled([future for kind, keys in self.leaves for future in load_each(loader(kind), keys)])


async def settled(futures: list[asyncio.Future[Any]]) -> None:
    """Wait until every load has finished, failed or not. Awaited one by one: a loader settles a
    whole batch at once, so this wakes once per batch, where ``gather`` would wrap and call back
    every future (about 1.5 µs each, thousands per level). The done ones are passed over in C."""
    for future in filterfalse(_done, futures):  # asked lazily: one batch settles many
        try:
            await future
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if task is None or task.cancelling():  # this request is being cancelled, not just the load
                raise
        except Exception:
            pass  # a failed load is left for the field's own resolver to report


async def _all(waits: list[Any]) -> None:
    await asyncio.gather(*waits, return_exceptions=True)


def _object_type(type_: Any) -> GraphQLObjectType | None:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_ if isinstance(type_, GraphQLObjectType) else None


def _keys(objects: list[Any], attribute: str, many: bool) -> list[Any]:
    read = attrgetter(attribute)
    if many:
        return list(dict.fromkeys(key for keys in map(read, objects) if keys for key in keys))
    keys = dict.fromkeys(map(read, objects))
    keys.pop(None, None)  # no key: nothing to load
    return list(keys)


def _computed_keys(objects: list[Any], key_of: Any) -> list[Any]:
    """The keys a relation keyed by a function asks for; a parent whose key cannot be computed has
    none (the field's resolver reports that, at its path)."""
    if key_of is None:
        return []
    keys = []
    for obj in objects:
        try:
            keys.append(key_of(obj))
        except Exception:
            continue
    return list(dict.fromkeys(keys))


_done = methodcaller("done")
_present = partial(is_not, None)


def _flatten(values: Iterable[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list):
            flat.extend(filter(_present, value))
        elif value is not None:
            flat.append(value)
    return flat
