"""A mutation's input, kept as plain data, turned back into what a client sends: GraphQL field
names and enum names, read off the mutation's input type in the schema.

A change keeps its input as plain data with the Python names and stored enum values
(``resolvers/mutation.py``'s ``plain``): that form rebuilds a bulk operation's action when a
worker resumes it, and is what the idempotency key fingerprints. It is converted here when it is
shown, so every row reads the same way whenever it was stored. A null that equals a field's
default is left out, as a client leaves it out; an explicit null where the field has no default
(a policy attribute made inherited again) stays, except in a ``@oneOf`` input, whose members
other than the one sent are never sent (a null there is refused). A value whose shape the type does not describe
(a long id selection kept as its ``count`` and ``sha256``) is shown as kept.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLSchema,
    get_nullable_type,
)

_DEFINITION = "strawberry-definition"


def input_as_sent(schema: GraphQLSchema, mutation: str, kept: dict[str, Any]) -> dict[str, Any]:
    """``kept`` (the input of ``mutation`` as plain data) as the mutation's variables would send it."""
    root = schema.mutation_type
    field = None if root is None else root.fields.get(mutation)
    if field is None or "input" not in field.args:
        return kept
    return _as_sent(field.args["input"].type, kept)


def _as_sent(type_: GraphQLInputType, value: Any) -> Any:
    if value is None:
        return None
    nullable = get_nullable_type(type_)
    if isinstance(nullable, GraphQLList) and isinstance(value, list):
        return [_as_sent(nullable.of_type, item) for item in value]
    if isinstance(nullable, GraphQLEnumType):
        return next((name for name, member in nullable.values.items() if member.value == value), value)
    if isinstance(nullable, GraphQLInputObjectType) and isinstance(value, dict):
        return _object(nullable, value)
    return value


def _object(type_: GraphQLInputObjectType, value: dict[str, Any]) -> dict[str, Any]:
    by_python_name = {
        getattr((field.extensions or {}).get(_DEFINITION), "python_name", name): (name, field)
        for name, field in type_.fields.items()
    }
    one_of = getattr((type_.extensions or {}).get(_DEFINITION), "is_one_of", False)  # strawberry's own mark
    sent: dict[str, Any] = {}
    for key, item in value.items():
        name, field = by_python_name.get(key, (key, None))
        if field is None:
            sent[name] = item
        elif item is not None or (field.default_value is not None and not one_of):
            # graphql-core marks "no default" with Undefined, which is not None: the null stays.
            sent[name] = _as_sent(field.type, item)
    return sent
