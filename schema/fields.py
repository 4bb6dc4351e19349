"""How schema fields are declared: every field names its rule; relations name their loader.

``field(rule)`` is a plain attribute read off the parent record (no per-object coroutine);
``global_id(type, rule)`` a Node's opaque id; ``resolved(rule, function)`` a value computed
from the parent record alone.
``related(SomeLoader, key, rule)`` is a relation: the helper builds the resolver that asks the
request's loader of that class for ``key`` — an attribute of the parent, or a function of the
parent and the field's arguments — so every relation is batched and none is hand-written.
Every relation keeps its ``Relation`` in the field's metadata (``engine/field_docs.py`` lists them).
A relation keyed by a function keeps Strawberry's resolver (it converts the arguments) and carries a
``KeyedRelation`` for ``LevelExecutor``, which computes the same keys itself.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLEnumType, GraphQLField, GraphQLObjectType, GraphQLScalarType, GraphQLSchema, get_named_type

from core.ids import to_global_id
from loaders import SourceLoader
from permissions.rules import Rule
from request.context import Info
from schema.argument_values import argument_converter

RELATION = "corpcare.relation"
GLOBAL_ID = "corpcare.global_id"
COMPUTED = "corpcare.computed"
KEYED = "corpcare.keyed_relation"


@dataclass(frozen=True, slots=True)
class Relation:
    """A relation field: the loader it asks, and the parent's attribute holding the key (or keys,
    with ``many``) or a function ``(parent, **arguments) -> key``."""

    loader: type[SourceLoader[Any, Any]]
    key: str | Callable[..., Any]
    many: bool = False


@dataclass(frozen=True, slots=True)
class KeyedRelation:
    """A relation keyed by ``key(parent, **arguments)``: ``arguments`` turns graphql-core's coerced
    argument values into the key function's keyword arguments, as Strawberry's resolver does."""

    loader: type[SourceLoader[Any, Any]]
    key: Callable[..., Any]
    arguments: Callable[[dict[str, Any]], dict[str, Any]]


def instances_of(record: type[Any]) -> Any:
    """A type's ``is_type_of``: its objects are the instances of ``record``. The answer depends on
    the object's class alone, which the function says (``by_class``): plans ask once per class
    (``engine/plans/steps.py``)."""

    def is_type_of(cls: type[Any], obj: Any, _info: Any) -> bool:
        return isinstance(obj, record)

    is_type_of.by_class = True  # type: ignore[attr-defined]
    return classmethod(is_type_of)


def global_id(type_name: str, rule: Rule) -> Any:
    """The ``id`` field of a Node type: the record's key, made opaque."""

    def resolve(root: Any) -> strawberry.ID:
        return strawberry.ID(to_global_id(type_name, root.id))

    return strawberry.field(resolver=resolve, directives=[rule], metadata={GLOBAL_ID: type_name})


def field(rule: Rule, *, description: str | None = None, name: str | None = None) -> Any:
    return strawberry.field(directives=[rule], description=description, name=name)


def resolved(rule: Rule, resolver: Callable[[Any], Any], *, description: str | None = None) -> Any:
    """A field computed from the parent record alone by ``resolver`` (not a relation)."""
    return strawberry.field(
        resolver=resolver, directives=[rule], description=description, metadata={COMPUTED: resolver}
    )


def related(
    loader: type[SourceLoader[Any, Any]],
    key: str | Callable[..., Any],
    rule: Rule,
    *,
    many: bool = False,
    description: str | None = None,
) -> Any:
    """A relation: ``key`` is the parent's attribute holding the key (or keys, with ``many``),
    or a function ``(parent, **arguments) -> key``."""
    relation = Relation(loader, key, many)
    if isinstance(key, str):
        resolve = _loader_resolver(relation)

        def resolve_by_attribute(root: Any, info: Info) -> Any:
            return resolve(root, info)

        return strawberry.field(
            resolver=resolve_by_attribute, directives=[rule], description=description, metadata={RELATION: relation}
        )

    make_key = key

    def resolve_by_key(root: Any, info: Info, **arguments: Any) -> Any:
        return info.context.loader(loader).load(make_key(root, **arguments))

    # GraphQL arguments are the key function's own parameters (after the parent record);
    # their annotations resolve in the key function's module.
    signature = inspect.signature(make_key)
    parent, *arguments = signature.parameters.values()
    info = inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Info)
    resolve_by_key.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[parent.replace(name="root"), info, *arguments], return_annotation=inspect.Signature.empty
    )
    resolve_by_key.__module__ = make_key.__module__
    resolve_by_key.__annotations__ = {p.name: p.annotation for p in arguments} | {"info": Info}
    return strawberry.field(
        resolver=resolve_by_key, directives=[rule], description=description, metadata={RELATION: relation}
    )


def fast_resolvers(schema: GraphQLSchema) -> None:
    """Resolve the hot fields straight from graphql-core, without strawberry's wrapper.

    Plain attributes become one ``getattr``; global ids and computed fields one call;
    argument-free relations only ask their loader (and carry their ``Relation`` for
    ``LevelExecutor``). None of them needs argument conversion or an Info object.
    """
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for graphql_field in type_.fields.values():
            definition = (graphql_field.extensions or {}).get("strawberry-definition")
            if definition is None:
                continue
            metadata = definition.metadata or {}
            if (relation := metadata.get(RELATION)) is not None:
                if isinstance(relation.key, str):
                    graphql_field.resolve = _loader_resolver(relation)
                    graphql_field.extensions = {**graphql_field.extensions, RELATION: relation}
                elif (keyed := _keyed(schema, graphql_field, definition, relation)) is not None:
                    graphql_field.extensions = {**graphql_field.extensions, KEYED: keyed}
            elif (node_type := metadata.get(GLOBAL_ID)) is not None:
                graphql_field.resolve = _global_id_resolver(node_type)
            elif (compute := metadata.get(COMPUTED)) is not None:
                graphql_field.resolve = _computed_resolver(compute)
            elif getattr(graphql_field.resolve, "_is_default", False):
                graphql_field.resolve = _attribute_resolver(definition.python_name)


def _keyed(schema: GraphQLSchema, graphql_field: GraphQLField, definition: Any, relation: Relation) -> Any:
    """The relation's ``KeyedRelation``, or None where converting its arguments could need more than
    their values (an input object may build itself with the Info; a field extension may rewrite them)."""
    strawberry_schema = getattr(schema, "_strawberry_schema", None)
    if strawberry_schema is None or definition.extensions or isinstance(relation.key, str):
        return None
    if not all(
        isinstance(get_named_type(a.type), GraphQLScalarType | GraphQLEnumType) for a in graphql_field.args.values()
    ):
        return None
    registry = strawberry_schema.schema_converter.scalar_registry
    convert = argument_converter(definition.arguments, registry, strawberry_schema.config)
    return KeyedRelation(relation.loader, relation.key, convert)


def _computed_resolver(compute: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def resolve(root: Any, _info: Any) -> Any:
        return compute(root)

    resolve._of_parent = True  # type: ignore[attr-defined]  # LevelExecutor's plans call it without an info
    return resolve


def _attribute_resolver(name: str) -> Callable[[Any, Any], Any]:
    def resolve(root: Any, _info: Any) -> Any:
        return getattr(root, name)

    resolve._is_default = True  # type: ignore[attr-defined]  # a plain attribute, for LevelExecutor
    return resolve


def _global_id_resolver(type_name: str) -> Callable[[Any, Any], str]:
    def resolve(root: Any, _info: Any) -> str:
        return to_global_id(type_name, root.id)

    resolve._of_parent = True  # type: ignore[attr-defined]  # LevelExecutor's plans call it without an info
    return resolve


def _loader_resolver(relation: Relation) -> Callable[[Any, Any], Any]:
    """Works with a strawberry Info or a graphql-core info: both carry ``context``."""
    loader, attribute = relation.loader, relation.key
    assert isinstance(attribute, str)
    # A value already loaded (by LevelExecutor, or earlier in the request) is returned as
    # it is: no future for graphql-core to wrap in a task.
    if relation.many:

        def resolve_many(root: Any, info: Any) -> Any:
            source = info.context.loader(loader)
            futures = [source.load(key) for key in getattr(root, attribute)]
            if all(future.done() for future in futures):
                return [future.result() for future in futures]
            return asyncio.gather(*futures)

        return resolve_many

    def resolve(root: Any, info: Any) -> Any:
        key = getattr(root, attribute)
        if key is None:
            return None
        future = info.context.loader(loader).load(key)
        return future.result() if future.done() else future

    return resolve
