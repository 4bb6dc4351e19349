"""Idempotency keys reserved before the work, in process: a copy that waits in vain is told to
come back (and never runs), a change that fails before it touches anything frees its key, and
the recovery pass settles an intent whose process stopped."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

from resolvers.ids import to_global_id
from resolvers.recovery import settle_abandoned
from schema import build_schema
from sources.crm.writes import CrmWriter
from sources.state.audit import AuditEntry, AuditLog
from tests.schema.test_bulk_operations import acme_lines
from tests.waiting import within

BUDGET = """mutation($input: OrgUnitSetBudgetInput!) { orgUnitSetBudget(input: $input) {
  orgUnit { monthlyBudget { amount } } userErrors { field code message } } }"""
SUSPEND = """mutation($input: SubscriberSuspendInput!) { subscriberSuspend(input: $input) {
  bulkOperation { id } userErrors { field code message } } }"""


class HeldWriter(CrmWriter):
    """The real writer, whose budget writes wait until the test lets them go."""

    def __init__(self, real: CrmWriter) -> None:
        super().__init__(real.backend)
        self.entered = asyncio.Event()
        self.go = asyncio.Event()

    async def set_unit_budget(self, unit_id: int, expected_minor: int | None, budget_minor: int | None) -> bool:
        self.entered.set()
        await self.go.wait()
        return await super().set_unit_budget(unit_id, expected_minor, budget_minor)


async def _run(world: Any, sources: Any, variables: dict[str, Any], *, wait: float = 20.0) -> Any:
    context = world.context(await world.principal("acme.admin"))
    context = replace(context, sources=sources, key_wait_seconds=wait)
    return await build_schema().execute(BUDGET, variable_values=variables, context_value=context)


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
    failed = await _run(world, replace(world.sources, crm_writer=FailingWriter(world.sources.crm_writer)), variables)
    assert failed.errors is not None and failed.errors[0].extensions["code"] == "INTERNAL_SERVER_ERROR"
    assert await world.scalar("state", "select outcome from audit_log where action = 'orgUnitSetBudget'") == "pending"

    assert await settle_abandoned(world.sources, timedelta(0)) == 1
    assert await settle_abandoned(world.sources, timedelta(0)) == 0, "settled once"
    retried = await _run(world, world.sources, variables)
    assert retried.errors is None
    assert [e["code"] for e in retried.data["orgUnitSetBudget"]["userErrors"]] == ["INTERRUPTED"]
    assert await world.scalar("crm", "select monthly_budget_minor from org_units where id = :u", u=unit) != 9900
    assert await world.scalar("state", "select outcome from audit_log where action = 'orgUnitSetBudget'") == (
        "interrupted"
    )


async def test_the_recovery_pass_leaves_intents_younger_than_the_hold(writable_world):
    world = writable_world
    entry = AuditEntry("r-young", None, "acme.admin", "customer_admin", None, "orgUnitUpdate", "pending", {"input": {}})
    audit_id = await world.sources.audit.begin(entry)
    assert await settle_abandoned(world.sources, timedelta(hours=1)) == 0
    assert (await world.sources.audit.one(audit_id)).outcome == "pending"
    assert await settle_abandoned(world.sources, timedelta(0)) == 1
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
    context = replace(world.context(await world.principal("acme.admin")), sources=stopping)
    stopped = await build_schema().execute(SUSPEND, variable_values={"input": request}, context_value=context)
    assert stopped.errors is not None
    started = await world.scalar("state", "select max(id) from bulk_operations")

    assert await settle_abandoned(world.sources, timedelta(0)) >= 1
    retried = await world.data("acme.admin", SUSPEND, {"input": request})
    assert retried["subscriberSuspend"]["bulkOperation"] == {"id": to_global_id("BulkOperation", started)}
    assert retried["subscriberSuspend"]["userErrors"] == []
