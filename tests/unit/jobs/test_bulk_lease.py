"""A worker writes a bulk operation's lines only while its lease is surely still held: a late
heartbeat is made good on the spot, and a lease that could not be renewed for two thirds of its
length, or that another claim took over, stops the writes. The clock is injected; the state
database is real (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from core.errors import BackendUnavailable
from jobs.bulk_lease import Heartbeat
from sources.state.bulk_operations import BulkStart, BulkStore, Lease, LeaseLost
from sources.state.models import BulkOperationRecord
from tests.api.bulk.test_bulk_operations import acme_lines
from tests.support import LOGINS, World

LENGTH = timedelta(seconds=30)


class Unreachable(BulkStore):
    """The real store, whose renewals fail while ``down`` (the state database out of reach)."""

    def __init__(self, real: BulkStore) -> None:
        super().__init__(real.backend)
        self.down = False
        self.renewals = 0

    async def renew(self, lease: Lease) -> Any:
        self.renewals += 1
        if self.down:
            raise BackendUnavailable("The state backend is unavailable.", backend="state")
        return await super().renew(lease)


async def claimed(world: World) -> tuple[Unreachable, Lease]:
    admin = await world.principal(LOGINS["customer_admin"])
    begun = BulkStart(customer_id=admin.customer_id, user_id=admin.user_id, login=admin.login,
                      role=admin.role.value, request_id=uuid.uuid4().hex, operation="subscriberServicesAdd",
                      input={}, dry_run=True)  # fmt: skip
    store = Unreachable(world.sources.bulk)
    await store.create(begun, await acme_lines(world, 3))
    lease = await store.claim_next("worker-1", LENGTH)
    assert lease is not None
    return store, lease


async def test_a_late_heartbeat_is_made_good_before_a_write_and_an_unrenewable_lease_stops_the_writes(writable_world):
    store, lease = await claimed(writable_world)
    now = [lease.taken_at]
    heartbeat = Heartbeat(store, lease, clock=lambda: now[0])

    now[0] += 19.9  # two thirds of the lease not yet gone: no renewal needed
    await heartbeat.check()
    assert store.renewals == 0

    now[0] += 0.2  # late: renewed on the spot, counted from when the renewal was sent
    await heartbeat.check()
    assert (store.renewals, heartbeat.renewed_at) == (1, now[0])

    store.down = True
    now[0] += 19.9
    await heartbeat.check()  # still fresh: no write waits on the state database
    now[0] += 0.2
    with pytest.raises(LeaseLost):
        await heartbeat.check()
    store.down = False
    await heartbeat.check()  # reachable again, and the lease was never taken: renewed, writes go on
    assert store.renewals == 3


async def test_a_lease_taken_over_stops_the_writes_at_once(writable_world):
    store, lease = await claimed(writable_world)
    now = [lease.taken_at]
    heartbeat = Heartbeat(store, lease, clock=lambda: now[0])
    # The lease ran out unseen (the worker's process was stopped, say), and another worker claimed the operation.
    async with writable_world.engines.state.begin() as conn:
        await conn.execute(
            update(BulkOperationRecord)
            .where(BulkOperationRecord.id == lease.operation_id)
            .values(lease_until=datetime.now(UTC) - LENGTH)
        )
    taken = await store.claim_next("worker-2", LENGTH)
    assert taken is not None and (taken.operation_id, taken.fence) == (lease.operation_id, lease.fence + 1)

    with pytest.raises(LeaseLost):
        await heartbeat.renew()  # the heartbeat's next beat
    assert heartbeat.lost
    renewals = store.renewals
    with pytest.raises(LeaseLost):
        await heartbeat.check()  # however fresh its last renewal: no write, no further renewal
    assert store.renewals == renewals
