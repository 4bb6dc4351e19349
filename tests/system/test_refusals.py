"""A caller refused again and again waits before its next request is read (server/refusals.py):
a loop of refused requests cannot take the event loop from other companies for free."""

from __future__ import annotations

import httpx

from server.app import create_app
from server.auth import issue_token
from server.refusals import RefusalBudget
from tests.system.in_process_socket import socket_exchange
from tests.system.test_http import bearer, make_settings
from tests.unit.infra.test_breaker import Clock

NOT_GRAPHQL = {"query": "{ viewer { login "}
FINE = {"query": "{ viewer { login } }"}


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


async def test_a_field_refused_for_its_argument_beside_answered_fields_is_not_a_refusal(world):
    """Only a request error with nothing answered counts: a portal polling with one stale id
    among answered fields is answered, not locked out."""
    app, _ = _app(world)
    finance = bearer(issue_token(make_settings(), "acme.finance"))
    stale = {"query": '{ viewer { login } node(id: "stale!") { id } }'}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        for _ in range(5):
            answer = await http.post("/graphql", json=stale, headers=finance)
            body = answer.json()
            assert answer.status_code == 200 and body["data"]["viewer"] == {"login": "acme.finance"}, answer.text
            assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_over_a_socket_refused_subscribes_count_and_a_caller_out_of_refusals_waits(world):
    app, clock = _app(world)
    analyst = issue_token(make_settings(), "acme.analyst")
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {analyst}"}}
    refused = [
        {"id": "1", "type": "subscribe", "payload": {"query": "{ viewer { login "}},  # does not parse
        {"id": "2", "type": "subscribe", "payload": {"query": "{ viewer { nope } }"}},  # not valid
        {"id": "3", "type": "subscribe", "payload": {"query": "subscription { spendingAlerts { nope } }"}},
    ]
    received = await _until_id(app, [init, *refused], "3")
    errors = {m["id"]: m["payload"][0]["extensions"]["code"] for m in received if m["type"] == "error"}
    # The parse failure is an error message a client can read, not a bare complete.
    assert errors == {"1": "GRAPHQL_PARSE_FAILED", "2": "GRAPHQL_VALIDATION_FAILED", "3": "GRAPHQL_VALIDATION_FAILED"}
    fine = {"id": "4", "type": "subscribe", "payload": {"query": "{ viewer { login } }"}}
    [*_, waited] = await _until_id(app, [init, fine], "4")
    assert waited["type"] == "error" and waited["payload"][0]["extensions"] == {
        "code": "RATE_LIMITED", "reason": "REFUSALS", "retryAfterSeconds": 2,
    }  # fmt: skip
    # HTTP shares the caller's budget; another user's socket goes on.
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        assert (await http.post("/graphql", json=FINE, headers=bearer(analyst))).status_code == 429
    other = {
        "type": "connection_init",
        "payload": {"Authorization": f"Bearer {issue_token(make_settings(), 'acme.finance')}"},
    }
    [*_, answered] = await _until_id(app, [other, fine], "4")
    assert answered["type"] == "next" and answered["payload"]["data"] == {"viewer": {"login": "acme.finance"}}
    clock.now += 2
    [*_, back] = await _until_id(app, [init, fine], "4")
    assert back["type"] == "next" and back["payload"]["data"] == {"viewer": {"login": "acme.analyst"}}


async def _until_id(app, messages, last_id):
    """What a new socket sends until its first message about operation ``last_id``."""
    return await socket_exchange(app, messages, "never", stop=lambda m: m.get("id") == last_id)


async def test_bodies_refused_as_too_large_count_as_refusals(world):
    app = create_app(make_settings(refusal_burst=3, refusal_rate=0.5, reader_body_bytes=1_000), sources=world.sources)
    analyst = bearer(issue_token(make_settings(), "acme.analyst"))
    large = {"query": "{ viewer { login } }", "variables": {"padding": "x" * 2_000}}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        for _ in range(3):
            assert (await http.post("/graphql", json=large, headers=analyst)).status_code == 413
        waited = await http.post("/graphql", json=FINE, headers=analyst)
        assert waited.status_code == 429 and waited.json()["errors"][0]["extensions"]["reason"] == "REFUSALS"
