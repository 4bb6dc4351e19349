"""Entities a federation gateway asks for by key (``Query._entities``): the same loaders, type
permissions and row scope as ``node``, but a missing object is answered null without an error,
as the federation specification asks — and so is one outside the caller's scope, or of a type
the caller's role may not read, so that the answer never tells them apart.

Every representation is loaded through the request's loader of its type: the loads of one
``_entities`` field start together, so each type's representations are read in one batched
statement whatever their number."""

from __future__ import annotations

from typing import Any

from core.errors import BadUserInput
from core.ids import from_global_id
from permissions.rules import TYPE_READ
from request.context import Context
from resolvers.node import NODE_LOADERS

# The entity types corpcare serves, keyed by their global id (``@key(fields: "id")``).
ENTITY_TYPES = ("Customer", "OrgUnit", "Subscriber")


async def entity(context: Context, type_name: str, global_id: object) -> Any:
    """The record of ``type_name`` with this global id, or None: missing, outside the caller's scope,
    or of a type its role may not read. An id that is not one of ``type_name``'s is bad input."""
    if not isinstance(global_id, str):
        raise BadUserInput(f"A {type_name} representation needs its id, as a string.", argument="representations")
    _, key = from_global_id(global_id, expect=type_name)
    permission = TYPE_READ[type_name]
    if permission is not None and not context.principal.can(permission):
        return None
    return await context.loader(NODE_LOADERS[type_name]).load(key)


def representation(value: object) -> tuple[str, object]:
    """The type name and id of one representation, as the gateway sends it
    (``{"__typename": "Subscriber", "id": "…"}``)."""
    type_name = value.get("__typename") if isinstance(value, dict) else None
    if type_name not in ENTITY_TYPES:
        raise BadUserInput(
            f"A representation's __typename must be one of {', '.join(ENTITY_TYPES)}.", argument="representations"
        )
    assert isinstance(value, dict)
    return type_name, value.get("id")


__all__ = ["ENTITY_TYPES", "entity", "representation"]
