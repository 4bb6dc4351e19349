"""The schema as an Apollo Federation v2 subgraph, when ``CORPCARE_FEDERATION`` is on.

The subgraph is the same schema, built by ``strawberry.federation.Schema``: the entity types wear
``@key(fields: "id")`` (their global id, as ``node`` takes it), the SDL links the federation
specification, and ``Query`` gains ``_service`` and ``_entities`` (``schema/federation.py``), each
under its own field rule, read in the caller's row scope and priced by the cost model like any
field. Without the setting none of this exists: the default schema is plain GraphQL that every
tool reads, and nobody can ask ``_entities`` of a server that no gateway stands in front of.

The keys are put on the entity types only while the subgraph is built: each type's definition is
swapped for a copy carrying ``@key``, so that the subgraph's types (and its printed SDL) keep it,
and the types of the default schema, built from the same classes, never see it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import strawberry
from graphql import FieldNode, GraphQLError, ValidationRule
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from schema.federation import ENTITIES

FEDERATION_VERSION = "2.7"


@contextmanager
def entity_keys() -> Iterator[None]:
    """While the subgraph is built: each entity type's definition is a copy with ``@key(fields: "id")``."""
    originals: dict[Any, Any] = {}
    try:
        for entity in ENTITIES.values():
            original = entity.__strawberry_definition__
            keyed = copy.copy(original)
            keyed.directives = [*(original.directives or ()), Key(fields=FieldSet("id"), resolvable=strawberry.UNSET)]
            originals[entity] = original
            entity.__strawberry_definition__ = keyed
        yield
    finally:
        for entity, original in originals.items():
            entity.__strawberry_definition__ = original


class NoServiceSdl(ValidationRule):
    """Production closes introspection, and ``_service { sdl }`` is the schema by another name: it is
    refused too. The supergraph is composed from ``corpcare export-schema --subgraph`` instead."""

    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        parent = self.context.get_parent_type()
        schema = self.context.schema
        if node.name.value == "_service" and parent is not None and parent is schema.query_type:
            self.report_error(
                GraphQLError(
                    "The subgraph's SDL is not served in production: compose from `corpcare export-schema --subgraph`.",
                    node,
                )
            )


__all__ = ["FEDERATION_VERSION", "NoServiceSdl", "entity_keys"]
