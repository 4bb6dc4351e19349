"""The objects an operation is charged for are counted as the executor builds them (by graphql-core
and by plans): for every benchmark operation and the differential reads, by every role, with plans
on and off, the count is what a walk over the answer finds; an answer with errors is walked."""

from __future__ import annotations

from typing import Any

import pytest

from bench.workload import WORKLOAD
from core.values import add_months, month_start
from engine.charging import CountedResult, objects_in, objects_of
from engine.executor import LevelExecutor
from tests.api.engine.test_compiled_plans import KEYED_READS, NODES, PAGE, TOO_LARGE, TREE, targets
from tests.api.engine.test_shared_plans import SWITCHED
from tests.support import LOGINS, today


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every result the executor builds from now on."""
    seen: list[Any] = []
    build_response = LevelExecutor.build_response

    def spy(self: LevelExecutor, data: Any) -> Any:
        response = build_response(self, data)
        seen.append(response)
        return response

    monkeypatch.setattr(LevelExecutor, "build_response", spy)
    return seen


@pytest.mark.parametrize("plans", ["1", "0"])
@pytest.mark.parametrize("role", list(LOGINS))
async def test_the_objects_counted_while_building_are_the_objects_in_the_answer(
    world, results, monkeypatch, role, plans
):
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", plans)
    aims = await targets(world)
    month = add_months(month_start(today()), -1).strftime("%Y-%m")
    reads = [(operation.document, operation.variables(aims)) for operation in WORKLOAD]
    reads += [
        (PAGE, {"yes": True}),
        (PAGE, {"yes": False}),
        (KEYED_READS, {"month": month, "kinds": ["DATA"]}),
        (SWITCHED, {"yes": False, "a": month, "b": None}),
        (TREE, None),
        (TOO_LARGE, None),
        (NODES, {"ids": [aims.line, aims.unit, "garbage!"]}),
    ]
    for query, variables in reads:
        await world.run(LOGINS[role], query, variables)
    counted = [result for result in results if isinstance(result, CountedResult)]
    assert counted  # every role reads something without an error
    for result in results:
        if result.errors or result.data is None:
            assert not isinstance(result, CountedResult)
        assert objects_of(result) == objects_in(result.data)
