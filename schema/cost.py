"""The shape of an operation, measured before anything runs: its estimated cost, its depth,
its aliases and directives, and the longest list it passes as input.

Cost: every object a field returns costs 1; scalars cost nothing. A field that returns a
list multiplies everything below it by how many items it may return: a connection's
``first`` (or the default page size), a ``first`` argument elsewhere, the length of an
``ids`` argument, or ``LIST_GUESS`` for small lists whose length no argument says (a unit's
children, a line's services). Fragments count once per place used; variables are read, so
``first: $n`` costs what ``$n`` says.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
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

LIST_GUESS = 10


@dataclass(frozen=True, slots=True)
class Shape:
    cost: int
    depth: int
    aliases: int
    directives: int = 0
    longest_list: int = 0


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Mapping[str, Any] | None,
    default_page: int,
) -> Shape:
    walker = _Walker(schema, fragments, dict(variables or {}), default_page)
    root = schema.get_root_type(operation.operation)
    cost, depth = walker.selections(root, operation.selection_set, 0) if root else (0, 0)
    walker.directives += len(operation.directives or ())
    longest = max(walker.longest_list, _longest_list(variables or {}))
    return Shape(cost, depth, walker.aliases, walker.directives, longest)


class _Walker:
    def __init__(
        self, schema: GraphQLSchema, fragments: Mapping[str, FragmentDefinitionNode], variables: dict[str, Any],
        default_page: int,
    ) -> None:  # fmt: skip
        self.schema, self.fragments, self.variables, self.default_page = schema, fragments, variables, default_page
        self.aliases = 0
        self.directives = 0
        self.longest_list = 0

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
        fields = getattr(parent, "fields", None)
        field: GraphQLField | None = fields.get(node.name.value) if fields else None
        if field is None or not is_composite_type(get_named_type(field.type)):
            return 0, depth
        named = get_named_type(field.type)
        arguments = {arg.name.value: self.value(arg.value) for arg in node.arguments or ()}
        self.longest_list = max(self.longest_list, _longest_list(arguments))
        inner, deepest = self.selections(named, node.selection_set, depth)
        if isinstance(named, GraphQLObjectType) and named.name.endswith("Connection"):
            # The connection itself, then its page: its nodes and edges hold up to `first` items.
            return 1 + _page(arguments, self.default_page) * inner, deepest
        if _is_list(field.type):
            # Inside a connection the page size is already counted.
            length = 1 if getattr(parent, "name", "").endswith("Connection") else _length(arguments)
            return length * (1 + inner), deepest
        return 1 + inner, deepest

    def value(self, node: Any) -> Any:
        if isinstance(node, VariableNode):
            return self.variables.get(node.name.value)
        return value_from_ast_untyped(node, self.variables)


def _page(arguments: dict[str, Any], default_page: int) -> int:
    first = arguments.get("first")
    return first if isinstance(first, int) and first >= 0 else default_page


def _length(arguments: dict[str, Any]) -> int:
    if isinstance(arguments.get("ids"), list):
        return len(arguments["ids"])
    if isinstance(arguments.get("first"), int):
        return max(arguments["first"], 0)
    return LIST_GUESS


def _longest_list(value: Any) -> int:
    """The length of the longest list anywhere in an input value (walked without recursion:
    a hostile variable may be nested thousands deep)."""
    longest, pending = 0, [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            longest = max(longest, len(item))
            pending.extend(x for x in item if isinstance(x, list | Mapping))
        elif isinstance(item, Mapping):
            pending.extend(x for x in item.values() if isinstance(x, list | Mapping))
    return longest


def _is_list(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)
