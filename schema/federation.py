"""The root fields of an Apollo Federation v2 subgraph: ``_service`` (the subgraph's SDL) and
``_entities`` (the entity types by key). They are merged into ``Query`` only when federation is
on (``engine/build.py``); each carries its rule like every other field."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any

import strawberry
from strawberry.federation.schema import FederationAny

from core.errors import BadUserInput
from permissions.rules import PUBLIC
from request.context import Info
from resolvers.entities import representation
from schema.customer import Customer
from schema.org_unit import OrgUnit
from schema.subscriber import Subscriber

# The entity types, by name: each has ``resolve_reference(info, id)``.
ENTITIES: dict[str, Any] = {"Customer": Customer, "OrgUnit": OrgUnit, "Subscriber": Subscriber}

Entity = Annotated[Customer | OrgUnit | Subscriber, strawberry.union("_Entity")]


@strawberry.type(name="_Service")
class SubgraphService:
    @strawberry.field(directives=[PUBLIC], description="This subgraph's schema, with its federation directives.")
    def sdl(self, info: Info) -> str:
        schema = info.schema
        printed: str | None = getattr(schema, "_corpcare_sdl", None)
        if printed is None:
            printed = schema.as_str()
            schema._corpcare_sdl = printed  # type: ignore[attr-defined]
        return printed


@strawberry.type
class FederationQuery:
    @strawberry.field(name="_service", directives=[PUBLIC], description="Federation: the subgraph's SDL.")
    def service(self) -> SubgraphService:
        return SubgraphService()

    @strawberry.field(
        name="_entities",
        directives=[PUBLIC],
        description="Federation: customers, units and lines by `{__typename, id}`, in order. One missing, outside "
        "your scope, or of a type your role may not read is null, without an error.",
    )
    def entities(self, info: Info, representations: list[FederationAny]) -> list[Entity | None]:
        return [_reference(info, value) for value in representations]  # type: ignore[misc]


def _reference(info: Info, value: object) -> Awaitable[Any] | BadUserInput:
    """The entity a representation names, still to be loaded (the loads start together, one batch per type);
    a representation that names none is an error at its place in the list."""
    try:
        type_name, global_id = representation(value)
    except BadUserInput as error:
        return error
    resolved: Awaitable[Any] = ENTITIES[type_name].resolve_reference(info, global_id)
    return resolved


__all__ = ["ENTITIES", "FederationQuery"]
