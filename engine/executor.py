"""An executor that resolves the relations of a whole list level at once.

graphql-core completes a list item by item; a relation field on each item returns a loader
future, and every future costs a task and a trip through the event loop — about 100 µs
per object, far more than the database. Relations are declared (``schema.fields.related``),
so before completing a list of objects this executor walks the selection under it, asks
each relation's loader for the keys of all items at once, follows plain object attributes
and the loaded values down the tree, and awaits once per level. The items are then
completed synchronously: their relation resolvers find their futures already done.

Once the level's loads are done, the items are completed by a compiled plan where one covers the
selection (``engine/plans/``; ``CORPCARE_COMPILED_PLANS=0`` turns plans off): graphql-core completes
the lists no plan covers, and each item a plan cannot answer exactly. An object at a field (not an
item of a list) is prefetched and built by a plan alike (``single.py``), or else by graphql-core.
Plans are compiled once per place of a document, role and variables used under it, and shared by
requests (``cache.py``).

A read's fields the caller's role lacks (``permissions/authorize.py``) are answered null with
their FORBIDDEN error, at their paths: their resolvers never run, and nothing is loaded for them.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterable
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from engine.charging import CountedResult
from engine.chunked import CHUNK, complete_in_chunks
from engine.event_results import RESULTS
from engine.leaf_lists import StandIns
from engine.plans import Plan, complete_planned, single
from engine.plans.cache import PLANS
from engine.plans.keys import key_function, keyed_relation
from permissions.authorize import Denial, denials_of
from request.context import Context
from schema.fields import RELATION


class LevelExecutor(StrawberryGraphQLCoreExecutionContext):
    # The operation's denied fields, by their nodes' ids (each event of a subscription copies them).
    denied: dict[int, Denial] | None = None
    # This operation's plans by (item or object type, id of the list's or object's field details), each
    # kept with the details it was made for (so that id is not reused while the executor lives), as the process's
    # plan cache gave them (engine/plans/cache.py); None when plans are off.
    plans: dict[tuple[GraphQLOutputType, int], tuple[FieldDetailsList, Plan | None]] | None = None
    # The objects built so far, by graphql-core and by plans: what the operation is charged for, when
    # nothing built was dropped again (``engine/charging.py``).
    objects: int = 0
    # The places (ids of field details) whose loads are issued already, while graphql-core completes,
    # synchronously, an object that a plan missed after its level's prefetch.
    walked: frozenset[int] = frozenset()

    @classmethod
    def build(
        cls,
        schema: GraphQLSchema,
        document: DocumentNode,
        root_value: Any = None,
        context_value: Any = None,
        raw_variable_values: dict[str, Any] | None = None,
        operation_name: str | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        # Long lists of ids are coerced without visiting each item (engine/leaf_lists.py).
        stand_ins = StandIns()
        if raw_variable_values:
            raw_variable_values = stand_ins.replace(schema, document, operation_name, raw_variable_values)
        built = super().build(
            schema, document, root_value, context_value, raw_variable_values, operation_name, *args, **kwargs
        )
        if isinstance(built, LevelExecutor) and isinstance(context_value, Context):
            permissions = context_value.principal.permissions
            denials = denials_of(schema, built.operation, built.fragment_definitions, permissions)
            built.denied = {id(denial.node): denial for denial in denials} or None
        if isinstance(built, LevelExecutor) and _plans_on() and not _middleware(built):
            built.plans = {}
        if not stand_ins.lists:
            return built
        if isinstance(built, list):
            return [_shown(error, stand_ins) for error in built]
        values = built.variable_values
        built.variable_values = values._replace(coerced=stand_ins.put_back(values.coerced))
        return built

    def execute_operation(self, serially: bool | None = None) -> Any:
        # A subscription event shared by many subscribers is answered once per view.
        return RESULTS.execute(self, lambda: super(LevelExecutor, self).execute_operation(serially))

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        if self.denied is not None and (denial := self._denial(field_details_list)) is not None:
            return_type = parent_type.fields[field_details_list[0].node.name.value].type  # never __typename
            self.handle_field_error(denial.refusal(), return_type, field_details_list, path)
            return None
        return super().execute_field(parent_type, source, field_details_list, path, position_context)

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._single_plan(return_type, field_details_list, path)
        if plan is None or id(field_details_list) in self.walked:  # no plan, or its loads are issued
            return self._complete_object(plan, return_type, field_details_list, info, path, result, position_context)
        walked: set[int] = set()
        try:
            pending = self._prefetch(return_type, field_details_list, [result], info.context, walked=walked)
        except Exception:  # not the object its type reads (graphql-core reports it in its own words)
            plan, pending = None, None
        if pending is None:
            return self._complete_object(plan, return_type, field_details_list, info, path, result, position_context,
                                         walked)  # fmt: skip

        async def complete_after_prefetch() -> Any:
            await pending
            completed = self._complete_object(plan, return_type, field_details_list, info, path, result,
                                              position_context, walked)  # fmt: skip
            return await completed if self.is_awaitable(completed) else completed

        return complete_after_prefetch()

    def _complete_object(
        self,
        plan: Plan | None,
        return_type: GraphQLObjectType,
        details: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
        walked: set[int] | frozenset[int] = frozenset(),
    ) -> Any:
        """The object built by its plan, else by graphql-core; either way the objects built are counted.
        While graphql-core completes it (a plan that missed: a long list below, a failed load), the
        places its prefetch ``walked`` are not prefetched again."""
        if plan is not None and (built := single.built_by_plan(plan, result, info)) is not None:
            self.objects += built[1]
            return built[0]
        self.objects += 1
        outer = self.walked
        self.walked = outer | walked
        try:
            return super().complete_object_value(return_type, details, info, path, result, position_context)
        finally:
            self.walked = outer

    def build_response(self, data: dict[str, Any] | None) -> Any:
        response = super().build_response(data)
        if type(response) is ExecutionResult and data is not None and not response.errors:
            # No error, so no null propagated: every object built is in the data.
            return CountedResult(response.data, None, response.extensions, objects=self.objects)
        return response

    def _denial(self, details: FieldDetailsList) -> Denial | None:
        assert self.denied is not None
        return next((d for detail in details if (d := self.denied.get(id(detail.node))) is not None), None)

    def complete_iterable_value(
        self,
        item_type: GraphQLOutputType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo,
        path: Path,
        items: Iterable[Any],
        position_context: Any,
    ) -> Any:
        complete = super().complete_iterable_value
        if self._long(items, field_details_list, path):
            complete = partial(complete_in_chunks, self)  # the loop gets a turn between chunks
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if not (isinstance(named, GraphQLObjectType) and isinstance(items, list) and len(items) > 1):
            return complete(item_type, field_details_list, info, path, items, position_context)
        if self.is_awaitable(items[0]):
            return complete(item_type, field_details_list, info, path, items, position_context)
        if (plan := self._plan(item_type, field_details_list, path, items)) is not None:
            complete = partial(complete_planned, self, plan)
        # A null item of a nullable list has nothing to load.
        present = [item for item in items if item is not None]
        walked = id(field_details_list) in self.walked
        pending = self._prefetch(named, field_details_list, present, info.context) if present and not walked else None
        if pending is None:
            return complete(item_type, field_details_list, info, path, items, position_context)

        async def complete_after_prefetch() -> Any:
            await pending
            completed = complete(item_type, field_details_list, info, path, items, position_context)
            return await completed if self.is_awaitable(completed) else completed

        return complete_after_prefetch()

    def _plan(
        self, item_type: GraphQLOutputType, details: FieldDetailsList, path: Path, items: list[Any]
    ) -> Plan | None:
        """The plan for these items, if plans are on and one covers their selection."""
        if self.plans is None or self.get_stream_usage(details, path) is not None:
            return None
        if any(self.is_awaitable(item) for item in items):
            return None
        return self._cached_plan(item_type, details)

    def _single_plan(self, type_: GraphQLObjectType, details: FieldDetailsList, path: Path) -> Plan | None:
        """The plan for one object at a field, if plans are on and one covers its selection. An item
        of a list is left to graphql-core: its list's plan missed it, or none covers the list."""
        if self.plans is None or path.key.__class__ is not str:
            return None
        return self._cached_plan(type_, details)

    def _cached_plan(self, type_: GraphQLOutputType, details: FieldDetailsList) -> Plan | None:
        assert self.plans is not None
        key = (type_, id(details))
        if (cached := self.plans.get(key)) is None:
            cached = self.plans[key] = (details, PLANS.plan(self, type_, details))
        return cached[1]

    def _long(self, items: Iterable[Any], details: FieldDetailsList, path: Path) -> bool:
        """A list too long to complete in one go (and not streamed, and not waiting on anything)."""
        return (
            isinstance(items, list)
            and len(items) > CHUNK
            and self.get_stream_usage(details, path) is None
            and not any(self.is_awaitable(item) for item in items)
        )

    def _prefetch(
        self,
        type_: GraphQLObjectType,
        details: FieldDetailsList,
        objects: list[Any],
        context: Any,
        leaves: list[tuple[type[Any], list[Any]]] | None = None,
        walked: set[int] | None = None,
    ) -> asyncio.Future[Any] | None:
        """Issue every load the selection under ``objects`` will need; None when nothing waits.

        Relations to leaves (counts, say) are loaded last, all levels' together, once the objects
        they hang off are loaded — in one batch per loader, as their resolvers would ask for them
        while the items are completed — so that a plan finds them settled."""
        top = leaves is None
        leaves = [] if leaves is None else leaves
        if walked is not None:
            walked.add(id(details))
        waits: list[Any] = []
        for sub_details in self.collect_subfields(type_, details).grouped_field_set.values():
            name = sub_details[0].node.name.value
            field_def = type_.fields.get(name)
            if field_def is None:
                continue  # __typename
            if self.denied is not None and self._denial(sub_details) is not None:
                continue  # answered null: nothing is loaded for it
            sub_type = _object_type(field_def.type)
            relation = (field_def.extensions or {}).get(RELATION)
            keyed = keyed_relation(field_def)
            if relation is not None:
                keys = _keys(objects, relation.key, relation.many)
                loader_class = relation.loader
            elif keyed is not None:
                keys = _computed_keys(objects, key_function(self, field_def, sub_details))
                loader_class = keyed.loader
            else:
                if sub_type is not None and getattr(field_def.resolve, "_is_default", False):
                    attribute = field_def.extensions["strawberry-definition"].python_name
                    children = _flatten(getattr(obj, attribute) for obj in objects)
                    nested = (
                        self._prefetch(sub_type, sub_details, children, context, leaves, walked) if children else None
                    )
                    if nested is not None:
                        waits.append(nested)
                continue
            if not keys:
                continue
            if sub_type is None and sub_details[0].node.selection_set is None:
                leaves.append((loader_class, keys))
                continue
            loader = context.loader(loader_class)
            futures = [loader.load(key) for key in keys]
            waits.append(self._follow(futures, sub_type, sub_details, context, leaves, walked))
        if top and (waits or leaves):
            return asyncio.ensure_future(_then_leaves(waits, leaves, context))
        return asyncio.ensure_future(_all(waits)) if waits else None

    async def _follow(
        self,
        futures: list[asyncio.Future[Any]],
        sub_type: GraphQLObjectType | None,
        details: FieldDetailsList,
        context: Any,
        leaves: list[tuple[type[Any], list[Any]]],
        walked: set[int] | None,
    ) -> None:
        await _settled(futures)
        if sub_type is None:
            return
        # A failed load is left for the field's own resolver to report.
        values = _flatten(f.result() for f in futures if not f.cancelled() and f.exception() is None)
        if values and (nested := self._prefetch(sub_type, details, values, context, leaves, walked)) is not None:
            await nested


def _plans_on() -> bool:
    return os.environ.get("CORPCARE_COMPILED_PLANS", "1") != "0"


def _middleware(executor: LevelExecutor) -> bool:
    """Middleware wraps every resolver, which a plan does not call: graphql-core completes everything."""
    manager = executor.middleware_manager
    return manager is not None and bool(manager.middlewares)


async def _settled(futures: list[asyncio.Future[Any]]) -> None:
    """Wait until every load has finished, failed or not. Awaited one by one: a loader settles a
    whole batch at once, so this wakes once per batch, where ``gather`` would wrap and call back
    every future (about 1.5 µs each, thousands per level)."""
    for future in futures:
        if future.done():
            continue
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


async def _then_leaves(waits: list[Any], leaves: list[tuple[type[Any], list[Any]]], context: Any) -> None:
    """The objects' loads, then the leaves' loads the whole tree asked for along the way."""
    if waits:
        await _all(waits)
    await _settled([context.loader(kind).load(key) for kind, keys in leaves for key in keys])


def _object_type(type_: Any) -> GraphQLObjectType | None:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_ if isinstance(type_, GraphQLObjectType) else None


def _keys(objects: list[Any], attribute: str, many: bool) -> list[Any]:
    if many:
        return list(dict.fromkeys(key for obj in objects for key in getattr(obj, attribute) or ()))
    return list(dict.fromkeys(key for obj in objects if (key := getattr(obj, attribute)) is not None))


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


def _flatten(values: Iterable[Any]) -> list[Any]:
    flat: list[Any] = []
    for value in values:
        if isinstance(value, list):
            flat.extend(item for item in value if item is not None)
        elif value is not None:
            flat.append(value)
    return flat


def _shown(error: GraphQLError, stand_ins: StandIns) -> GraphQLError:
    """A variable's coercion error as graphql-core would word it for the value sent."""
    return GraphQLError(stand_ins.shown(error.message), error.nodes, error.source, error.positions, error.path,
                        error.original_error, error.extensions)  # fmt: skip
