"""Kept answers are judged again when read (issue 13, finding 2): after a line leaves a unit
admin's view, neither an idempotent replay nor a bulk operation's results show its before, after
or cost — it reads as NOT_FOUND, as a fresh call says — and a replay by a caller who has since
lost the permission is refused. On SQLite and PostgreSQL, in-process with a real context."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import text

from core.ids import to_global_id
from sources.state.bulk_operations import BulkStart, ItemResult
from tests.support import LOGINS, World

DRY_RUN = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  dryRun results { lineId outcome code before after monthlyCostImpact { amount currency } }
  monthlyCostImpact { amount currency } userErrors { field code message } } }"""
MOVE = """mutation($input: SubscriberMoveInput!) { subscriberMove(input: $input) {
  results { lineId outcome code } userErrors { code message } } }"""
RESULTS = """query($id: ID!, $outcome: [LineOutcome!]) { node(id: $id) { ... on BulkOperation {
  results(first: 10, outcome: $outcome) { nodes { lineId outcome code before after
    monthlyCostImpact { amount } line { id } } pageInfo { hasNextPage } } } } }"""
LISTED = "{ bulkOperations { nodes { id results { nodes { lineId outcome before after } } } } }"
GONE = {"outcome": "FAILED", "code": "NOT_FOUND", "before": None, "after": None, "monthlyCostImpact": None}


async def sales_lines_and_elsewhere(world: World) -> tuple[list[int], int]:
    """Two lines in the unit admin's subtree, and a unit of the same company outside it."""
    admin = await world.principal(LOGINS["unit_admin"])
    [subtree] = admin.scope.org_paths or ()
    async with world.engines.crm.connect() as conn:
        lines = (await conn.execute(text("select id, customer_id, org_path from subscribers order by id"))).all()
        units = (await conn.execute(text("select id, customer_id, path from org_units order by path"))).all()
    inside = [i for i, customer, path in lines if admin.scope.admits(customer, path, i)][:2]
    customer = admin.customer_id
    outside = next(
        i for i, owner, path in units if owner == customer and path.count("/") > 2 and not path.startswith(subtree)
    )
    return inside, outside


async def move_out(world: World, line: int, unit: int) -> None:
    """The customer admin moves the line into a unit outside the unit admin's subtree."""
    moved = {"selection": {"ids": [to_global_id("Subscriber", line)]}, "orgUnit": to_global_id("OrgUnit", unit)}
    data = await world.data(LOGINS["customer_admin"], MOVE, {"input": moved})
    assert data["subscriberMove"]["results"][0]["outcome"] == "APPLIED", data


async def dry_run(world: World, lines: list[int], key: str) -> dict[str, Any]:
    service = await world.scalar("billing", "select id from services where code = 'MULTISIM'")
    request = {"selection": {"ids": [to_global_id("Subscriber", line) for line in lines]},
               "services": [to_global_id("Service", service)], "dryRun": True, "idempotencyKey": key}  # fmt: skip
    data = await world.data(LOGINS["unit_admin"], DRY_RUN, {"input": request})
    return dict(data["subscriberServicesAdd"])


def by_line(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {result["lineId"]: result for result in answer["results"]}


async def test_a_replayed_key_does_not_show_a_line_that_has_left_the_callers_view(writable_world):
    world = writable_world
    (stays, leaves), elsewhere = await sales_lines_and_elsewhere(world)
    key = uuid.uuid4().hex
    first = by_line(await dry_run(world, [stays, leaves], key))
    gone, kept = to_global_id("Subscriber", leaves), to_global_id("Subscriber", stays)
    assert first[gone]["outcome"] == "WOULD_APPLY" and first[gone]["before"] is not None, first

    await move_out(world, leaves, elsewhere)
    replay = await dry_run(world, [stays, leaves], key)
    fresh = await dry_run(world, [stays, leaves], uuid.uuid4().hex)

    assert {name: by_line(replay)[gone][name] for name in GONE} == GONE
    assert by_line(replay)[gone] == by_line(fresh)[gone]  # the same answer as a fresh call: nothing more
    assert by_line(replay)[kept] == first[kept]  # the line still in view keeps its kept answer
    # The total counts only what the caller still sees.
    assert replay["monthlyCostImpact"] == first[kept]["monthlyCostImpact"]


async def test_a_bulk_operations_results_do_not_show_a_line_that_has_left_the_callers_view(writable_world):
    world = writable_world
    (stays, leaves), elsewhere = await sales_lines_and_elsewhere(world)
    admin = await world.principal(LOGINS["unit_admin"])
    start = BulkStart(customer_id=admin.customer_id, user_id=admin.user_id, login=admin.login,
                      role=admin.role.value, request_id=uuid.uuid4().hex, operation="subscriberServicesAdd",
                      input={}, dry_run=True)  # fmt: skip
    store = world.sources.bulk
    operation = await store.create(start, [stays, leaves])
    lease = await store.claim_next("test-worker", timedelta(minutes=1))
    assert lease is not None and lease.operation_id == operation
    planned = [
        ItemResult(line, "would_apply", None, None, "MULTISIM: no", "MULTISIM: yes", 500, "EUR")
        for line in (stays, leaves)
    ]
    await store.record(lease, planned, None)
    await store.finish(lease, "completed")
    node = to_global_id("BulkOperation", operation)
    gone, kept = to_global_id("Subscriber", leaves), to_global_id("Subscriber", stays)

    await move_out(world, leaves, elsewhere)

    results = (await world.data(admin.login, RESULTS, {"id": node}))["node"]["results"]["nodes"]
    shown = {result["lineId"]: result for result in results}
    assert {name: shown[gone][name] for name in GONE} == GONE and shown[gone]["line"] is None
    assert shown[kept]["outcome"] == "WOULD_APPLY" and shown[kept]["before"] == "MULTISIM: no"
    # Filtered by outcome, the line reads as it does unfiltered: its kept outcome is not revealed.
    would = (await world.data(admin.login, RESULTS, {"id": node, "outcome": ["WOULD_APPLY"]}))["node"]["results"]
    failed = (await world.data(admin.login, RESULTS, {"id": node, "outcome": ["FAILED"]}))["node"]["results"]
    assert [r["lineId"] for r in would["nodes"]] == [kept] and not would["pageInfo"]["hasNextPage"]
    assert [r["lineId"] for r in failed["nodes"]] == [gone]
    listed = (await world.data(admin.login, LISTED))["bulkOperations"]["nodes"]
    [mine] = [entry for entry in listed if entry["id"] == node]
    assert {r["lineId"]: r["before"] for r in mine["results"]["nodes"]} == {kept: "MULTISIM: no", gone: None}


async def test_a_replay_by_a_caller_who_has_since_lost_the_permission_is_refused(writable_world):
    world = writable_world
    (line, _), _ = await sales_lines_and_elsewhere(world)
    key = uuid.uuid4().hex
    assert (await dry_run(world, [line], key))["results"][0]["outcome"] == "WOULD_APPLY"
    async with world.engines.crm.begin() as conn:
        await conn.execute(
            text("update portal_users set role = 'analyst' where login = :l"), {"l": LOGINS["unit_admin"]}
        )
    world.principals.clear()
    service = await world.scalar("billing", "select id from services where code = 'MULTISIM'")
    request = {"selection": {"ids": [to_global_id("Subscriber", line)]}, "services": [to_global_id("Service", service)],
               "dryRun": True, "idempotencyKey": key}  # fmt: skip
    result = await world.run(LOGINS["unit_admin"], DRY_RUN, {"input": request})
    assert result.data is None and {e.extensions["code"] for e in result.errors} == {"FORBIDDEN"}
