"""The shape of an operation, measured before anything runs: its estimated cost, its depth,
its aliases and directives, and the longest list it passes as input.

Cost: every object a field returns costs 1; scalars cost nothing. A field that returns a
list multiplies everything below it by how many items it may return: a connection's
``first`` (or the default page size), a ``first`` argument elsewhere, the length of an
``ids`` argument, or ``LIST_GUESS`` for small lists whose length no argument says (a unit's
children, a line's services). Fragments count once per place used; variables are read, so
``first: $n`` costs what ``$n`` says.

Work the objects do not show is priced too: a report root field adds what it will compute over
the lines in the caller's scope (``engine/work.py``; the sizes are looked up before the second,
priced walk, see ``report_scopes``), and a list under it holds at most the groups it computes.
Every item of an input list costs ``INPUT_ITEM_POINTS``: it is coerced, and names a line or an
object that is loaded and checked.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    value_from_ast_untyped,
)

from engine.work import REPORTS, Work, report_work, scope_of
from resolvers.report_size import NOTHING, ScopeSize

LIST_GUESS = 10
INPUT_ITEM_POINTS = 1 / 2
# `nodes(ids:)` is for refetching what a screen shows (GitHub allows 100); a long list of lines
# is a bulk selection or a filtered page.
MAX_NODE_IDS = 100
# `_entities(representations:)` is a gateway's batch of one entity type's references for one level of
# its plan (a page of the other subgraph's list): a thousand at most, each costed as an object.
MAX_REPRESENTATIONS = 1_000
ScopeKey = tuple[str | None, str | None]  # (customer, orgUnit) a report reads


@dataclass(frozen=True, slots=True)
class Shape:
    cost: int
    depth: int
    aliases: int
    directives: int = 0
    longest_list: int = 0
    most_ids: int = 0  # the most ids one `nodes` field asks for
    most_representations: int = 0  # the most representations one `_entities` field asks for
    work: int = 0  # of `cost`: what report fields compute and input lists name, beyond the objects
    # The scopes the document's reports read, when they were not given (priced as empty).
    report_scopes: frozenset[ScopeKey] = field(default_factory=frozenset)
    # Each report root field's work, by its key in the response (a report that failed did none).
    reports: tuple[tuple[str, int], ...] = ()

    def work_done(self, data: Any) -> int:
        """The work behind an answer: the input's, and each report's that answered."""
        answered = data if isinstance(data, dict) else {}
        reports = sum(points for key, points in self.reports if answered.get(key) is not None)
        return self.work - sum(points for _, points in self.reports) + reports


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    default_page: int,
    sizes: Mapping[ScopeKey, ScopeSize] | None = None,
    denied: frozenset[int] = frozenset(),
) -> Shape:
    """The operation's shape; reports priced over ``sizes`` (without them, as if their scopes
    were empty, and the scopes to look up are in ``report_scopes``). The fields in ``denied``
    (their nodes' ids) are answered null without running: they cost nothing, and their reports'
    scopes are not looked up."""
    walker = _Walker(schema, fragments, dict(variables or {}), default_page, sizes, denied)
    root = schema.get_root_type(operation.operation)
    cost, depth = walker.selections(root, operation.selection_set, 0) if root else (0, 0)
    walker.directives += len(operation.directives or ())
    longest = max(walker.longest_list, _longest_list(variables or {}))
    work = walker.work + math.ceil(walker.input_items * INPUT_ITEM_POINTS)
    return Shape(
        cost + work, depth, walker.aliases, walker.directives, longest, walker.most_ids,
        walker.most_representations, work, frozenset(walker.scopes) if sizes is None else frozenset(),
        tuple(walker.reports),
    )  # fmt: skip


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: dict[str, Any],
        default_page: int, sizes: Mapping[ScopeKey, ScopeSize] | None, denied: frozenset[int],
    ) -> None:  # fmt: skip
        self.schema, self.fragments, self.variables, self.default_page = schema, fragments, variables, default_page
        self.sizes, self.denied = sizes, denied
        self.aliases = 0
        self.directives = 0
        self.longest_list = 0
        self.most_ids = 0
        self.most_representations = 0
        self.input_items = 0
        self.work = 0
        self.scopes: set[ScopeKey] = set()
        self.reports: list[tuple[str, int]] = []
        self.report: tuple[Any, Work] | None = None  # the report type being walked, and its work

    def selections(self, parent: Any, selection_set: SelectionSetNode | None, depth: int) -> tuple[int, int]:
        """(cost, deepest field level) of a selection set at ``depth``."""
        if selection_set is None:
            return 0, depth
        total, deepest = 0, depth
        for selection in selection_set.selections:
            self.directives += len(selection.directives or ())
            if isinstance(selection, FieldNode):
                cost, reached = self.field(parent, selection, depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                cost, reached = self.selections(inner, selection.selection_set, depth)
            elif isinstance(selection, FragmentSpreadNode) and (fragment := self.fragments.get(selection.name.value)):
                inner = self.schema.get_type(fragment.type_condition.name.value)
                cost, reached = self.selections(inner, fragment.selection_set, depth)
            else:
                continue
            total += cost
            deepest = max(deepest, reached)
        return total, deepest

    def field(self, parent: Any, node: FieldNode, depth: int) -> tuple[int, int]:
        if node.alias is not None:
            self.aliases += 1
        if id(node) in self.denied:
            return 0, depth
        fields = getattr(parent, "fields", None)
        field: GraphQLField | None = fields.get(node.name.value) if fields else None
        if field is None or not is_composite_type(get_named_type(field.type)):
            return 0, depth
        named = get_named_type(field.type)
        arguments = {arg.name.value: self.value(arg.value) for arg in node.arguments or ()}
        self.longest_list = max(self.longest_list, _longest_list(arguments))
        self.input_items += _items(arguments)
        if node.name.value == "nodes" and parent is self.schema.query_type and isinstance(arguments.get("ids"), list):
            self.most_ids = max(self.most_ids, len(arguments["ids"]))
        if parent is self.schema.query_type and isinstance(representations := arguments.get("representations"), list):
            self.most_representations = max(self.most_representations, len(representations))
        if parent is self.schema.query_type and node.name.value in REPORTS:
            return self.report_field(field, node, arguments, depth)
        inner, deepest = self.selections(named, node.selection_set, depth)
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            # The connection itself, then its page: its nodes and edges hold up to `first` (or
            # `last`) items; a report's rows no more than the groups it computes.
            page = _page(arguments, self.default_page)
            if self.report is not None and parent is self.report[0]:
                work = self.report[1]
                asked = _asked(arguments)
                page = min(work.rows, asked) if asked is not None else work.listed
            return 1 + page * inner, deepest
        if _is_list(field.type):
            # Inside a connection the page size is already counted.
            length = 1 if getattr(parent, "name", "").endswith("Connection") else _length(arguments)
            if self.report is not None and parent is self.report[0] and node.name.value != "totals":
                # A report's rows (its totals are one per currency): no more than the groups it
                # computes, nor than its `first`.
                work = self.report[1]
                first = arguments.get("first")
                length = min(work.rows, first) if isinstance(first, int) and _is_count(first) else work.listed
            return length * (1 + inner), deepest
        return 1 + inner, deepest

    def report_field(
        self, field: GraphQLField, node: FieldNode, arguments: dict[str, Any], depth: int
    ) -> tuple[int, int]:
        """A report root field: its objects, with its lists sized by its groups, and its work."""
        named = get_named_type(field.type)
        key = scope_of(arguments)
        if self.sizes is None:
            self.scopes.add(key)
        work = report_work(node.name.value, arguments, (self.sizes or {}).get(key, NOTHING))
        self.work += work.points
        self.reports.append(((node.alias or node.name).value, work.points))
        outer, self.report = self.report, (named, work)
        try:
            inner, deepest = self.selections(named, node.selection_set, depth)
        finally:
            self.report = outer
        return (work.listed if _is_list(field.type) else 1) * (1 + inner), deepest

    def value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return value_from_ast_untyped(node, self.variables)


def _page(arguments: dict[str, Any], default_page: int) -> int:
    asked = _asked(arguments)
    return default_page if asked is None else asked


def _asked(arguments: dict[str, Any]) -> int | None:
    """The page size an argument asks for: ``first``, else ``last`` (both given: the smaller)."""
    sizes = [arguments[name] for name in ("first", "last") if _is_count(arguments.get(name))]
    return min(sizes) if sizes else None


def _length(arguments: dict[str, Any]) -> int:
    if isinstance(arguments.get("ids"), list):
        return len(arguments["ids"])
    if isinstance(arguments.get("representations"), list):  # `_entities`: one object per representation
        return len(arguments["representations"])
    if isinstance(arguments.get("first"), int):
        return max(arguments["first"], 0)
    return LIST_GUESS


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _items(value: Any) -> int:
    """Items of every list anywhere in an input value."""
    return sum(len(values) for values in _lists(value))


def _longest_list(value: Any) -> int:
    """The length of the longest list anywhere in an input value."""
    return max((len(values) for values in _lists(value)), default=0)


# What decoded JSON holds besides lists and objects.
_LEAVES = frozenset({str, int, float, bool, type(None)})


def _lists(value: Any) -> Iterator[list[Any]]:
    """Every list anywhere in an input value, walked without recursion (a hostile variable may be
    nested thousands deep). A list of leaves, such as 100,000 ids, is passed over in C: looking at
    each item in Python would hold the event loop for a tenth of a second."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            yield item
            if not _LEAVES.issuperset(map(type, item)):
                pending.extend(x for x in item if isinstance(x, list | Mapping))
        elif isinstance(item, Mapping):
            pending.extend(x for x in item.values() if isinstance(x, list | Mapping))


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
