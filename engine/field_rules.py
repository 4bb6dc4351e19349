"""What the field rules show to tools, derived from the rules themselves (``permissions/rules.py``).

- Every gated field's description ends with the permission it needs and the roles holding it,
  so introspection, GraphiQL's docs and code generators show it (applied directives such as
  ``@requires`` are printed in the SDL but are not introspectable).
- A field that a read may answer null with FORBIDDEN (some role lacks its permission, and a
  query or a subscription's event can reach it) is nullable. Mutations are refused whole, and
  so is a subscription whose root field is denied: the types only mutations reach, and the
  root fields, keep their types.
"""

from __future__ import annotations

from graphql import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
)

from permissions.authorize import rules_of
from permissions.roles import ROLE_PERMISSIONS, Permission, Role


def holders(permission: Permission) -> list[Role]:
    return [role for role in Role if permission in ROLE_PERMISSIONS[role]]


def rule_sentence(permission: Permission) -> str:
    roles = ", ".join(role.value for role in holders(permission))
    return f"Requires the `{permission}` permission, held by: {roles}."


def show_rules(schema: GraphQLSchema) -> None:
    """Describe every gated field's and type's rule, and make the fields a read may deny nullable
    (for their own rule or for the type rule of the type they reach)."""
    readable = _read_types(schema)
    rules = rules_of(schema)
    for (type_name, field_name), permission in rules.items():
        type_ = schema.type_map[type_name]
        assert isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
        field = type_.fields[field_name]
        if permission is not None:
            field.description = _described(field.description, rule_sentence(permission))
        deniable = any(len(holders(needed)) < len(Role) for needed in rules.needs(type_name, field_name) or ())
        if deniable and type_name in readable and isinstance(field.type, GraphQLNonNull):
            field.type = field.type.of_type
    for type_name, permission in rules.types.items():
        ruled = schema.type_map[type_name]
        ruled.description = _described(ruled.description, rule_sentence(permission))


def _described(description: str | None, sentence: str) -> str:
    return f"{description}\n\n{sentence}" if description else sentence


def _read_types(schema: GraphQLSchema) -> set[str]:
    """The types whose fields a read executes: everything reachable from Query, and from what the
    subscriptions' root fields return."""
    start: list[GraphQLNamedType] = [schema.query_type] if schema.query_type else []
    if schema.subscription_type is not None:
        start += [get_named_type(f.type) for f in schema.subscription_type.fields.values()]
    seen: set[str] = set()
    while start:
        type_ = start.pop()
        if type_.name in seen:
            continue
        seen.add(type_.name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            start += [get_named_type(f.type) for f in type_.fields.values()]
        if isinstance(type_, GraphQLInterfaceType | GraphQLUnionType):
            start += schema.get_possible_types(type_)
    return seen
