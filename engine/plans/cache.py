"""Plans shared by the requests of a process: a list's plan is compiled once per place in a
document and reused by every request that sends the same document again.

A plan depends on the schema, on where the list's fields stand in the document (its nodes, which
the parser cache keeps the same for the same text, and the operation's fragments), on the fields
the caller's role is denied (a denied field leaves the selection to graphql-core), and on the
values of the variables used under the list: ``@include``/``@skip`` decide which fields are
collected, and a relation keyed by its arguments binds them coerced. So a plan is kept by the
list's *shape* (schema, operation, item type, field nodes) and, within the shape, by its
*variant* (the denied fields, and the values of exactly those variables). A plan holds no state
of a request: its loaders are looked up on each run (``run.py``).

A shape keeps its operation and field nodes alive, so that their ids are not reused while the
shape is kept; the least recently used shapes are dropped beyond ``shapes``, and a shape keeps
its ``variants`` most recent variants. A variable value that cannot be hashed is never a key:
that request compiles its own plan, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from graphql import FragmentDefinitionNode, FragmentSpreadNode, GraphQLOutputType, VariableNode, Visitor, visit
from graphql.execution.collect_fields import FieldDetailsList

from engine.plans.compile import Compiler, Plan

__all__ = ["PLANS", "PlanCache"]

_MISSING = object()


class _Shape:
    """One list's place in one document: what keeps its ids alive, the variables used under it,
    and its plans by variant (None where no plan covers the selection)."""

    __slots__ = ("details", "operation", "plans", "variables")

    def __init__(self, operation: Any, details: FieldDetailsList, variables: tuple[str, ...]) -> None:
        self.operation, self.details, self.variables = operation, details, variables
        self.plans: OrderedDict[Any, Plan | None] = OrderedDict()


class PlanCache:
    """Plans by shape and variant, shared by the requests of a process (safe across threads)."""

    def __init__(self, shapes: int = 512, variants: int = 16) -> None:
        self.shapes, self.variants = shapes, variants
        self._shapes: OrderedDict[tuple[Any, ...], _Shape] = OrderedDict()
        self._lock = threading.Lock()

    def plan(self, executor: Any, item_type: GraphQLOutputType, details: FieldDetailsList) -> Plan | None:
        """The plan for the list at ``details`` in ``executor``'s operation, compiled on first use."""
        shape = self._shape(executor, item_type, details)
        variant = _variant(executor, shape.variables)
        if variant is None:
            return Compiler(executor).plan(item_type, details)
        with self._lock:
            plan = shape.plans.get(variant, _MISSING)
            if plan is not _MISSING:
                shape.plans.move_to_end(variant)
                return plan  # type: ignore[return-value]
        plan = Compiler(executor).plan(item_type, details)
        with self._lock:
            shape.plans[variant] = plan
            if len(shape.plans) > self.variants:
                shape.plans.popitem(last=False)
        return plan

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()

    def __len__(self) -> int:
        return len(self._shapes)

    def _shape(self, executor: Any, item_type: GraphQLOutputType, details: FieldDetailsList) -> _Shape:
        operation = executor.operation
        key = (executor.schema, id(operation), item_type, tuple(id(detail.node) for detail in details))
        with self._lock:
            shape = self._shapes.get(key)
            if shape is not None:
                self._shapes.move_to_end(key)
                return shape
        shape = _Shape(operation, details, variables_under(details, executor.fragment_definitions))
        with self._lock:
            shape = self._shapes.setdefault(key, shape)
            if len(self._shapes) > self.shapes:
                self._shapes.popitem(last=False)
        return shape


def _variant(executor: Any, variables: tuple[str, ...]) -> tuple[Any, ...] | None:
    """The denied fields and the values of the variables used under the list; None when a value
    cannot be a key."""
    denied = frozenset(executor.denied) if executor.denied else frozenset()
    if not variables:
        return (denied,)
    coerced = executor.variable_values.coerced
    try:
        values = tuple(_frozen(coerced.get(name, _MISSING)) for name in variables)
        hash(values)
    except TypeError:
        return None
    return (denied, values)


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a coerced value, equal only for values of the same types (so
    ``True`` and ``1`` differ)."""
    if isinstance(value, list | tuple):
        return (list, tuple(_frozen(item) for item in value))
    if isinstance(value, dict):
        return (dict, tuple(sorted((key, _frozen(item)) for key, item in value.items())))
    return (value.__class__, value)


class _Uses(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.variables: dict[str, None] = {}
        self.spreads: list[str] = []

    def enter_variable(self, node: VariableNode, *_: Any) -> None:
        self.variables[node.name.value] = None

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_: Any) -> None:
        self.spreads.append(node.name.value)


def variables_under(details: FieldDetailsList, fragments: dict[str, FragmentDefinitionNode]) -> tuple[str, ...]:
    """The variables used anywhere under the fields' selections, through the fragments they spread."""
    uses = _Uses()
    for detail in details:
        if detail.node.selection_set is not None:
            visit(detail.node.selection_set, uses)
    seen: set[str] = set()
    while uses.spreads:
        name = uses.spreads.pop()
        if name in seen or (fragment := fragments.get(name)) is None:
            continue
        seen.add(name)
        visit(fragment, uses)
    return tuple(uses.variables)


# The process's plans (a subscription's events and every request share them).
PLANS = PlanCache()
