"""A bulk operation's lease holds while a chunk of slow writes outlasts it, and a worker whose
lease was taken over writes no further line and records nothing: every line is written once,
by one worker, and the counts, the cost impact and the audit say so."""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.ids import from_global_id
from core.scope import RowScope
from jobs.worker import BulkWorker
from sources.keyset import Span
from sources.state.audit import AuditQuery
from sources.state.bulk_operations import BulkStart, BulkStore, ItemResult, Lease, LeaseLost
from tests.api.bulk.test_bulk_operations import (
    OPERATION,
    CountingWriter,
    acme_lines,
    all_results,
    audited_results,
    copies_of,
    expected_outcomes,
    service_id,
    start,
)
from tests.support import LOGINS, World
from tests.waiting import eventually, within

# Short enough to outlast in a test, long enough that a loaded machine's renewal comes back within
# two thirds of it (jobs/bulk_lease.py): a worker writes no line after a renewal that took longer.
# With two seconds (1.3 s for a renewal) a loaded host's drain of 290 lines did not end in 5 minutes.
LEASE = timedelta(seconds=6)
EVERYONE = RowScope.everything()


class StallingWriter(CountingWriter):
    """The counting writer, which stalls at line ``stall_at`` until ``go`` is set: before its
    write reaches billing, or (``after_write``) once billing has it and before it answers."""

    def __init__(self, real: Any, written: Counter[int], stall_at: int, *, after_write: bool = False) -> None:
        super().__init__(real, written)
        self.stall_at, self.after_write = stall_at, after_write
        self.stalled, self.go = asyncio.Event(), asyncio.Event()
        self.stalled_at: datetime | None = None
        self.order: list[int] = []

    async def add_line_services(self, line_id: int, *args: Any) -> bool:
        self.order.append(line_id)
        if line_id == self.stall_at and not self.after_write:
            await self._stall()
        written = await super().add_line_services(line_id, *args)
        if line_id == self.stall_at and self.after_write:
            await self._stall()
        return written

    async def _stall(self) -> None:
        self.stalled_at = datetime.now(UTC)
        self.stalled.set()
        await self.go.wait()


class WatchedStore(BulkStore):
    """The real bulk store, noting each claim asked for (when, and what it got); while
    ``cut_off`` is set, its renewals wait for ``reachable`` — the state database out of this
    worker's reach, but not out of the others'."""

    def __init__(self, real: BulkStore) -> None:
        super().__init__(real.backend)
        self.claims: list[tuple[datetime, Lease | None]] = []
        self.cut_off, self.reachable = False, asyncio.Event()

    async def claim_next(self, worker: str, length: timedelta) -> Lease | None:
        asked_at = datetime.now(UTC)
        lease = await super().claim_next(worker, length)
        self.claims.append((asked_at, lease))
        return lease

    async def renew(self, lease: Lease) -> Any:
        if self.cut_off:
            await self.reachable.wait()
        return await super().renew(lease)


def watched_worker(world: World, writer: CountingWriter, name: str, **options: Any) -> tuple[BulkWorker, WatchedStore]:
    store = WatchedStore(world.sources.bulk)
    sources = dataclasses.replace(world.sources, bulk=store, billing_writer=writer)
    return BulkWorker(sources, name=name, lease=LEASE, chunk=50, poll_seconds=0.05, **options), store


async def fence_of(world: World, operation: str) -> int:
    return await world.scalar("state", f"select fence from bulk_operations where id = {from_global_id(operation)[1]}")


async def assert_changed_exactly_once(
    world: World, operation: str, expected: dict[int, tuple[str, str | None]], service: int, before: Counter[int]
) -> None:
    """Counts, cost impact, per-line results, billing and audit all tell of one write per applied line."""
    admin = LOGINS["customer_admin"]
    done = (await world.data(admin, OPERATION, {"id": operation}))["node"]
    tally = Counter(outcome for outcome, _ in expected.values())
    assert (done["status"], done["done"]) == ("COMPLETED", len(expected))
    assert (done["applied"], done["skipped"], done["failed"]) == (tally["applied"], tally["skipped"], tally["failed"])
    fee = await world.scalar("billing", "select monthly_fee_minor from services where id = :s", s=service)
    assert done["monthlyCostImpact"]["amount"] == f"{tally['applied'] * fee / 100:.2f}"
    results = await all_results(world, admin, operation)
    assert {from_global_id(r["lineId"])[1]: (r["outcome"].lower(), r["code"]) for r in results} == expected
    applied = {line for line, (outcome, _) in expected.items() if outcome == "applied"}
    assert await copies_of(world, service) == before + Counter(dict.fromkeys(applied, 1))
    audited = Counter(r["line_id"] for r in await audited_results(world, operation) if r["outcome"] == "applied")
    assert audited == Counter(dict.fromkeys(applied, 1))


async def test_a_chunk_slower_than_the_lease_keeps_its_one_writer_and_reports_exact_counts(bulk_world, customer_admin):
    """One line's billing write stalls for longer than the lease; another worker keeps asking
    for work meanwhile. The heartbeat keeps the lease, the other worker gets nothing, and the
    chunk, past a third of the lease, takes no further line: the rest go to the next chunk."""
    world = bulk_world
    lines = await acme_lines(world, 300, offset=3500)
    service = await service_id(world, "DATA-PACK-20")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    stall_at = [line for line, (outcome, _) in expected.items() if outcome == "applied"][10]
    operation = (await start(world, customer_admin, lines, service))["bulkOperation"]["id"]

    written, written_by_the_other = Counter[int](), Counter[int]()
    slow = StallingWriter(world.sources.billing_writer, written, stall_at)
    other = CountingWriter(world.sources.billing_writer, written_by_the_other)
    first, _ = watched_worker(world, slow, "first")
    second, asked = watched_worker(world, other, "second")
    working = asyncio.create_task(first.drain())
    try:
        await within(slow.stalled.wait())
        second.start()
        assert slow.stalled_at is not None
        # Without renewals the lease would have run out by then: the first worker's last
        # renewal was before the stall.
        expired = slow.stalled_at + LEASE

        def asked_after_the_lease_would_have_run_out() -> bool:
            return any(asked_at > expired for asked_at, _ in asked.claims)

        await eventually(asked_after_the_lease_would_have_run_out, "the second worker to ask for work")
        slow.go.set()
        await within(working)
    finally:
        slow.go.set()
        await second.stop()
        if not working.done():
            working.cancel()

    taken = [lease.operation_id for _, lease in asked.claims if lease is not None]
    assert from_global_id(operation)[1] not in taken, "the second worker took the operation over mid-chunk"
    assert slow.refused == other.refused == [], "a line was written a second time"
    assert not set(written_by_the_other) & set(lines) and set(written.values()) == {1}
    assert await fence_of(world, operation) == 1
    await assert_changed_exactly_once(world, operation, expected, service, before)
    # The stalled chunk was recorded up to the stalled line; the next chunk started after it.
    chunks = [[r["line_id"] for r in record["results"]] for record in await audit_details(world, operation)]
    assert [chunk[-1] for chunk in chunks if stall_at in chunk] == [stall_at]
    assert sorted(line for chunk in chunks for line in chunk) == sorted(lines)


async def audit_details(world: World, operation: str) -> list[dict[str, Any]]:
    """The details of the audit records the workers wrote for ``operation``, one per chunk."""
    query = AuditQuery(RowScope.everything(), target=("BulkOperation", from_global_id(operation)[1]), span=Span(1000))
    return [record.detail for record in await world.sources.audit.page(query) if "results" in record.detail]


async def test_a_worker_whose_lease_was_taken_over_writes_no_further_line_and_records_nothing(
    bulk_world, customer_admin
):
    """The first worker's billing write stalls and the state database is out of its reach, so
    its lease runs out; the second worker claims the operation (the fence moves on) and finishes
    it. When the first worker's write returns, it writes no further line of its chunk."""
    world = bulk_world
    lines = await acme_lines(world, 300, offset=4000)
    service = await service_id(world, "DATA-PACK-20")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    stall_at = [line for line, (outcome, _) in expected.items() if outcome == "applied"][10]
    operation = (await start(world, customer_admin, lines, service))["bulkOperation"]["id"]
    key = from_global_id(operation)[1]

    written: Counter[int] = Counter()
    slow = StallingWriter(world.sources.billing_writer, written, stall_at, after_write=True)
    other = CountingWriter(world.sources.billing_writer, written)
    first, cut = watched_worker(world, slow, "first")
    second, _ = watched_worker(world, other, "second")
    working = asyncio.create_task(first.drain())
    try:
        await within(slow.stalled.wait())
        cut.cut_off = True
        second.start()

        async def taken_over_and_completed() -> bool:
            status = await world.scalar("state", f"select status from bulk_operations where id = {key}")
            return status == "completed"

        await eventually(taken_over_and_completed, "the second worker to finish the operation")
        cut.reachable.set()
        slow.go.set()
        await within(working)
    finally:
        cut.reachable.set()
        slow.go.set()
        await second.stop()
        if not working.done():
            working.cancel()

    mine = [line for line in slow.order if line in set(lines)]
    assert mine[-1] == stall_at, "the worker that lost its lease wrote further lines"
    assert slow.refused == other.refused == [], "a line was written a second time"
    assert set(written.values()) == {1}
    assert await fence_of(world, operation) == 2
    await assert_changed_exactly_once(world, operation, expected, service, before)
    [lease] = [lease for _, lease in cut.claims if lease is not None and lease.operation_id == key]
    planned = ItemResult(stall_at, "applied", None, None, "", "DATA-PACK-20", 1200, "EUR")
    with pytest.raises(LeaseLost):
        await world.sources.bulk.record(lease, [planned], None)
    assert await fence_of(world, operation) == 2


async def test_every_write_under_an_earlier_claim_is_refused_even_from_a_worker_of_the_same_name(writable_world):
    world = writable_world
    admin = await world.principal(LOGINS["customer_admin"])
    lines = await acme_lines(world, 3)
    begun = BulkStart(customer_id=admin.customer_id, user_id=admin.user_id, login=admin.login,
                      role=admin.role.value, request_id=uuid.uuid4().hex, operation="subscriberServicesAdd",
                      input={}, dry_run=True)  # fmt: skip
    store = world.sources.bulk
    operation = await store.create(begun, lines)
    # A lease that has run out at once: the same worker claims the operation again.
    earlier = await store.claim_next("worker-1", timedelta(seconds=-1))
    later = await store.claim_next("worker-1", timedelta(minutes=1))
    assert earlier is not None and later is not None
    assert (earlier.operation_id, later.operation_id) == (operation, operation)
    assert (earlier.fence, later.fence) == (1, 2)

    planned = [ItemResult(line, "would_apply", None, None, "", "MULTISIM", 499, "EUR") for line in lines]
    refused = [
        lambda: store.renew(earlier),
        lambda: store.claim_items(earlier, planned),
        lambda: store.record(earlier, planned, None),
        lambda: store.finish(earlier, "completed"),
        lambda: store.release(earlier),
    ]
    for write in refused:
        with pytest.raises(LeaseLost):
            await write()
    [row] = await store.operations([operation], EVERYONE)
    assert (row.status, row.done, row.would_apply) == ("running", 0, 0)
    assert [item.claimed for item in await store.open_items(operation, 10)] == [None, None, None]

    await store.renew(later)
    await store.record(later, planned, None)
    await store.finish(later, "completed")
    [row] = await store.operations([operation], EVERYONE)
    assert (row.status, row.done, row.would_apply) == ("completed", 3, 3)
