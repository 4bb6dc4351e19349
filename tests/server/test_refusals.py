"""A caller refused again and again waits before its next request is read (server/refusals.py):
a loop of refused requests cannot take the event loop from other companies for free."""

from __future__ import annotations

import httpx

from server.app import create_app
from server.auth import issue_token
from server.refusals import RefusalBudget
from tests.server.test_http import bearer, make_settings

NOT_GRAPHQL = {"query": "{ viewer { login "}
FINE = {"query": "{ viewer { login } }"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_budget_holds_a_burst_then_comes_back_at_its_rate():
    clock = Clock()
    budget = RefusalBudget(capacity=3, per_second=0.5, clock=clock)
    for _ in range(3):
        assert budget.wait_seconds(7) == 0
        budget.spend(7)
    assert budget.wait_seconds(7) == 2.0  # one refusal back every 2 s
    assert budget.wait_seconds(8) == 0  # another caller's budget is its own
    clock.now += 1
    assert budget.wait_seconds(7) == 1.0
    clock.now += 1
    assert budget.wait_seconds(7) == 0
    budget.spend(7)
    assert budget.wait_seconds(7) == 2.0
    clock.now += 60
    assert budget.wait_seconds(7) == 0 and budget._buckets == {}  # full again: nothing kept


def _app(world):
    app = create_app(make_settings(refusal_burst=3, refusal_rate=0.5), sources=world.sources)
    clock = Clock()
    budget: RefusalBudget = app.state.refusals
    budget.clock = clock
    return app, clock


async def test_a_caller_out_of_refusals_gets_429_before_its_body_is_read_and_others_go_on(world):
    app, clock = _app(world)
    analyst = bearer(issue_token(make_settings(), "acme.analyst"))
    colleague = bearer(issue_token(make_settings(), "acme.finance"))
    other_company = bearer(issue_token(make_settings(), "borealis.admin"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        for _ in range(3):
            refused = await http.post("/graphql", json=NOT_GRAPHQL, headers=analyst)
            assert refused.status_code == 200 and refused.json()["errors"][0]["extensions"]["code"] == (
                "GRAPHQL_PARSE_FAILED"
            ), refused.text
        waited = await http.post("/graphql", json=FINE, headers=analyst)
        assert waited.status_code == 429, waited.text
        error = waited.json()["errors"][0]
        assert error["extensions"] == {"code": "RATE_LIMITED", "reason": "REFUSALS", "retryAfterSeconds": 2}
        assert waited.headers["retry-after"] == "2" and waited.headers["connection"] == "close"
        # The 429 is not another refusal: the wait does not grow while the caller waits.
        assert (await http.post("/graphql", json=FINE, headers=analyst)).status_code == 429
        for other in (colleague, other_company):
            answer = await http.post("/graphql", json=FINE, headers=other)
            assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
        clock.now += 2
        back = await http.post("/graphql", json=FINE, headers=analyst)
        assert back.status_code == 200 and back.json()["data"] == {"viewer": {"login": "acme.analyst"}}


async def test_what_counts_is_a_refused_request_not_an_answer_with_a_field_refused(world):
    app, _ = _app(world)
    employee = bearer(issue_token(make_settings(), "acme.employee"))
    # An employee's document may name a field its role does not see: the rest is answered.
    partly = {"query": "{ viewer { login } customer { name } auditLog(first: 1) { totalCount } }"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        for _ in range(5):
            answer = await http.post("/graphql", json=partly, headers=employee)
            assert answer.status_code == 200 and answer.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        still = await http.post("/graphql", json=FINE, headers=employee)
        assert still.status_code == 200, still.text
        # Refusals at the edge count as well: here, bodies that are not JSON.
        json_type = {"Content-Type": "application/json"}
        for _ in range(3):
            bad = await http.post("/graphql", content=b"{not json", headers=employee | json_type)
            assert bad.status_code == 400, bad.text
        assert (await http.post("/graphql", json=FINE, headers=employee)).status_code == 429
