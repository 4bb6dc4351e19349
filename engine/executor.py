"""An executor that resolves the relations of a whole list level at once.

graphql-core completes a list item by item; a relation field on each item returns a loader
future, and every future costs a task and a trip through the event loop — about 100 µs
per object, far more than the database. Relations are declared (``schema.fields.related``),
so before completing a list of objects this executor walks the selection under it, asks
each relation's loader for the keys of all items at once, follows plain object attributes
and the loaded values down the tree, and awaits once per level. The items are then
completed synchronously: their relation resolvers find their futures already done.

The walk is ``engine/prefetch.py``. Once the level's loads are done, the items are completed by a
compiled plan where one covers the selection (``engine/plans/``; ``CORPCARE_COMPILED_PLANS=0``
turns plans off): graphql-core completes the lists no plan covers, and each item a plan cannot
answer exactly. An object at a field (not an item of a list) is prefetched and built by a plan
alike (``single.py``), or else by graphql-core. Plans are compiled once per place of a document,
role and variables used under it, and shared by requests (``cache.py``).

A read's fields the caller's role lacks (``permissions/authorize.py``) are answered null with
their FORBIDDEN error, at their paths: their resolvers never run, and nothing is loaded for them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial
from operator import is_not
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
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
from engine.plans.steps import any_awaitable
from engine.prefetch import prefetch
from permissions.authorize import Denial, denials_of
from request.context import Context


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
            pending = prefetch(self, return_type, field_details_list, [result], info.context, walked=walked)
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
        named = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        awaiting = False  # whether an item is awaitable: asked once, for a long list or a list of objects
        if isinstance(items, list) and (
            len(items) > CHUNK or (isinstance(named, GraphQLObjectType) and len(items) > 1)
        ):
            awaiting = any_awaitable(items, self.is_awaitable)
        if self._long(items, field_details_list, path, awaiting):
            complete = partial(complete_in_chunks, self)  # the loop gets a turn between chunks
        if not (isinstance(named, GraphQLObjectType) and isinstance(items, list) and len(items) > 1):
            return complete(item_type, field_details_list, info, path, items, position_context)
        if self.is_awaitable(items[0]):
            return complete(item_type, field_details_list, info, path, items, position_context)
        if (plan := self._plan(item_type, field_details_list, path, awaiting)) is not None:
            complete = partial(complete_planned, self, plan)
        # A null item of a nullable list has nothing to load.
        present = list(filter(_present, items))
        walked = id(field_details_list) in self.walked
        pending = prefetch(self, named, field_details_list, present, info.context) if present and not walked else None
        if pending is None:
            return complete(item_type, field_details_list, info, path, items, position_context)

        async def complete_after_prefetch() -> Any:
            await pending
            completed = complete(item_type, field_details_list, info, path, items, position_context)
            return await completed if self.is_awaitable(completed) else completed

        return complete_after_prefetch()

    def _plan(self, item_type: GraphQLOutputType, details: FieldDetailsList, path: Path, awaiting: bool) -> Plan | None:
        """The plan for a list's items (``awaiting``: whether one is awaitable), if plans are on and one
        covers their selection."""
        if self.plans is None or awaiting or self.get_stream_usage(details, path) is not None:
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

    def _long(self, items: Iterable[Any], details: FieldDetailsList, path: Path, awaiting: bool) -> bool:
        """A list too long to complete in one go (and not streamed, and not waiting on anything:
        ``awaiting``, whether an item is awaitable)."""
        return (
            isinstance(items, list)
            and len(items) > CHUNK
            and not awaiting
            and self.get_stream_usage(details, path) is None
        )


_present = partial(is_not, None)


def _plans_on() -> bool:
    return os.environ.get("CORPCARE_COMPILED_PLANS", "1") != "0"


def _middleware(executor: LevelExecutor) -> bool:
    """Middleware wraps every resolver, which a plan does not call: graphql-core completes everything."""
    manager = executor.middleware_manager
    return manager is not None and bool(manager.middlewares)


def _shown(error: GraphQLError, stand_ins: StandIns) -> GraphQLError:
    """A variable's coercion error as graphql-core would word it for the value sent."""
    return GraphQLError(stand_ins.shown(error.message), error.nodes, error.source, error.positions, error.path,
                        error.original_error, error.extensions)  # fmt: skip
