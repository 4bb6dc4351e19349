"""Suspending and resuming lines over a selection: per-line results, scope per item,
dry runs that write nothing, idempotent replays, and the audit trail."""

from __future__ import annotations

from sqlalchemy import text

from core.ids import from_global_id, to_global_id
from tests.api.access.test_access import codes, line_ids_under, unit_id

SUSPEND = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  dryRun applied skipped failed wouldApply
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
    assert payload["wouldApply"] == sum(r["outcome"] == "WOULD_APPLY" for r in payload["results"]) > 0
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
    # None or two of LineSelection's members: refused before anything runs (it is @oneOf).
    for selection in ({}, {"ids": [line], "orgUnit": operations}, {"ids": None, "orgUnit": operations}):
        refused = await world.run(unit_admin, SUSPEND, {"input": {"selection": selection, "reason": "OTHER"}})
        assert refused.data is None and [e.extensions["code"] for e in refused.errors] == ["BAD_USER_INPUT"]
    cases = [
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


SERVICES = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  dryRun applied skipped failed monthlyCostImpact { amount currency }
  results { lineId outcome code before after monthlyCostImpact { amount } }
  userErrors { field code message } } }"""
REMOVE = SERVICES.replace("subscriberServicesAdd", "subscriberServicesRemove")
CATALOGUE = "{ services { id code kind monthlyFee { amount } } }"


async def active_line(world, division: str) -> str:
    lines = await world.data(
        "acme.admin",
        "query($u: ID!) { subscribers(first: 2000, filter: {orgUnit: $u, statuses: [ACTIVE]}) { nodes { id } } }",
        {"u": await unit_id(world, division)},
    )
    return lines["subscribers"]["nodes"][0]["id"]


async def line_services(world, line: str) -> set[int]:
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select service_id from line_services where subscriber_id = :s"), {"s": db_id(line)}
        )
        return {row[0] for row in rows}


async def test_adding_and_removing_services_reports_the_monthly_cost(writable_world, customer_admin):
    world = writable_world
    catalogue = (await world.data(customer_admin, CATALOGUE))["services"]
    line = await active_line(world, "Sales")
    before = await line_services(world, line)
    pack = next(s for s in catalogue if s["kind"] == "DATA_PACK" and db_id(s["id"]) not in before)
    request = {"input": {"selection": {"ids": [line]}, "services": [pack["id"]], "dryRun": True}}
    dry = (await world.data(customer_admin, SERVICES, request))["subscriberServicesAdd"]
    assert dry["results"][0]["outcome"] == "WOULD_APPLY" and pack["code"] in dry["results"][0]["after"]
    assert dry["monthlyCostImpact"] == {"amount": pack["monthlyFee"]["amount"], "currency": "EUR"}
    assert await line_services(world, line) == before

    request["input"]["dryRun"] = False
    added = (await world.data(customer_admin, SERVICES, request))["subscriberServicesAdd"]
    assert added["applied"] == 1 and added["results"][0]["monthlyCostImpact"] == {
        "amount": pack["monthlyFee"]["amount"]
    }
    assert await line_services(world, line) == before | {db_id(pack["id"])}
    again = (await world.data(customer_admin, SERVICES, request))["subscriberServicesAdd"]
    assert (again["skipped"], again["results"][0]["code"], again["monthlyCostImpact"]) == (1, "ALREADY_IN_STATE", None)

    removed = (await world.data(customer_admin, REMOVE, request))["subscriberServicesRemove"]
    assert removed["applied"] == 1
    assert removed["monthlyCostImpact"]["amount"] == "-" + pack["monthlyFee"]["amount"]
    assert await line_services(world, line) == before


async def test_services_are_refused_where_policy_or_line_state_forbids(writable_world, customer_admin):
    world = writable_world
    catalogue = (await world.data(customer_admin, CATALOGUE))["services"]
    roaming = next(s for s in catalogue if s["kind"] == "ROAMING")
    # Operations forbids roaming by policy; a suspended line takes no new services.
    operations_line = await active_line(world, "Operations")
    suspended = (
        await world.data(customer_admin, "{ subscribers(first: 1, filter: {statuses: [SUSPENDED]}) { nodes { id } } }")
    )["subscribers"]["nodes"][0]["id"]
    request = {"input": {"selection": {"ids": [operations_line, suspended]}, "services": [roaming["id"]]}}
    before = (await line_services(world, operations_line), await line_services(world, suspended))
    payload = (await world.data(customer_admin, SERVICES, request))["subscriberServicesAdd"]
    assert [(r["outcome"], r["code"]) for r in payload["results"]] == [
        ("FAILED", "POLICY_FORBIDS"), ("FAILED", "LINE_SUSPENDED"),
    ]  # fmt: skip
    assert (await line_services(world, operations_line), await line_services(world, suspended)) == before
    unknown = {"input": {"selection": {"ids": [operations_line]}, "services": [to_global_id("Service", 9999)]}}
    refused = (await world.data(customer_admin, SERVICES, unknown))["subscriberServicesAdd"]
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["services"], "BAD_USER_INPUT")]


async def test_finance_cannot_change_services(writable_world, finance):
    world = writable_world
    line = await active_line(world, "Sales")
    result = await world.run(finance, SERVICES, {"input": {"selection": {"ids": [line]}, "services": []}})
    assert codes(result) == ["FORBIDDEN"] and result.data is None


async def test_all_or_nothing_changes_no_line_when_one_would_fail(writable_world, unit_admin):
    world = writable_world
    inside = await active_line(world, "Sales")
    outside = await active_line(world, "Operations")
    before = await statuses(world)
    request = {"input": {"selection": {"ids": [inside, outside]}, "reason": "LEAVE", "allOrNothing": True}}
    payload = (await world.data(unit_admin, SUSPEND, request))["subscriberSuspend"]
    assert [(r["outcome"], r["code"]) for r in payload["results"]] == [
        ("SKIPPED", "ALL_OR_NOTHING"),
        ("FAILED", "NOT_FOUND"),
    ]
    assert payload["applied"] == 0 and await statuses(world) == before
    request["input"]["selection"]["ids"] = [inside]
    alone = (await world.data(unit_admin, SUSPEND, request))["subscriberSuspend"]
    assert alone["applied"] == 1 and (await statuses(world))[db_id(inside)] == "suspended"


async def test_an_employee_changes_the_services_of_their_own_line_within_policy_and_nothing_else(
    writable_world, employee
):
    world = writable_world
    own = (await world.data(employee, "{ viewer { scope { line { id status } } } }"))["viewer"]["scope"]["line"]
    assert own["status"] == "ACTIVE"
    catalogue = {s["code"]: s for s in (await world.data(employee, CATALOGUE))["services"]}
    before = await line_services(world, own["id"])
    option = next(s for s in catalogue.values() if s["kind"] == "OPTION" and db_id(s["id"]) not in before)
    another = await active_line(world, "Sales")

    request = {"selection": {"ids": [own["id"], another]}, "services": [option["id"]]}
    added = (await world.data(employee, SERVICES, {"input": request}))["subscriberServicesAdd"]
    assert [(r["outcome"], r["code"]) for r in added["results"]] == [("APPLIED", None), ("FAILED", "NOT_FOUND")]
    assert await line_services(world, own["id"]) == before | {db_id(option["id"])}

    # Operations, where the employee works, forbids roaming by policy.
    roaming = {"selection": {"ids": [own["id"]]}, "services": [catalogue["ROAM-EU"]["id"]]}
    refused = (await world.data(employee, SERVICES, {"input": roaming}))["subscriberServicesAdd"]
    assert [(r["outcome"], r["code"]) for r in refused["results"]] == [("FAILED", "POLICY_FORBIDS")]

    removed = await world.data(employee, REMOVE, {"input": {**request, "selection": {"ids": [own["id"]]}}})
    assert removed["subscriberServicesRemove"]["applied"] == 1
    assert await line_services(world, own["id"]) == before

    # Plans and line status stay with the admins.
    for mutation, extra in (("subscriberPlanChange", {"plan": to_global_id("TariffPlan", 1)}),
                            ("subscriberSuspend", {"reason": "LOST_DEVICE"})):  # fmt: skip
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        document = f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ applied }} }}"
        result = await world.run(employee, document, {"input": {"selection": {"ids": [own["id"]]}, **extra}})
        assert result.data is None and codes(result) == ["FORBIDDEN"]
    actions = [(r.action, r.outcome) for r in await world.sources.audit.recent(employee)]
    assert actions[:2] == [("graphql.mutation", "denied")] * 2
    assert ("subscriberServicesAdd", "allowed") in actions and ("subscriberServicesRemove", "allowed") in actions
