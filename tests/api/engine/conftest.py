"""Fixtures of the engine's API tests."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext as GraphQLCoreContext

from engine.plans import single


@pytest.fixture
def spied(monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], list[list[Any]]]:
    """What plans built at fields, by path (None where a plan missed), and where graphql-core built an object."""
    planned: dict[str, Any] = {}
    by_graphql_core: list[list[Any]] = []
    built_by_plan, complete_object_value = single.built_by_plan, GraphQLCoreContext.complete_object_value

    def building(plan: Any, value: Any, info: Any) -> Any:
        planned[".".join(str(key) for key in info.path.as_list())] = built = built_by_plan(plan, value, info)
        return built

    def completing(executor: Any, *args: Any) -> Any:
        by_graphql_core.append(args[3].as_list())
        return complete_object_value(executor, *args)

    monkeypatch.setattr(single, "built_by_plan", building)
    monkeypatch.setattr(GraphQLCoreContext, "complete_object_value", completing)
    return planned, by_graphql_core
