"""Cost allowances around an operation, run in process: the estimate charged before anything runs,
RATE_LIMITED with nothing executed when an allowance cannot pay, the actual cost counted from the
answer and the difference refunded, subscriptions charged too, and changes refused while the
shared allowances cannot be reached."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from engine.build import build_schema
from engine.charging import objects_in
from infra.redis_throttle import RedisThrottle
from infra.throttle import InProcessThrottle, Throttle
from permissions.cost_allowances import CostAllowance, CostAllowances
from permissions.roles import Role
from request.context import Context
from tests.api.access.test_access import codes
from tests.faults import free_port

LINES = "query { subscribers(first: 10) { nodes { id orgUnit { id } } } }"  # estimated at 1 + 10 * 2
CHANGE = 'mutation { subscriberServicesAdd(input: {selection: {ids: ["x"]}, services: []}) { dryRun } }'
SLOW = 0.001


async def run(
    world: Any, login: str, query: str, throttle: Throttle, allowances: CostAllowances, **variables: Any
) -> Any:
    sources = replace(world.sources, throttle=throttle)
    context = Context.of(await world.principal(login), sources, request_id=uuid.uuid4().hex, cost_allowances=allowances)
    world.counter.reset()
    return await build_schema().execute(query, variable_values=variables, context_value=context)


def small(role: Role, maximum: int, customer: int = 1_000_000) -> CostAllowances:
    return CostAllowances({role: CostAllowance(maximum, SLOW)}, CostAllowance(customer, SLOW))


async def test_an_operation_its_allowance_cannot_pay_is_refused_before_any_sql(world, customer_admin):
    # The clock stands still: no points come back between the operations, however slow the host.
    throttle, allowances = InProcessThrottle(clock=lambda: 0.0), small(Role.CUSTOMER_ADMIN, 50)
    for left in (29, 8):
        result = await run(world, customer_admin, LINES, throttle, allowances)
        assert result.errors is None and result.extensions["cost"]["throttleStatus"]["currentlyAvailable"] == left
    refused = await run(world, customer_admin, LINES, throttle, allowances)
    assert refused.data is None and codes(refused) == ["RATE_LIMITED"] and world.counter.count == 0
    error = refused.errors[0].extensions
    assert (error["budget"], error["cost"], error["retryAfterSeconds"]) == ("principal", 21, 13_000.0)
    assert error["throttleStatus"] == {
        "maximumAvailable": 50, "currentlyAvailable": 8, "restoreRate": 0.001, "limiter": "in-process",
    }  # fmt: skip
    assert "21" in refused.errors[0].message and "8 of 50" in refused.errors[0].message
    assert refused.extensions["cost"]["requestedQueryCost"] == 21
    assert refused.extensions["cost"]["actualQueryCost"] == 0


async def test_a_company_shares_one_allowance_between_its_people(world, customer_admin, finance, other_admin):
    throttle, allowances = InProcessThrottle(), small(Role.CUSTOMER_ADMIN, 1000, customer=30)
    assert (await run(world, customer_admin, LINES, throttle, allowances)).errors is None
    refused = await run(world, finance, LINES, throttle, allowances)
    assert codes(refused) == ["RATE_LIMITED"] and refused.errors[0].extensions["budget"] == "customer"
    assert "your company's" in refused.errors[0].message and world.counter.count == 0
    # Another company's allowance is its own.
    assert (await run(world, other_admin, LINES, throttle, allowances)).errors is None


async def test_the_actual_cost_is_what_came_back_and_the_rest_is_refunded(world, customer_admin):
    name = await world.scalar("crm", "select employee_name from subscribers order by id limit 1")
    query = """query($s: String) { subscribers(first: 50, filter: {search: $s}) {
      nodes { id orgUnit { id } } pageInfo { hasNextPage } } }"""
    throttle, allowances = InProcessThrottle(), small(Role.CUSTOMER_ADMIN, 1000)
    result = await run(world, customer_admin, query, throttle, allowances, s=str(name).split()[-1])
    lines = len(result.data["subscribers"]["nodes"])
    cost = result.extensions["cost"]
    # The estimate counts a page info per line; the answer has one.
    assert cost["requestedQueryCost"] == 1 + 50 * 3
    assert 1 <= lines < 50 and cost["actualQueryCost"] == 1 + lines * 2 + 1 == objects_in(result.data)
    status = cost["throttleStatus"]
    assert status["currentlyAvailable"] == 1000 - cost["actualQueryCost"]
    assert status["customer"] == {
        "maximumAvailable": 1_000_000, "currentlyAvailable": 1_000_000 - cost["actualQueryCost"], "restoreRate": 0.001,
    }  # fmt: skip


async def test_a_subscription_is_charged_and_refused_when_its_allowance_cannot_pay(world, customer_admin):
    throttle, allowances = InProcessThrottle(), small(Role.CUSTOMER_ADMIN, 21)
    assert (await run(world, customer_admin, LINES, throttle, allowances)).errors is None  # empties it
    context = Context.of(await world.principal(customer_admin), replace(world.sources, throttle=throttle),
                         request_id=uuid.uuid4().hex, cost_allowances=allowances)  # fmt: skip
    progress = 'subscription { bulkOperationProgress(id: "QnVsa09wZXJhdGlvbjox") { id status } }'
    results = [result async for result in await build_schema().subscribe(progress, context_value=context)]
    assert [codes(result) for result in results] == [["RATE_LIMITED"]] and results[0].data is None


async def test_with_the_shared_allowances_unreachable_reads_go_on_and_changes_wait(world, customer_admin):
    throttle = RedisThrottle(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    allowances = CostAllowances()
    try:
        read = await run(world, customer_admin, LINES, throttle, allowances)
        assert read.errors is None and read.extensions["cost"]["throttleStatus"]["limiter"] == "fallback"
        change = await run(world, customer_admin, CHANGE, throttle, allowances)
    finally:
        await throttle.close()
    assert change.data is None and codes(change) == ["BACKEND_UNAVAILABLE"] and world.counter.count == 0
    assert change.errors[0].extensions["backend"] == "budgets"
    assert change.errors[0].extensions["retryAfterSeconds"] > 0
