"""Arguments converted by the plan worked out once per field (schema/argument_values.py) come out
exactly as strawberry's ``convert_arguments`` gives them, for every kind of argument type."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.relay import GlobalID
from strawberry.types.arguments import convert_arguments
from strawberry.types.unset import UNSET

from engine.build import build_schema
from schema.argument_values import argument_converter
from schema.fields import KEYED


@strawberry.enum
class Colour(Enum):
    RED = "red"


@strawberry.input
class Window:
    size: int = 3


@strawberry.type
class Query:
    @strawberry.field
    def everything(
        self,
        count: int,
        name: str | None = None,
        colour: Colour | None = None,
        colours: list[Colour] | None = None,
        node: GlobalID | None = None,
        maybe: strawberry.Maybe[int] = None,
        window: Window | None = None,
    ) -> int:
        return 0


SCHEMA = strawberry.Schema(Query)
ARGUMENTS = SCHEMA.get_type_by_name("Query").fields[0].arguments  # type: ignore[union-attr]
REGISTRY = SCHEMA.schema_converter.scalar_registry

VALUES: list[dict[str, Any]] = [
    {},
    {"count": 1},
    {"count": 2, "name": None, "colour": Colour.RED, "colours": [Colour.RED], "node": str(GlobalID("T", "1"))},
    {"count": 3, "name": "x", "colour": None, "colours": None, "node": None, "maybe": 4, "window": {"size": 5}},
    {"count": UNSET, "name": UNSET},
]


@pytest.mark.parametrize("values", VALUES)
def test_each_kind_of_argument_converts_as_strawberry_converts_it(values: dict[str, Any]) -> None:
    ours = argument_converter(ARGUMENTS, REGISTRY, SCHEMA.config)(values)
    theirs = convert_arguments(values, ARGUMENTS, scalar_registry=REGISTRY, config=SCHEMA.config)
    assert ours == theirs and list(ours) == list(theirs)
    assert [type(value) for value in ours.values()] == [type(value) for value in theirs.values()]
    if values.get("colours") is not None:
        assert ours["colours"] is not values["colours"]  # a list is copied, as strawberry copies it


def test_the_schemas_keyed_relations_convert_their_arguments_with_the_plan() -> None:
    schema = build_schema()._schema
    keyed = [
        field.extensions[KEYED]
        for type_ in schema.type_map.values()
        for field in getattr(type_, "fields", {}).values()
        if KEYED in (getattr(field, "extensions", None) or {})
    ]
    assert keyed
    assert all(relation.arguments.__qualname__.startswith("argument_converter.") for relation in keyed)
