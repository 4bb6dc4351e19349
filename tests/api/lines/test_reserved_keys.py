"""Idempotency keys reserved before the work, in process: a copy that waits in vain is told to
come back (and never runs), a change that fails before it touches anything frees its key, and
the recovery pass settles an intent whose process stopped."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.errors import BackendUnavailable
from core.ids import to_global_id
from core.scope import RowScope
from engine.build import build_schema
from resolvers.recovery import settle_abandoned
from sources.crm.writes import CrmWriter
from sources.keyset import Span
from sources.state.audit import AuditEntry, AuditLog, AuditQuery
from sources.state.idempotency import IdempotencyStore
from tests.api.bulk.test_bulk_operations import acme_lines
from tests.waiting import eventually, within

BUDGET = """mutation($input: OrgUnitSetBudgetInput!) { orgUnitSetBudget(input: $input) {
  orgUnit { monthlyBudget { amount } } userErrors { field code message } } }"""
SUSPEND = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  bulkOperation { id } userErrors { field code message } } }"""


HOLD = 3.0  # seconds: long enough that a busy host renews it in time, short enough to outlive in a test


class HeldWriter(CrmWriter):
    """The real writer, whose budget writes wait until the test lets them go."""

    def __init__(self, real: CrmWriter) -> None:
        super().__init__(real.backend)
        self.entered = asyncio.Event()
        self.go = asyncio.Event()

    async def set_unit_budget(
        self, unit_id: int, expected_minor: int | None, budget_minor: int | None, month: date
    ) -> bool:
        self.entered.set()
        await self.go.wait()
        return await super().set_unit_budget(unit_id, expected_minor, budget_minor, month)


async def _run(
    world: Any, sources: Any, variables: dict[str, Any], *, wait: float = 20.0, hold: float = 120.0, query: str = BUDGET
) -> Any:
    context = world.context(await world.principal("acme.admin"))
    context = replace(context, sources=sources, key_wait_seconds=wait, hold_seconds=hold)
    return await build_schema().execute(query, variable_values=variables, context_value=context)


async def settled_once(sources: Any) -> None:
    """The recovery pass, run until the hold of the stopped change has run out and it settled it."""
    assert await eventually(lambda: settle_abandoned(sources), "the stopped change's hold to run out") == 1
    assert await settle_abandoned(sources) == 0, "settled once"


async def test_a_copy_sent_while_the_first_runs_waits_in_vain_then_gets_the_first_answer(writable_world):
    world = writable_world
    writer = HeldWriter(world.sources.crm_writer)
    sources = replace(world.sources, crm_writer=writer)
    unit = await world.scalar("crm", "select id from org_units where name = 'Sales'")
    key = f"budget-{uuid.uuid4().hex}"
    variables = {"input": {"orgUnit": to_global_id("OrgUnit", unit), "monthlyBudget": "1234.00", "idempotencyKey": key}}

    first = asyncio.ensure_future(_run(world, sources, variables))
    await within(writer.entered.wait())
    impatient = await within(_run(world, sources, variables, wait=0.2))
    [error] = impatient.errors
    assert error.extensions["code"] == "IDEMPOTENCY_KEY_IN_USE" and error.extensions["retryAfterSeconds"] >= 1
    patient = asyncio.ensure_future(_run(world, sources, variables))
    writer.go.set()
    answers = [await within(first), await within(patient)]

    assert [answer.errors for answer in answers] == [None, None]
    assert answers[0].data == answers[1].data
    assert answers[0].data["orgUnitSetBudget"]["orgUnit"]["monthlyBudget"]["amount"] == "1234.00"
    audited = await world.scalar("state", "select count(*) from audit_log where action = 'orgUnitSetBudget'")
    assert audited == 1, "the copies ran nothing: one change, one record"


class FailingWriter(CrmWriter):
    async def set_unit_budget(self, unit_id: int, expected_minor: int | None, budget_minor: int | None) -> bool:
        raise RuntimeError("a bug before the write")


async def test_a_change_that_fails_unexpectedly_leaves_its_intent_for_the_recovery_pass(writable_world):
    """Its key stays reserved (whether the write happened is not known in process); the pass
    settles it as interrupted, and a retry with the key gets that answer and writes nothing."""
    world = writable_world
    unit = await world.scalar("crm", "select id from org_units where name = 'Sales'")
    key = f"budget-{uuid.uuid4().hex}"
    variables = {"input": {"orgUnit": to_global_id("OrgUnit", unit), "monthlyBudget": "99.00", "idempotencyKey": key}}
    failing = replace(world.sources, crm_writer=FailingWriter(world.sources.crm_writer))
    failed = await _run(world, failing, variables, hold=0.3)
    assert failed.errors is not None and failed.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert await world.scalar("state", "select outcome from audit_log where action = 'orgUnitSetBudget'") == "pending"

    await settled_once(world.sources)
    retried = await _run(world, world.sources, variables)
    assert retried.errors is None
    assert [e["code"] for e in retried.data["orgUnitSetBudget"]["userErrors"]] == ["INTERRUPTED"]
    assert await world.scalar("crm", "select monthly_budget_minor from org_units where id = :u", u=unit) != 9900
    assert await world.scalar("state", "select outcome from audit_log where action = 'orgUnitSetBudget'") == (
        "interrupted"
    )


async def test_the_recovery_pass_leaves_intents_whose_hold_is_renewed(writable_world):
    world = writable_world
    entry = AuditEntry("r-young", None, "acme.admin", "customer_admin", None, "orgUnitUpdate", "pending", {"input": {}})
    audit_id = await world.sources.audit.begin(entry, datetime.now(UTC) + timedelta(seconds=1))
    await world.sources.audit.hold(audit_id, datetime.now(UTC) + timedelta(hours=1))
    assert await settle_abandoned(world.sources) == 0
    assert (await world.sources.audit.one(audit_id)).outcome == "pending"
    await world.sources.audit.hold(audit_id, datetime.now(UTC) - timedelta(seconds=1))
    assert await settle_abandoned(world.sources) == 1
    assert (await world.sources.audit.one(audit_id)).outcome == "interrupted"


class StoppingAudit(AuditLog):
    """The real audit log, whose process 'stops' when a change would record its outcome."""

    async def settle(self, audit_id: int, outcome: str, detail: dict[str, Any], targets: Any) -> bool:
        raise RuntimeError("the process stopped here")


async def test_a_large_selection_stopped_after_starting_its_bulk_operation_is_answered_with_it(bulk_world):
    world = bulk_world
    lines = await acme_lines(world, 250, offset=4000)
    key = f"dry-{uuid.uuid4().hex}"
    request = {"selection": {"ids": [to_global_id("Subscriber", line) for line in lines]}, "reason": "LEAVE",
               "dryRun": True, "idempotencyKey": key}  # fmt: skip
    stopping = replace(world.sources, audit=StoppingAudit(world.sources.audit.backend))
    stopped = await _run(world, stopping, {"input": request}, hold=0.3, query=SUSPEND)
    assert stopped.errors is not None
    started = await world.scalar("state", "select max(id) from bulk_operations")

    await settled_once(world.sources)
    retried = await world.data("acme.admin", SUSPEND, {"input": request})
    assert retried["subscriberSuspend"]["bulkOperation"] == {"id": to_global_id("BulkOperation", started)}
    assert retried["subscriberSuspend"]["userErrors"] == []


class BreakingWriter(CrmWriter):
    """The real writer; the third line's status write finds the backend gone."""

    def __init__(self, real: CrmWriter) -> None:
        super().__init__(real.backend)
        self.writes = 0

    async def set_line_status(self, line_id: int, expected: str, status: str) -> bool:
        self.writes += 1
        if self.writes == 3:
            raise BackendUnavailable("The crm backend did not answer in time.", backend="crm")
        return await super().set_line_status(line_id, expected, status)


LINES = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  applied failed results { lineId outcome code } userErrors { field code message } } }"""


async def test_a_backend_failing_midway_leaves_the_written_lines_in_the_answer_the_trail_and_the_key(writable_world):
    world = writable_world
    lines = await world.scalar(
        "crm", "select string_agg(cast(id as text), ',') from (select id from subscribers where status = 'active' "
        "and customer_id = (select id from customers where code = 'ACME') order by id limit 5) s"
    ) if world.backend == "postgres" else await world.scalar(
        "crm", "select group_concat(id) from (select id from subscribers where status = 'active' "
        "and customer_id = (select id from customers where code = 'ACME') order by id limit 5)"
    )  # fmt: skip
    ids = [int(line) for line in lines.split(",")]
    key = f"suspend-{uuid.uuid4().hex}"
    request = {"selection": {"ids": [to_global_id("Subscriber", i) for i in ids]}, "reason": "LEAVE",
               "idempotencyKey": key}  # fmt: skip
    breaking = replace(world.sources, crm_writer=BreakingWriter(world.sources.crm_writer))

    answer = await _run(world, breaking, {"input": request}, query=LINES)

    assert answer.errors is None
    payload = answer.data["subscriberSuspend"]
    assert [(r["outcome"], r["code"]) for r in payload["results"]] == [
        ("APPLIED", None), ("APPLIED", None), ("FAILED", "BACKEND_UNAVAILABLE"),
        ("FAILED", "BACKEND_UNAVAILABLE"), ("FAILED", "BACKEND_UNAVAILABLE"),
    ]  # fmt: skip
    suspended = {i for i in ids if await world.scalar("crm", "select status from subscribers where id = :i", i=i)
                 == "suspended"}  # fmt: skip
    assert suspended == set(ids[:2])
    record = await world.sources.audit.page(AuditQuery(RowScope.everything(), action="subscriberSuspend", span=Span(1)))
    assert [r["outcome"] for r in record[0].detail["results"]] == ["applied", "applied", "failed", "failed", "failed"]
    replayed = await _run(world, world.sources, {"input": request}, query=LINES)
    assert replayed.data == answer.data


async def test_a_change_that_runs_past_its_hold_keeps_its_key_while_it_runs(writable_world):
    """A change over a socket has no time limit: it renews its hold, so a copy sent while it runs
    waits for it instead of settling it as stopped."""
    world = writable_world
    writer = HeldWriter(world.sources.crm_writer)
    sources = replace(world.sources, crm_writer=writer)
    unit = await world.scalar("crm", "select id from org_units where name = 'Sales'")
    key = f"budget-{uuid.uuid4().hex}"
    variables = {"input": {"orgUnit": to_global_id("OrgUnit", unit), "monthlyBudget": "777.00", "idempotencyKey": key}}

    # The hold is renewed every third of it: two thirds are left for a renewal's writes, which a
    # busy host can hold up for a while (a hold of 0.3 s lapsed on one).
    first = asyncio.ensure_future(_run(world, sources, variables, hold=HOLD))
    await within(writer.entered.wait())
    held = await world.scalar("state", "select held_until from audit_log where outcome = 'pending'")
    first_hold_out = asyncio.get_running_loop().time() + HOLD  # the intent was held before the write began

    async def outlived() -> bool:  # the first hold has run out since the change began, and was renewed
        now = await world.scalar("state", "select held_until from audit_log where outcome = 'pending'")
        return asyncio.get_running_loop().time() > first_hold_out and now != held

    await eventually(outlived, "the change to outlive its first hold")
    assert await settle_abandoned(world.sources) == 0, "a change at work is not taken for stopped"
    copy = asyncio.ensure_future(_run(world, sources, variables, hold=HOLD))
    writer.go.set()
    assert (await within(first)).data == (await within(copy)).data
    audited = await world.scalar("state", "select count(*) from audit_log where action = 'orgUnitSetBudget'")
    assert audited == 1


class UnkeptAnswers(IdempotencyStore):
    """The real store, whose state database fails just as an answer is kept."""

    async def keep(self, user_id: int, key: str, response: dict[str, Any]) -> None:
        raise BackendUnavailable("The state backend did not answer in time.", backend="state")


async def test_an_answer_that_could_not_be_kept_is_kept_from_the_changes_record(writable_world):
    world = writable_world
    unit = await world.scalar("crm", "select id from org_units where name = 'Sales'")
    key = f"budget-{uuid.uuid4().hex}"
    variables = {"input": {"orgUnit": to_global_id("OrgUnit", unit), "monthlyBudget": "555.00", "idempotencyKey": key}}
    unkept = replace(world.sources, idempotency=UnkeptAnswers(world.sources.idempotency.backend))

    made = await _run(world, unkept, variables, hold=0.3)
    assert made.errors is None and made.data["orgUnitSetBudget"]["userErrors"] == []

    async def answered() -> Any:
        await settle_abandoned(world.sources)
        return (await world.sources.idempotency.find((await world.principal("acme.admin")).user_id, key)).done

    await eventually(answered, "the key to be answered from the change's record")
    retried = await _run(world, world.sources, variables)
    assert [e["code"] for e in retried.data["orgUnitSetBudget"]["userErrors"]] == ["ANSWER_LOST"]
    audited = await world.scalar("state", "select count(*) from audit_log where action = 'orgUnitSetBudget'")
    assert audited == 1, "the retry changed nothing"
