"""Suspending and resuming lines over a selection: per-line results, scope per item,
dry runs that write nothing, idempotent replays, and the audit trail."""

from __future__ import annotations

from sqlalchemy import text

from resolvers.ids import from_global_id, to_global_id
from tests.schema.test_access import codes, line_ids_under, unit_id

SUSPEND = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  dryRun applied skipped failed
  results { lineId outcome code before after line { status } }
  userErrors { field code message } } }"""
RESUME = SUSPEND.replace("SubscriberSuspendInput", "SubscriberResumeInput").replace(
    "subscriberSuspend", "subscriberResume"
)


async def statuses(world, customer: int | None = None) -> dict[int, str]:
    where = "" if customer is None else f"where customer_id = {customer}"
    async with world.engines.crm.connect() as conn:
        return dict((await conn.execute(text(f"select id, status from subscribers {where} order by id"))).all())


def db_id(global_id: str) -> int:
    return from_global_id(global_id)[1]


async def test_a_role_without_line_write_is_refused_and_the_attempt_audited(writable_world, analyst):
    world = writable_world
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    before = await statuses(world)
    result = await world.run(analyst, SUSPEND, {"input": {"selection": {"ids": [line]}, "reason": "LEAVE"}})
    assert result.data is None and codes(result) == ["FORBIDDEN"]
    assert await statuses(world) == before
    denied = (await world.sources.audit.recent(analyst))[0]
    assert (denied.action, denied.outcome) == ("graphql.mutation", "denied")


async def test_a_unit_admins_selection_across_its_scope_applies_inside_and_fails_outside(writable_world, unit_admin):
    world = writable_world
    active = await world.data(
        "acme.admin", "{ subscribers(filter: {statuses: [ACTIVE]}, first: 2000) { nodes { id orgUnit { id } } } }"
    )
    sales_lines = set(await line_ids_under(world, await unit_id(world, "Sales")))
    inside = next(n["id"] for n in active["subscribers"]["nodes"] if n["id"] in sales_lines)
    outside = next(n["id"] for n in active["subscribers"]["nodes"] if n["id"] not in sales_lines)
    payload = (
        await world.data(
            unit_admin, SUSPEND, {"input": {"selection": {"ids": [inside, outside]}, "reason": "LOST_DEVICE"}}
        )
    )["subscriberSuspend"]
    assert (payload["applied"], payload["failed"], payload["skipped"]) == (1, 1, 0)
    first, second = payload["results"]
    assert first == {"lineId": inside, "outcome": "APPLIED", "code": None, "before": "active", "after": "suspended",
                     "line": {"status": "SUSPENDED"}}  # fmt: skip
    assert second == {
        "lineId": outside,
        "outcome": "FAILED",
        "code": "NOT_FOUND",
        "before": None,
        "after": None,
        "line": None,
    }
    after = await statuses(world)
    assert after[db_id(inside)] == "suspended" and after[db_id(outside)] == "active"
    audit = (await world.sources.audit.recent(unit_admin))[0]
    assert audit.action == "subscriberSuspend" and audit.outcome == "allowed"
    assert [(r["line_id"], r["outcome"], r["before"], r["after"]) for r in audit.detail["results"]] == [
        (db_id(inside), "applied", "active", "suspended"), (db_id(outside), "failed", None, None),
    ]  # fmt: skip


async def test_a_dry_run_over_a_subtree_reports_and_writes_nothing(writable_world, customer_admin):
    world = writable_world
    sales = await unit_id(world, "Sales")
    before = await statuses(world)
    payload = (
        await world.data(
            customer_admin, SUSPEND, {"input": {"selection": {"orgUnit": sales}, "reason": "OTHER", "dryRun": True}}
        )
    )["subscriberSuspend"]
    assert payload["dryRun"] is True and payload["applied"] == 0
    lines = set(await line_ids_under(world, sales))
    assert {r["lineId"] for r in payload["results"]} == lines
    expected = {"active": "WOULD_APPLY", "suspended": "SKIPPED", "terminated": "FAILED"}
    assert all(r["outcome"] == expected[before[db_id(r["lineId"])]] for r in payload["results"])
    assert await statuses(world) == before


async def test_the_same_idempotency_key_replays_the_answer_and_changes_nothing_again(writable_world, customer_admin):
    world = writable_world
    line = (
        await world.data(customer_admin, "{ subscribers(first: 1, filter: {statuses: [ACTIVE]}) { nodes { id } } }")
    )["subscribers"]["nodes"][0]["id"]
    request = {"input": {"selection": {"ids": [line]}, "reason": "LEAVE", "idempotencyKey": "k-1"}}
    first = (await world.data(customer_admin, SUSPEND, request))["subscriberSuspend"]
    assert first["applied"] == 1
    # Someone resumes the line; the replay must not suspend it a second time.
    await world.data(customer_admin, RESUME, {"input": {"selection": {"ids": [line]}}})
    audits = len(await world.sources.audit.recent(customer_admin))
    replay = (await world.data(customer_admin, SUSPEND, request))["subscriberSuspend"]
    assert replay["results"][0]["outcome"] == first["results"][0]["outcome"] == "APPLIED"
    assert (await statuses(world))[db_id(line)] == "active"
    assert len(await world.sources.audit.recent(customer_admin)) == audits
    other = {"input": {"selection": {"ids": [line]}, "reason": "OTHER", "idempotencyKey": "k-1"}}
    refused = (await world.data(customer_admin, SUSPEND, other))["subscriberSuspend"]
    assert refused["userErrors"] == [{"field": ["idempotencyKey"], "code": "IDEMPOTENCY_KEY_REUSED",
                                      "message": "This idempotency key was used with a different input."}]  # fmt: skip
    assert refused["results"] == [] and (await statuses(world))[db_id(line)] == "active"


async def test_resume_applies_skips_and_fails_per_line(writable_world, customer_admin):
    world = writable_world
    active = [i for i, s in (await statuses(world, customer=1)).items() if s == "active"]
    async with world.engines.crm.begin() as conn:  # a terminated line, whatever the demo drew
        await conn.execute(text("update subscribers set status = 'terminated' where id = :i"), {"i": active[-1]})
    before = await statuses(world, customer=1)
    by_status = {
        status: next(i for i, s in before.items() if s == status) for status in ("active", "suspended", "terminated")
    }
    ids = [to_global_id("Subscriber", by_status[s]) for s in ("suspended", "active", "terminated")]
    payload = (await world.data(customer_admin, RESUME, {"input": {"selection": {"ids": ids}}}))["subscriberResume"]
    assert [(r["outcome"], r["code"]) for r in payload["results"]] == [
        ("APPLIED", None), ("SKIPPED", "ALREADY_IN_STATE"), ("FAILED", "LINE_TERMINATED"),
    ]  # fmt: skip
    after = await statuses(world)
    assert after[by_status["suspended"]] == "active" and after[by_status["terminated"]] == "terminated"


async def test_a_bad_selection_is_a_user_error_and_changes_nothing(writable_world, unit_admin):
    world = writable_world
    before = await statuses(world)
    operations = await unit_id(world, "Operations")
    line = (await line_ids_under(world, await unit_id(world, "Sales")))[0]
    cases = [
        ({}, "BAD_USER_INPUT"),
        ({"ids": [line], "orgUnit": operations}, "BAD_USER_INPUT"),
        ({"ids": ["not-an-id"]}, "BAD_USER_INPUT"),
        ({"orgUnit": operations}, "NOT_FOUND"),
    ]
    for selection, code in cases:
        payload = (await world.data(unit_admin, SUSPEND, {"input": {"selection": selection, "reason": "OTHER"}}))[
            "subscriberSuspend"
        ]
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["selection"], code)], selection
        assert payload["results"] == []
    assert await statuses(world) == before
