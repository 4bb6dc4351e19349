"""Strawberry's argument conversion, worked out once per field instead of once per request.

``convert_arguments`` (strawberry-graphql 0.341.2) walks each argument's type on every call:
optional, list, leaf, enum, input object. An argument whose type is a scalar or an enum (optional
or not) converts to the very value graphql-core coerced, so its conversion is decided once and
costs nothing; any other argument is still converted by ``convert_argument`` itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.schema.config import StrawberryConfig
from strawberry.types.arguments import StrawberryArgument, _is_leaf_type, convert_argument
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.types.enum import has_enum_definition

__all__ = ["argument_converter"]


def argument_converter(
    arguments: list[StrawberryArgument], scalar_registry: Mapping[object, Any], config: StrawberryConfig
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """``values -> convert_arguments(values, arguments, …)`` without an Info, the same result."""
    names = config.name_converter
    plan = [
        (names.from_argument(argument), argument.python_name, argument.type, _kept(argument, scalar_registry))
        for argument in arguments
    ]

    def convert(values: dict[str, Any]) -> dict[str, Any]:
        converted = {}
        for name, python_name, type_, kept in plan:
            if name in values:
                value = values[name]
                converted[python_name] = value if kept else convert_argument(value, type_, scalar_registry, config)
        return converted

    return convert


def _kept(argument: StrawberryArgument, scalar_registry: Mapping[object, Any]) -> bool:
    """Whether ``convert_argument`` returns this argument's values as they are: a scalar other than
    ``GlobalID``, or an enum, optional or not (``None`` and ``UNSET`` pass through alike)."""
    type_: Any = argument.type
    if isinstance(type_, StrawberryMaybe):
        return False  # wrapped in Some
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if isinstance(type_, StrawberryOptional | StrawberryMaybe):
        return False
    return type_ is not GlobalID and (_is_leaf_type(type_, scalar_registry) or has_enum_definition(type_))
