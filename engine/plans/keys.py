"""The keys of a relation keyed by a function of the parent and the field's arguments
(``schema.fields.KeyedRelation``), for the level's prefetch and for plans alike.

The arguments are coerced once per field, as graphql-core's ``execute_field`` coerces them (the
first node's arguments, the operation's variables), and converted as Strawberry's resolver converts
them; the key of each parent is then what the field's own resolver would ask its loader for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLField
from graphql.execution.collect_fields import FieldDetailsList
from graphql.execution.values import get_argument_values

from schema.fields import KEYED, KeyedRelation

__all__ = ["key_function", "keyed_relation"]


def keyed_relation(field_def: GraphQLField) -> KeyedRelation | None:
    return (field_def.extensions or {}).get(KEYED)


def key_function(executor: Any, field_def: GraphQLField, details: FieldDetailsList) -> Callable[[Any], Any] | None:
    """``parent -> key`` for this field where it is selected, or None when its arguments do not
    coerce or convert (the resolver reports that, at each path)."""
    keyed = keyed_relation(field_def)
    if keyed is None:
        return None
    first = details[0]
    try:
        values = get_argument_values(
            field_def, first.node, executor.variable_values, first.fragment_variable_values, executor.hide_suggestions
        )
        arguments = keyed.arguments(values)
    except Exception:
        return None
    key = keyed.key

    def key_of(parent: Any) -> Any:
        return key(parent, **arguments)

    return key_of
