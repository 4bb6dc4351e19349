"""Plans are shared by requests (``engine/plans/cache.py``): a document's list plan is compiled by
its first request and reused by the next, and a plan compiled for one role or one set of variables
never answers another's request differently from graphql-core."""

from __future__ import annotations

from typing import Any

import pytest

from core.values import add_months, month_start
from engine import executor as executor_module
from engine.plans import single
from engine.plans.cache import PlanCache
from engine.plans.compile import Compiler
from tests.api.engine.test_compiled_plans import BIG, KEYED_READS, PAGE, answer
from tests.support import LOGINS, today

# Variables that change the plan but not what the level loads: a plan compiled for one set of them
# would answer the other without missing (the wrong fields, the months swapped).
SWITCHED = """query($yes: Boolean!, $a: Month, $b: Month) { subscribers(first: 30) { nodes { id
  position @include(if: $yes) device @skip(if: $yes)
  first: spending(month: $a) { period total { amount } }
  second: spending(month: $b) { period total { amount } } } } }"""


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The lists compiled from now on (by a plan cache of the test's own)."""
    monkeypatch.setattr(executor_module, "PLANS", PlanCache())
    seen: list[Any] = []
    plan = Compiler.plan

    def spy(self: Compiler, item_type: Any, details: Any) -> Any:
        seen.append((item_type, details[0].node.name.value))
        return plan(self, item_type, details)

    monkeypatch.setattr(Compiler, "plan", spy)
    return seen


async def test_a_plan_is_compiled_by_the_first_request_and_reused_by_the_next(world, compiled, monkeypatch):
    planned: list[Any] = []
    built_by_plan = single.built_by_plan

    def building(plan: Any, value: Any, info: Any) -> Any:
        built = built_by_plan(plan, value, info)
        planned.append((info.path.as_list(), built))
        return built

    monkeypatch.setattr(single, "built_by_plan", building)
    monkeypatch.setenv("CORPCARE_COMPILED_PLANS", "1")
    first = await world.data(BIG.login, BIG.document)
    # One place: the page of lines, an object whose plan builds its list of lines too.
    assert [(str(item_type), name) for item_type, name in compiled] == [("SubscriberConnection", "subscribers")]
    compiled.clear()
    planned.clear()
    second = await world.data(BIG.login, BIG.document)
    assert compiled == []  # the first request's plan
    [(path, built)] = planned
    assert path == ["subscribers"] and built is not None  # and it answered the page
    assert built[0]["nodes"] == second["subscribers"]["nodes"] and len(second["subscribers"]["nodes"]) > 1
    assert second == first


async def test_a_document_sent_by_every_role_with_other_variables_answers_as_graphql_core_does(world, compiled):
    last_month = add_months(month_start(today()), -1).strftime("%Y-%m")
    cases = [
        (login, query, variables)
        for login in LOGINS.values()
        for query, variables in (
            (PAGE, {"yes": True}),
            (PAGE, {"yes": False}),
            (KEYED_READS, {"month": last_month, "kinds": ["DATA", "VOICE"]}),
            (KEYED_READS, {"month": None, "kinds": ["VOICE"]}),
            (SWITCHED, {"yes": True, "a": last_month, "b": None}),
            (SWITCHED, {"yes": False, "a": None, "b": last_month}),
            (BIG.document, None),
        )
    ]
    expected = [await answer(world, *case, plans=False) for case in cases]
    # Each request follows one of another role or other variables, whose plans it finds cached.
    for index, case in enumerate(cases):
        assert await answer(world, *case, plans=True) == expected[index], case
    first_round = len(compiled)
    assert first_round > 0
    for index, case in reversed(list(enumerate(cases))):
        assert await answer(world, *case, plans=True) == expected[index], case
    assert len(compiled) == first_round  # every answer of the second round came from a shared plan
