"""A bulk operation shows its input as the client sent it (GraphQL names, enum names), so a
client can show it and send it again: sending it again repeats the operation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from jobs.worker import BulkWorker
from tests.api.bulk.test_bulk_operations import OPERATION, all_results
from tests.support import World

STARTED = "bulkOperation { id operation total input } userErrors { field code message }"
MUTATIONS = {
    "subscriberSuspend": f"""mutation($input: SubscriberSuspendInput!) {{
      subscriberSuspend(input: $input) {{ {STARTED} }} }}""",
    "subscriberPolicySet": f"""mutation($input: SubscriberPolicySetInput!) {{
      subscriberPolicySet(input: $input) {{ {STARTED} }} }}""",
    "subscriberPlanChange": f"""mutation($input: SubscriberPlanChangeInput!) {{
      subscriberPlanChange(input: $input) {{ {STARTED} }} }}""",
}


async def _root_unit(world: World, login: str) -> str:
    return (await world.data(login, "{ customer { orgRoot { id } } }"))["customer"]["orgRoot"]["id"]


async def _plan(world: World, login: str) -> str:
    lines = await world.data(login, "{ subscribers(first: 1) { nodes { tariffPlan { id } } } }")
    return lines["subscribers"]["nodes"][0]["tariffPlan"]["id"]


async def _inputs(world: World, login: str) -> dict[str, dict[str, Any]]:
    """One input per mutation: enum values whose names differ from what is stored, camelCase
    names at every level, an explicit null that means something (the policy's content filter
    inherited again), and selections by filter and by org subtree."""
    root = await _root_unit(world, login)
    return {
        "subscriberSuspend": {
            "selection": {"filter": {"statuses": ["ACTIVE", "SUSPENDED"], "orgUnit": root}},
            "reason": "LOST_DEVICE",
            "dryRun": True,
            "allOrNothing": False,
        },
        "subscriberPolicySet": {
            "selection": {"orgUnit": root},
            "policy": {"monthlyLimit": "40.00", "limitAction": "CHARGE_EMPLOYEE", "contentFilter": None},
            "dryRun": True,
            "allOrNothing": False,
        },
        "subscriberPlanChange": {
            "selection": {"filter": {"statuses": ["ACTIVE"]}},
            "plan": await _plan(world, login),
            "effective": "NEXT_PERIOD",
            "dryRun": True,
            "allOrNothing": False,
        },
    }


async def _start(world: World, login: str, mutation: str, request: dict[str, Any]) -> dict[str, Any]:
    payload = (await world.data(login, MUTATIONS[mutation], {"input": request}))[mutation]
    assert payload["userErrors"] == [] and payload["bulkOperation"] is not None, payload
    return payload["bulkOperation"]  # type: ignore[no-any-return]


def _outcomes(results: list[dict[str, Any]]) -> list[tuple[str, str, str | None]]:
    return [(r["lineId"], r["outcome"], r["code"]) for r in results]


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
async def test_a_bulk_operations_input_is_what_was_sent_and_sending_it_again_repeats_the_operation(
    bulk_world, customer_admin, mutation
):
    world = bulk_world
    sent = (await _inputs(world, customer_admin))[mutation]
    first = await _start(world, customer_admin, mutation, sent)
    assert first["operation"] == mutation and first["total"] > 200
    assert first["input"] == sent

    # What a client does: the JSON it read, sent back as the mutation's variables.
    again = await _start(world, customer_admin, mutation, json.loads(json.dumps(first["input"])))
    assert again["id"] != first["id"]
    assert (again["operation"], again["total"], again["input"]) == (mutation, first["total"], sent)

    await BulkWorker(world.sources).drain()
    names = ["status", "total", "wouldApply", "applied", "skipped", "failed"]
    done = [(await world.data(customer_admin, OPERATION, {"id": op["id"]}))["node"] for op in (first, again)]
    counts = [{name: run[name] for name in names} for run in done]
    assert counts[0]["status"] == "COMPLETED" and counts[0] == counts[1]
    assert done[0]["wouldApply"] > 0
    results = [await all_results(world, customer_admin, op["id"]) for op in (first, again)]
    assert _outcomes(results[0]) == _outcomes(results[1]) and len(results[0]) == first["total"]
