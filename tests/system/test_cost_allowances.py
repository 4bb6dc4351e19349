"""Cost allowances over HTTP: what every answer says about its cost and the caller's allowance, 429 with
Retry-After once it is spent (and nothing run), and requests still served, logged and counted
when Redis stops. One allowance for every instance sharing Redis: ``test_two_instances.py``."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import event

from permissions.roles import Role
from server.auth import issue_token
from tests.faults import PrivateRedis
from tests.system.test_faults import metric, served
from tests.system.test_http import bearer, make_settings
from tests.system.test_observability import urls_of

LINES = {"query": "query Lines { subscribers(first: 10) { nodes { id orgUnit { id } } } }"}  # costs 21
CHANGE = {"query": 'mutation { subscriberServicesAdd(input: {selection: {ids: ["x"]}, services: []}) { dryRun } }'}
# A point back each 100 s: nothing a test's lifetime, however busy the machine, notices.
ADMIN_50 = {"cost_allowances": {"CUSTOMER_ADMIN": {"maximum": 50, "restore_rate": 0.01}}}


@contextmanager
def statements(http: httpx.AsyncClient) -> Iterator[list[str]]:
    """The SQL statements the app behind ``http`` sends while the block runs."""
    seen: list[str] = []

    def sent(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engines = [backend.engine.sync_engine for backend in http.app.state.sources.backends()]  # type: ignore[attr-defined]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", sent)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", sent)


def cost(response: httpx.Response) -> dict[str, Any]:
    return response.json()["extensions"]["cost"]


async def test_every_answer_reports_its_cost_and_the_callers_allowance(world):
    async with served(**urls_of(world)) as http:
        response = await http.post("/graphql", json=LINES)
    assert response.status_code == 200 and "errors" not in response.json()
    reported = cost(response)
    status = reported.pop("throttleStatus")
    assert reported == {"requestedQueryCost": 21, "actualQueryCost": 21, "maximum": 100_000}
    # A fresh instance without Redis: the admin's default allowance less this operation.
    assert status == {
        "maximumAvailable": 200_000, "currentlyAvailable": 200_000 - 21, "restoreRate": 10_000,
        "limiter": "in-process",
        "customer": {"maximumAvailable": 2_000_000, "currentlyAvailable": 2_000_000 - 21, "restoreRate": 100_000},
    }  # fmt: skip


async def test_a_spent_allowance_gets_429_with_retry_after_and_nothing_runs(world):
    async with served(**urls_of(world), **ADMIN_50) as http:
        for _ in range(2):  # 50 → 29 → 8 (and the sign-in is cached)
            assert (await http.post("/graphql", json=LINES)).status_code == 200
        with statements(http) as sent:
            refused = await http.post("/graphql", json=LINES)
        metrics = (await http.get("/metrics")).text
    assert refused.status_code == 429 and sent == []
    body = refused.json()
    assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]
    error = body["errors"][0]["extensions"]
    # 13 points short at a point each 100 s, less the time since the last charge.
    assert error["budget"] == "principal" and 1300 - 60 <= error["retryAfterSeconds"] <= 1300
    assert refused.headers["retry-after"] == str(math.ceil(error["retryAfterSeconds"]))
    assert error["throttleStatus"]["maximumAvailable"] == 50 and error["throttleStatus"]["currentlyAvailable"] == 8
    assert body["extensions"]["cost"]["actualQueryCost"] == 0
    assert metric(metrics, 'corpcare_throttled_requests_total{budget="principal"}') == 1
    assert metric(metrics, 'corpcare_errors_total{code="RATE_LIMITED"}') == 1
    assert metric(metrics, 'corpcare_requests_total{operation_type="query",outcome="refused"}') == 1


async def test_a_company_shares_one_allowance_between_its_people(world):
    allowances = {"customer_cost_allowance": {"maximum": 30, "restore_rate": 0.01}}
    async with served(**urls_of(world), **allowances) as http:
        assert (await http.post("/graphql", json=LINES)).status_code == 200
        finance = bearer(issue_token(make_settings(), "acme.finance"))
        refused = await http.post("/graphql", json=LINES, headers=finance)
        other = await http.post("/graphql", json=LINES, headers=bearer(issue_token(make_settings(), "borealis.admin")))
    assert refused.status_code == 429 and refused.json()["errors"][0]["extensions"]["budget"] == "customer"
    assert other.status_code == 200


async def test_with_redis_stopped_queries_are_served_on_the_fallback_and_changes_wait(world, tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="corpcare.throttle")
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    try:
        async with served(**urls_of(world), redis_url=redis.url) as http:
            assert cost(await http.post("/graphql", json=LINES))["throttleStatus"]["limiter"] == "redis"
            redis.stop()
            for _ in range(5):
                response = await http.post("/graphql", json=LINES)
                assert response.status_code == 200 and "errors" not in response.json()
                assert cost(response)["throttleStatus"]["limiter"] == "fallback"
            change = await http.post("/graphql", json=CHANGE)
            metrics = (await http.get("/metrics")).text
    finally:
        redis.stop()
    assert change.status_code == 503 and int(change.headers["retry-after"]) >= 1
    error = change.json()["errors"][0]["extensions"]
    assert (error["code"], error["backend"]) == ("BACKEND_UNAVAILABLE", "budgets")
    assert metric(metrics, "corpcare_throttle_fallbacks_total") == 5
    assert len([r for r in caplog.records if r.name == "corpcare.throttle"]) == 1


def test_allowances_per_role_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CORPCARE_COST_ALLOWANCES", '{"ANALYST": {"maximum": 400000, "restore_rate": 20000}}')
    monkeypatch.setenv("CORPCARE_CUSTOMER_COST_ALLOWANCE", '{"maximum": 5000000, "restore_rate": 250000}')
    allowances = make_settings().cost_allowances_in_force
    assert (allowances.roles[Role.ANALYST].maximum, allowances.roles[Role.ANALYST].restore_rate) == (400_000, 20_000)
    assert allowances.roles[Role.FINANCE].maximum == 200_000 and allowances.customer.maximum == 5_000_000
    # Every role has an allowance that holds the costliest operation the cost limit lets through.
    assert set(allowances.roles) == set(Role) and min(b.maximum for b in allowances.roles.values()) >= 100_000
    monkeypatch.setenv("CORPCARE_COST_ALLOWANCES", '{"ANALYST": {"maximum": 400000, "restore_rate": 0}}')
    with pytest.raises(ValidationError, match="restore rate above 0"):
        make_settings()


def test_the_old_setting_names_of_cost_allowances_are_still_read_and_the_new_ones_win(monkeypatch):
    monkeypatch.setenv("CORPCARE_COST_BUDGETS", '{"ANALYST": {"maximum": 400000, "restore_rate": 20000}}')
    monkeypatch.setenv("CORPCARE_CUSTOMER_COST_BUDGET", '{"maximum": 5000000, "restore_rate": 250000}')
    old = make_settings().cost_allowances_in_force
    assert (old.roles[Role.ANALYST].maximum, old.customer.maximum) == (400_000, 5_000_000)
    monkeypatch.setenv("CORPCARE_COST_ALLOWANCES", '{"ANALYST": {"maximum": 600000, "restore_rate": 30000}}')
    monkeypatch.setenv("CORPCARE_CUSTOMER_COST_ALLOWANCE", '{"maximum": 7000000, "restore_rate": 350000}')
    new = make_settings().cost_allowances_in_force
    assert (new.roles[Role.ANALYST].maximum, new.customer.maximum) == (600_000, 7_000_000)
