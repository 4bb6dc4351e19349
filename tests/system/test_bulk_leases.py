"""Two real ``corpcare serve`` processes work on bulk operations with a two-second lease and the
default concurrency, while one line's billing write hangs in PostgreSQL for over two leases: the
worker holding the operation keeps it, the other never takes it over, and every line is written
once. Real processes, real databases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from core.ids import from_global_id
from jobs.worker import BulkWorker
from tests.api.bulk.test_bulk_leases import assert_changed_exactly_once, fence_of
from tests.api.bulk.test_bulk_operations import acme_lines, copies_of, expected_outcomes, service_id, start
from tests.support import World
from tests.system import test_bulk_restart
from tests.system.test_bulk_restart import serving
from tests.system.test_subscriptions import urls_of
from tests.waiting import PATIENCE, eventually

servers = test_bulk_restart.servers  # the fixture: every process a test starts is killed after it

# The stall is a PostgreSQL advisory lock, and SQLite files are no way to share the databases.
pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True, scope="session")

LEASE = timedelta(seconds=2)
POLL = timedelta(seconds=2)  # how often an idle worker asks for work (``BulkWorker``'s default)
STALL_KEY = 741_001


@asynccontextmanager
async def stalled_writes(world: World, line: int, service: int) -> AsyncIterator[AsyncConnection]:
    """Billing's insert of ``service`` for ``line`` waits while the connection yielded holds an
    advisory lock; the trigger is dropped afterwards."""
    async with world.engines.billing.connect() as conn:
        await conn.execute(text(
            "create or replace function corpcare_test_stall() returns trigger language plpgsql as $$ begin "
            f"perform pg_advisory_lock_shared({STALL_KEY}); perform pg_advisory_unlock_shared({STALL_KEY}); "
            "return new; end $$"
        ))  # fmt: skip
        await conn.execute(text(
            "create trigger corpcare_test_stall before insert on line_services for each row when "
            f"(new.subscriber_id = {line} and new.service_id = {service}) execute function corpcare_test_stall()"
        ))  # fmt: skip
        await conn.execute(text(f"select pg_advisory_lock({STALL_KEY})"))
        await conn.commit()
        try:
            yield conn
        finally:
            await conn.execute(text("select pg_advisory_unlock_all()"))
            await conn.execute(text("drop trigger corpcare_test_stall on line_services"))
            await conn.execute(text("drop function corpcare_test_stall()"))
            await conn.commit()


async def a_write_waits(world: World) -> bool:
    async with world.engines.billing.connect() as conn:
        waiting = await conn.execute(
            text("select count(*) from pg_locks where locktype = 'advisory' and objid = :k and not granted"),
            {"k": STALL_KEY},
        )
        return waiting.scalar_one() > 0


async def test_a_line_write_that_hangs_for_several_leases_leaves_the_operation_with_its_one_worker(
    bulk_world, servers, tmp_path, customer_admin
):
    world = bulk_world
    lines = await acme_lines(world, 300, offset=4500)
    service = await service_id(world, "DATA-PACK-20")
    expected = await expected_outcomes(world, lines, service)
    before = await copies_of(world, service)
    stall_at = [line for line, (outcome, _) in expected.items() if outcome == "applied"][20]
    await BulkWorker(world.sources).drain()  # nothing left by other tests for the servers to take first

    async with stalled_writes(world, stall_at, service):
        for _ in range(2):
            process, _ = await serving({**urls_of(world), "bulk_lease_seconds": str(LEASE.total_seconds())}, tmp_path)
            servers.append(process)
        operation = (await start(world, customer_admin, lines, service))["bulkOperation"]["id"]
        key = from_global_id(operation)[1]
        await eventually(lambda: a_write_waits(world), "a server to reach the stalled line", seconds=3 * PATIENCE)
        stalled_at = datetime.now(UTC)
        holder = await world.scalar("state", f"select worker from bulk_operations where id = {key}")

        async def held_or_taken_over() -> bool:
            """Taken over, or held past the moment the lease would have run out and the other
            server has asked for work since (it asks every ``POLL``)."""
            statement = f"select worker, lease_until from bulk_operations where id = {key}"
            async with world.engines.state.connect() as conn:
                worker, lease_until = (await conn.execute(text(statement))).one()
            return worker != holder or lease_until > stalled_at + LEASE + POLL + timedelta(seconds=0.5)

        # About 4.5 s: under the 10 s a billing call may take before the server gives it up.
        await eventually(held_or_taken_over, "the lease to be renewed or taken over")

    async def completed() -> bool:
        return await world.scalar("state", f"select status from bulk_operations where id = {key}") == "completed"

    await eventually(completed, "the operation to complete", seconds=5 * PATIENCE)
    worker = await world.scalar("state", f"select worker from bulk_operations where id = {key}")
    conflicts = await world.scalar(
        "state", f"select count(*) from bulk_items where operation_id = {key} and code = 'CONFLICT'"
    )
    print(f"held by {holder}, finished by {worker}, {conflicts} lines reported as conflicts")
    assert (worker, conflicts) == (holder, 0), "the other server took the operation over mid-chunk"
    assert await fence_of(world, operation) == 1
    await assert_changed_exactly_once(world, operation, expected, service, before)
