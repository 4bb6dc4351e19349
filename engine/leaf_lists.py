"""Long lists of ids or strings in an operation's variables, coerced without visiting each item.

graphql-core coerces a variable's value item by item in Python, after walking it once to check
its nesting: for a bulk selection of 100,000 ids that is about a quarter of a second of the
event loop every company shares, in one piece. A list of ``ID`` or ``String`` whose items are
all strings coerces to itself, so such a list (of at least ``LONG`` items) is handed to
graphql-core as one stand-in string — a list type takes a single value as a list of one — and
put back in place of that list of one once the variables are coerced. Every other value,
including a long list with anything but strings in it, is coerced by graphql-core as sent.

A stand-in is random for each request, so nobody can name one in advance (in another variable
or a default) to pass one id for a list the cost and the ``nodes`` limit never saw; and where
graphql-core quotes a value in a coercion error, the stand-in is shown as the list it stands for.
"""

from __future__ import annotations

import secrets
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    type_from_ast,
)
from graphql.pyutils import inspect

LONG = 1_000
_SCALARS = frozenset({"ID", "String"})
_STRINGS = frozenset({str})
_DEEPEST = 32  # input types nest a few levels; graphql-core refuses hostile nesting itself


class StandIns:
    """The long lists of one request's variables, each replaced by a stand-in string."""

    def __init__(self) -> None:
        self.lists: dict[str, list[str]] = {}
        self._prefix = f"list-{secrets.token_hex(16)}-"

    def replace(
        self, schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, raw: dict[str, Any]
    ) -> dict[str, Any]:
        """``raw`` with each long list of strings of a list-of-``ID``/``String`` type stood in for."""
        operation = _operation(document, operation_name)
        if operation is None:
            return raw
        types: dict[str, Any] = {}
        for definition in operation.variable_definitions or ():
            types[definition.variable.name.value] = type_from_ast(schema, definition.type)
        return {
            name: self._replace(value, types[name], 0) if types.get(name) is not None else value
            for name, value in raw.items()
        }

    def put_back(self, coerced: dict[str, Any]) -> dict[str, Any]:
        """The coerced variables with each stand-in's list of one replaced by the list it stood for."""
        return {name: self._put_back(value, 0) for name, value in coerced.items()}

    def shown(self, message: str) -> str:
        """A coercion error's message with each stand-in shown as (the start of) its list."""
        for key, values in self.lists.items():
            message = message.replace(repr(key), inspect(values))
        return message

    def _replace(self, value: Any, type_: GraphQLInputType, depth: int) -> Any:
        if depth > _DEEPEST:
            return value
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList) and isinstance(value, list):
            item = type_.of_type
            named = item.of_type if isinstance(item, GraphQLNonNull) else item
            if len(value) < LONG:
                return [self._replace(v, item, depth + 1) for v in value]
            if (
                isinstance(named, GraphQLScalarType)
                and named.name in _SCALARS
                and _STRINGS.issuperset(map(type, value))
            ):
                key = f"{self._prefix}{len(self.lists)}"
                self.lists[key] = value
                return key
            return value
        if isinstance(type_, GraphQLInputObjectType) and isinstance(value, dict):
            fields = type_.fields
            return {k: self._replace(v, fields[k].type, depth + 1) if k in fields else v for k, v in value.items()}
        return value

    def _put_back(self, value: Any, depth: int) -> Any:
        if depth > _DEEPEST:
            return value
        if isinstance(value, list):
            if len(value) == 1 and isinstance(value[0], str) and value[0] in self.lists:
                return self.lists[value[0]]
            return [self._put_back(v, depth + 1) for v in value]
        if isinstance(value, dict):
            return {k: self._put_back(v, depth + 1) for k, v in value.items()}
        return value


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)
