"""An object at a field (not an item of a list) is built by a plan where one covers its selection
(``engine/plans/single.py``), with the same answer and the same count of objects as graphql-core's;
where the plan cannot answer exactly, graphql-core completes the object, errors and all."""

from __future__ import annotations

from typing import Any

import pytest

from engine import executor
from engine.charging import objects_in
from engine.chunked import CHUNK
from engine.executor import LevelExecutor
from loaders.subscriber import TariffPlanBySubscriberIdLoader
from tests.api.engine.test_compiled_plans import BIG, targets
from tests.support import LOGINS, World

TREE = """{ viewer { name role } customer { name orgRoot { id name subscriberCount
  monthlyBudget { amount currency } children { id name children { id } } } } }"""
LINE = """query($line: ID!) { node(id: $line) { id ... on Subscriber { msisdn status
  tariffPlan { name monthlyFee { amount currency } } orgUnit { name } services { service { name } } } } }"""


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The objects each executor counted as built, from now on."""
    seen: list[int] = []
    build_response = LevelExecutor.build_response

    def spy(self: LevelExecutor, data: Any) -> Any:
        seen.append(self.objects)
        return build_response(self, data)

    monkeypatch.setattr(LevelExecutor, "build_response", spy)
    return seen


async def both_ways(world: World, login: str, query: str, variables: dict[str, Any] | None) -> list[int]:
    """The answer is the same with plans on and off, request ids aside; the objects each counted."""
    with pytest.MonkeyPatch.context() as patch:
        answers, counts = [], []
        for plans in ("0", "1"):
            patch.setenv("CORPCARE_COMPILED_PLANS", plans)
            result = await world.run(login, query, variables)
            errors = [
                {**error, "message": None, "extensions": None} for error in (e.formatted for e in result.errors or ())
            ]
            answers.append((result.data, errors))
            counts.append(objects_in(result.data))
    assert answers[0] == answers[1], query
    return counts


@pytest.mark.executed_once
async def test_single_objects_are_built_by_plans_as_graphql_core_builds_them(world, spied, counted, monkeypatch):
    planned, by_graphql_core = spied
    aims = await targets(world)
    places = {TREE: ["customer", "viewer"], LINE: ["node"]}
    for query, variables in ((TREE, None), (LINE, {"line": aims.line})):
        counted.clear()
        walked = await both_ways(world, LOGINS["customer_admin"], query, variables)
        assert counted == walked and walked[0] > 1  # plans off, then on: each counts what the walk finds
        planned.clear()
        by_graphql_core.clear()
        monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
        data = (await world.run(LOGINS["customer_admin"], query, variables)).data
        assert sorted(planned) == places[query]
        assert all(planned[place] == (data[place], objects_in({place: data[place]})) for place in planned)
        assert by_graphql_core == []


@pytest.mark.executed_once
async def test_a_single_object_a_plan_misses_is_completed_by_graphql_core(world, spied, counted, monkeypatch):
    planned, by_graphql_core = spied
    aims = await targets(world)

    async def failing(self: Any, keys: list[int]) -> Any:
        raise RuntimeError("the products source is down")

    monkeypatch.setattr(TariffPlanBySubscriberIdLoader, "batch_load_fn", failing)
    result = await world.run(LOGINS["customer_admin"], LINE, {"line": aims.line})
    assert [error.path for error in result.errors or ()] == [["node", "tariffPlan"]]
    assert result.data is not None and result.data["node"]["tariffPlan"] is None
    planned.clear()
    by_graphql_core.clear()
    counted.clear()
    walked = await both_ways(world, LOGINS["customer_admin"], LINE, {"line": aims.line})
    assert planned["node"] is None  # the plan missed: the load failed
    assert by_graphql_core.count(["node"]) == 2  # plans off, then on; and on, the line's own objects by plans
    assert sorted(planned) == ["node", "node.orgUnit"] and planned["node.orgUnit"] is not None
    assert counted == walked  # nothing the missed plan built is counted


@pytest.mark.executed_once
async def test_a_page_too_long_for_its_plan_is_prefetched_once(large_world, spied, monkeypatch):
    planned, by_graphql_core = spied
    prefetched: list[str] = []  # the places whose level's prefetch ran (the levels below are its own walk)
    prefetch = executor.prefetch

    def prefetching(self: LevelExecutor, type_: Any, details: Any, *args: Any, **kwargs: Any) -> Any:
        prefetched.append(details[0].node.name.value)
        return prefetch(self, type_, details, *args, **kwargs)

    monkeypatch.setattr(executor, "prefetch", prefetching)
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    lines = (await large_world.data(BIG.login, BIG.document))["subscribers"]["nodes"]
    assert len(lines) > CHUNK
    assert planned == {"subscribers": None}  # the page's plan missed: its list of lines is longer than a chunk
    assert by_graphql_core == [["subscribers"]]  # graphql-core completed the page, plans its lines
    assert prefetched == ["subscribers"]  # the lines' loads were issued by the page's prefetch alone
