"""Bulk operations: selections above 200 lines run in the background, per line, and survive
a worker that dies mid-way without a line changed twice."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text, update

from core.ids import from_global_id, to_global_id
from core.scope import RowScope
from jobs.worker import BulkWorker
from sources.keyset import Span
from sources.state.audit import AuditQuery
from sources.state.bulk_operations import from_progress_event, progress_channel
from sources.state.models import BulkOperationRecord
from tests.api.access.test_access import codes
from tests.support import World
from tests.waiting import within

SERVICES = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  dryRun applied results { lineId }
  bulkOperation { id status total done operation startedBy }
  userErrors { field code message } } }"""

OPERATION = """query($id: ID!) { node(id: $id) { ... on BulkOperation {
  id operation status dryRun startedBy total done percentDone applied skipped failed wouldApply
  cancelRequested startedAt finishedAt monthlyCostImpact { amount currency } } } }"""

RESULTS = """query($id: ID!, $after: String, $outcome: [LineOutcome!]) { node(id: $id) { ... on BulkOperation {
  results(first: 1000, after: $after, outcome: $outcome) {
    nodes { lineId outcome code before after } pageInfo { hasNextPage endCursor } } } } }"""


class Killed(BaseException):
    """The worker's process dies here: nothing after this line of code runs."""


class CountingWriter:
    """The real billing writer, counting each line's successful writes and the writes billing
    refused because the line already had the service (a second write of the same line); it
    can kill the worker at its ``die_at``-th call, just before or just after the backend commits.

    A write whose task is cancelled while the backend commits is in billing but not counted:
    only a worker killed with several writes in flight leaves such lines."""

    def __init__(self, real: Any, written: Counter[int], die_at: int | None = None, after_write: bool = True) -> None:
        self.real, self.written, self.die_at, self.after_write = real, written, die_at, after_write
        self.calls = 0
        self.refused: list[int] = []

    async def add_line_services(self, line_id: int, *args: Any) -> bool:
        self.calls += 1
        dying = self.calls == self.die_at
        if dying and not self.after_write:
            raise Killed
        written = await self.real.add_line_services(line_id, *args)
        if written:
            self.written[line_id] += 1
        else:
            self.refused.append(line_id)
        if dying:
            raise Killed
        return written


def worker(world: World, writer: CountingWriter, **options: Any) -> BulkWorker:
    return BulkWorker(dataclasses.replace(world.sources, billing_writer=writer), **options)


async def acme_lines(world: World, count: int, offset: int = 0) -> list[int]:
    async with world.engines.crm.connect() as conn:
        rows = await conn.execute(
            text(
                "select s.id from subscribers s join customers c on c.id = s.customer_id "
                "where c.code = 'ACME' order by s.id limit :n offset :o"
            ),
            {"n": count, "o": offset},
        )
        return [row[0] for row in rows]


async def service_id(world: World, code: str) -> int:
    return await world.scalar("billing", "select id from services where code = :c", c=code)


async def expected_outcomes(world: World, lines: list[int], service: int) -> dict[int, tuple[str, str | None]]:
    """What adding ``service`` must do to each line, read from the databases before the change."""
    async with world.engines.crm.connect() as conn:
        status = dict((await conn.execute(text("select id, status from subscribers"))).all())
    async with world.engines.billing.connect() as conn:
        having = {
            row[0]
            for row in await conn.execute(
                text("select subscriber_id from line_services where service_id = :s"), {"s": service}
            )
        }
    expected = {}
    for line in lines:
        if status[line] == "terminated":
            expected[line] = ("failed", "LINE_TERMINATED")
        elif status[line] == "suspended":
            expected[line] = ("failed", "LINE_SUSPENDED")
        elif line in having:
            expected[line] = ("skipped", "ALREADY_IN_STATE")
        else:
            expected[line] = ("applied", None)
    return expected


async def copies_of(world: World, service: int) -> Counter[int]:
    """How many times each line holds ``service`` in billing."""
    async with world.engines.billing.connect() as conn:
        rows = await conn.execute(
            text("select subscriber_id, count(*) from line_services where service_id = :s group by subscriber_id"),
            {"s": service},
        )
        return Counter(dict(rows.all()))


async def all_results(world: World, login: str, operation: str) -> list[dict[str, Any]]:
    results, after = [], None
    while True:
        page = (await world.data(login, RESULTS, {"id": operation, "after": after}))["node"]["results"]
        results += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return results
        after = page["pageInfo"]["endCursor"]


async def start(world: World, login: str, lines: list[int], service: int, **extra: Any) -> dict[str, Any]:
    ids = [to_global_id("Subscriber", line) for line in lines]
    request = {"selection": {"ids": ids}, "services": [to_global_id("Service", service)], **extra}
    return (await world.data(login, SERVICES, {"input": request}))["subscriberServicesAdd"]


async def audited_results(world: World, operation: str) -> list[dict[str, Any]]:
    """Per-line results in the audit records the worker wrote for ``operation``."""
    operation_id = from_global_id(operation)[1]
    query = AuditQuery(RowScope.everything(), target=("BulkOperation", operation_id), span=Span(1000))
    records = await world.sources.audit.page(query)
    return [result for record in records if "results" in record.detail for result in record.detail["results"]]


async def test_a_bulk_operation_over_5000_lines_completes_with_correct_counts(bulk_world, customer_admin):
    world = bulk_world
    lines = await acme_lines(world, 5000)
    service = await service_id(world, "CONF-CALL")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)

    started = await start(world, customer_admin, lines, service)
    operation = started["bulkOperation"]
    assert started["userErrors"] == [] and started["results"] == []
    assert (operation["status"], operation["total"], operation["done"]) == ("QUEUED", 5000, 0)
    assert (operation["operation"], operation["startedBy"]) == ("subscriberServicesAdd", "acme.admin")

    written: Counter[int] = Counter()
    await worker(world, CountingWriter(world.sources.billing_writer, written)).drain()

    done = (await world.data(customer_admin, OPERATION, {"id": operation["id"]}))["node"]
    tally = Counter(outcome for outcome, _ in expected.values())
    assert (done["status"], done["done"], done["percentDone"]) == ("COMPLETED", 5000, 100.0)
    assert (done["applied"], done["skipped"], done["failed"]) == (tally["applied"], tally["skipped"], tally["failed"])
    assert tally["applied"] > 3000 and tally["failed"] > 0  # the demo has suspended and terminated lines
    fee = await world.scalar("billing", "select monthly_fee_minor from services where id = :s", s=service)
    assert done["monthlyCostImpact"]["amount"] == f"{tally['applied'] * fee / 100:.2f}"

    results = await all_results(world, customer_admin, operation["id"])
    assert {from_global_id(r["lineId"])[1]: (r["outcome"].lower(), r["code"]) for r in results} == expected
    applied = {line for line, (outcome, _) in expected.items() if outcome == "applied"}
    assert set(written) == applied and set(written.values()) == {1}
    assert await copies_of(world, service) == before + Counter(dict.fromkeys(applied, 1))
    audited = Counter(r["line_id"] for r in await audited_results(world, operation["id"]) if r["outcome"] == "applied")
    assert audited == Counter(dict.fromkeys(applied, 1))


@pytest.mark.parametrize(
    ("after_write", "concurrency", "offset"),
    [(True, 1, 4000), (False, 1, 3000), (True, 4, 2000)],
    ids=["killed-after-a-commit", "killed-before-a-write", "killed-with-four-writes-in-flight"],
)
async def test_a_bulk_operation_whose_worker_dies_resumes_and_changes_every_line_exactly_once(
    bulk_world, customer_admin, after_write, concurrency, offset
):
    world = bulk_world
    lines = await acme_lines(world, 1000, offset=offset)
    service = await service_id(world, "WATCH-ESIM")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    operation = (await start(world, customer_admin, lines, service))["bulkOperation"]["id"]

    written: Counter[int] = Counter()
    # A lease no chunk outlasts on a busy machine; its running out is the test's to decide (below).
    lease = timedelta(seconds=60)
    doomed = CountingWriter(world.sources.billing_writer, written, die_at=437, after_write=after_write)
    # With writes in flight, the other writes of the chunk are cancelled wherever they are.
    with pytest.raises((Killed, BaseExceptionGroup)) as death:
        await worker(world, doomed, lease=lease, chunk=50, concurrency=concurrency).drain()
    assert death.type is Killed or death.group_contains(Killed)
    midway = (await world.data(customer_admin, OPERATION, {"id": operation}))["node"]
    assert midway["status"] == "RUNNING" and 0 < midway["done"] < 1000
    if concurrency == 1:
        assert sum(written.values()) == 437 - (0 if after_write else 1)

    # Another worker (another process, after a restart) takes over once the lease has run out: as
    # the dead worker's heartbeat stopped, its lease ends as if its time had passed.
    async with world.engines.state.begin() as conn:
        await conn.execute(
            update(BulkOperationRecord)
            .where(BulkOperationRecord.id == from_global_id(operation)[1])
            .values(lease_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    survivor = CountingWriter(world.sources.billing_writer, written)
    await worker(world, survivor, lease=lease, chunk=50, concurrency=concurrency).drain()

    done = (await world.data(customer_admin, OPERATION, {"id": operation}))["node"]
    applied = {line for line, (outcome, _) in expected.items() if outcome == "applied"}
    assert (done["status"], done["done"], done["applied"]) == ("COMPLETED", 1000, len(applied))
    assert doomed.refused == survivor.refused == [], "a line was written a second time"
    assert set(written.values()) == {1} and set(written) <= applied
    if concurrency == 1:
        assert set(written) == applied
    assert await copies_of(world, service) == before + Counter(dict.fromkeys(applied, 1))
    results = await all_results(world, customer_admin, operation)
    assert {from_global_id(r["lineId"])[1]: (r["outcome"].lower(), r["code"]) for r in results} == expected
    audited = Counter(r["line_id"] for r in await audited_results(world, operation) if r["outcome"] == "applied")
    assert audited == Counter(dict.fromkeys(applied, 1))


async def test_a_cancelled_operation_skips_the_lines_not_reached(bulk_world, customer_admin):
    world = bulk_world
    lines = await acme_lines(world, 300, offset=1000)
    service = await service_id(world, "VISUAL-VM")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    operation = (await start(world, customer_admin, lines, service))["bulkOperation"]["id"]
    cancel = """mutation($id: ID!) { bulkOperationCancel(input: {bulkOperation: $id}) {
      bulkOperation { status cancelRequested } userErrors { code } } }"""
    key = from_global_id(operation)[1]
    async with world.sources.events.listen(progress_channel(key), size=1) as mailbox:
        cancelled = (await world.data(customer_admin, cancel, {"id": operation}))["bulkOperationCancel"]
        # Its followers hear of the cancel at once, not at their next poll of the state database.
        heard = from_progress_event(await within(mailbox.get()))
    assert cancelled == {"bulkOperation": {"status": "QUEUED", "cancelRequested": True}, "userErrors": []}
    assert (heard.id, heard.cancel_requested) == (key, True)

    await worker(world, CountingWriter(world.sources.billing_writer, Counter())).drain()
    done = (await world.data(customer_admin, OPERATION, {"id": operation}))["node"]
    assert (done["status"], done["applied"], done["done"]) == ("CANCELLED", 0, 300)
    results = await all_results(world, customer_admin, operation)
    # Lines that were to change are skipped as cancelled; the others keep their own answer.
    cancelled_instead = {line: ("skipped", "CANCELLED") if outcome == "applied" else (outcome, code)
                         for line, (outcome, code) in expected.items()}  # fmt: skip
    assert {from_global_id(r["lineId"])[1]: (r["outcome"].lower(), r["code"]) for r in results} == cancelled_instead
    assert await copies_of(world, service) == before
    again = (await world.data(customer_admin, cancel, {"id": operation}))["bulkOperationCancel"]
    assert again["userErrors"] == [{"code": "CONFLICT"}]


async def test_a_bulk_dry_run_reports_what_would_change_and_writes_nothing(bulk_world, customer_admin):
    world = bulk_world
    lines = await acme_lines(world, 400, offset=1500)
    service = await service_id(world, "MULTISIM")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    operation = (await start(world, customer_admin, lines, service, dryRun=True))["bulkOperation"]["id"]
    await worker(world, CountingWriter(world.sources.billing_writer, Counter())).drain()
    done = (await world.data(customer_admin, OPERATION, {"id": operation}))["node"]
    would = sum(1 for outcome, _ in expected.values() if outcome == "applied")
    assert (done["dryRun"], done["status"], done["wouldApply"], done["applied"]) == (True, "COMPLETED", would, 0)
    assert await copies_of(world, service) == before


async def test_a_unit_admins_bulk_selection_fails_the_lines_outside_its_scope(bulk_world, unit_admin):
    world = bulk_world
    lines = await acme_lines(world, 250, offset=2000)
    visible = await world.data(unit_admin, "{ subscribers(first: 2000) { nodes { id } } }")
    mine = {from_global_id(n["id"])[1] for n in visible["subscribers"]["nodes"]}
    inside = [line for line in await acme_lines(world, 5250) if line in mine][:10]
    service = await service_id(world, "CONF-CALL")
    operation = (await start(world, unit_admin, lines + inside, service, dryRun=True))["bulkOperation"]["id"]
    await worker(world, CountingWriter(world.sources.billing_writer, Counter())).drain()
    results = await all_results(world, unit_admin, operation)
    outside = {from_global_id(r["lineId"])[1] for r in results if r["code"] == "NOT_FOUND"}
    assert outside == set(lines + inside) - mine and inside and not outside & mine


async def test_bulk_operations_are_seen_by_their_starter_and_the_company_admin_only(
    bulk_world, unit_admin, customer_admin, other_admin, finance
):
    world = bulk_world
    lines = await acme_lines(world, 210, offset=2500)
    service = await service_id(world, "CONF-CALL")
    operation = (await start(world, unit_admin, lines, service, dryRun=True))["bulkOperation"]["id"]
    listing = "{ bulkOperations(first: 100) { nodes { id startedBy } } }"
    for login in (unit_admin, customer_admin):
        seen = {n["id"] for n in (await world.data(login, listing))["bulkOperations"]["nodes"]}
        assert operation in seen
    for login in (other_admin, finance):
        result = await world.run(login, OPERATION, {"id": operation})
        assert result.data == {"node": None} and codes(result) == ["NOT_FOUND"]
        seen = {n["id"] for n in (await world.data(login, listing))["bulkOperations"]["nodes"]}
        assert operation not in seen


async def test_the_same_idempotency_key_returns_the_same_bulk_operation(bulk_world, customer_admin):
    world = bulk_world
    lines = await acme_lines(world, 220, offset=3300)
    service = await service_id(world, "CONF-CALL")
    first = await start(world, customer_admin, lines, service, dryRun=True, idempotencyKey="bulk-replay-1")
    again = await start(world, customer_admin, lines, service, dryRun=True, idempotencyKey="bulk-replay-1")
    assert first["bulkOperation"]["id"] == again["bulkOperation"]["id"]
    count = await world.scalar("state", "select count(*) from bulk_operations where request_id is not null")
    other = await start(world, customer_admin, lines, service, dryRun=True)
    assert other["bulkOperation"]["id"] != first["bulkOperation"]["id"]
    assert await world.scalar("state", "select count(*) from bulk_operations") == count + 1


async def test_all_or_nothing_is_refused_above_200_lines(bulk_world, customer_admin):
    world = bulk_world
    lines = await acme_lines(world, 201)
    service = await service_id(world, "CONF-CALL")
    count = await world.scalar("state", "select count(*) from bulk_operations")
    refused = await start(world, customer_admin, lines, service, allOrNothing=True)
    assert refused["bulkOperation"] is None
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [(["allOrNothing"], "BAD_USER_INPUT")]
    assert await world.scalar("state", "select count(*) from bulk_operations") == count


async def test_a_starter_who_loses_the_right_to_change_lines_changes_no_more_of_them(bulk_world, unit_admin):
    world = bulk_world
    visible = await world.data(unit_admin, "{ subscribers(first: 2000) { nodes { id } } }")
    mine = sorted(from_global_id(n["id"])[1] for n in visible["subscribers"]["nodes"])[:250]
    assert len(mine) > 200
    service = await service_id(world, "MULTISIM")
    before = await copies_of(world, service)
    operation = (await start(world, unit_admin, mine, service))["bulkOperation"]["id"]
    async with world.engines.crm.begin() as conn:
        await conn.execute(text("update portal_users set role = 'analyst' where login = :l"), {"l": unit_admin})
    try:
        await worker(world, CountingWriter(world.sources.billing_writer, Counter())).drain()
    finally:
        async with world.engines.crm.begin() as conn:
            await conn.execute(text("update portal_users set role = 'unit_admin' where login = :l"), {"l": unit_admin})
    done = (await world.data(unit_admin, OPERATION, {"id": operation}))["node"]
    assert (done["status"], done["failed"], done["applied"]) == ("COMPLETED", len(mine), 0)
    assert {r["code"] for r in await all_results(world, unit_admin, operation)} == {"FORBIDDEN"}
    assert await copies_of(world, service) == before
