"""Holding a bulk operation's lease while a chunk runs, and knowing when it may be gone.

A chunk of slow backend writes can outlast the lease many times over (30 s against up to 250 s
at default limits), so renewing between chunks alone let a second worker take the operation
over mid-chunk: both wrote the same lines and one reported them as conflicts. The heartbeat
renews the lease in the background every third of its length while the worker holds it.

Before writing a line the worker asks ``check()``: the lease counts from the moment the last
successful renewal was *sent*, and a line is only written while more than a third of it is
left. A renewal that is late (the event loop was held, the state database was slow) is tried
once more on the spot; if that fails too, or the lease was taken over (its fence moved on), the
worker writes no further line and ``LeaseLost`` stops it before its chunk is recorded.

What this cannot cover: a worker paused for longer than the safety margin between its check and
its write (a stopped VM), or a write that hangs past the lease while the heartbeat cannot reach
the state database either. The billing writes carry no fence: the second worker's write of such
a line finds it changed, billing's own checks keep it from applying twice, and the line reports a
conflict.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable

from sources.state.bulk_operations import BulkOperationRow, BulkStore, Lease, LeaseLost

log = logging.getLogger("corpcare.bulk")

RENEWALS_PER_LEASE = 3
# Of the lease, what must be left for a line's write to start.
SAFETY_SHARE = 1 / 3


class Heartbeat:
    """A worker's hold on one leased operation: renewed in the background (``beat``), asked
    before every line's write (``check``)."""

    def __init__(self, store: BulkStore, lease: Lease, clock: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.lease = lease
        self.clock = clock
        self.renewed_at = lease.taken_at
        self.lost = False

    @property
    def seconds(self) -> float:
        return self.lease.length.total_seconds()

    async def renew(self) -> BulkOperationRow:
        """Extend the lease now; the operation's fresh row."""
        sent_at = self.clock()
        try:
            current = await self.store.renew(self.lease)
        except LeaseLost:
            self.lost = True
            raise
        self.renewed_at = max(self.renewed_at, sent_at)
        return current

    async def check(self) -> None:
        """Return only while the lease is surely still this worker's (raise ``LeaseLost`` otherwise)."""
        if not self.lost and not self._fresh():
            try:
                await self.renew()  # the heartbeat is late: once more, on the spot
            except LeaseLost:
                raise
            except Exception as error:
                raise LeaseLost(self.lease.operation_id) from error
        if self.lost or not self._fresh():
            raise LeaseLost(self.lease.operation_id)

    def _fresh(self) -> bool:
        return self.clock() - self.renewed_at < self.seconds * (1 - SAFETY_SHARE)

    async def beat(self) -> None:
        """Renew every third of the lease until cancelled or the lease is lost."""
        while not self.lost:
            await asyncio.sleep(self.seconds / RENEWALS_PER_LEASE)
            try:
                await self.renew()
            except LeaseLost:
                return
            except Exception:
                # The state database may answer the next beat; ``check()`` stops the writes meanwhile.
                log.warning("bulk operation %s: the lease could not be renewed", self.lease.operation_id, exc_info=True)


@contextlib.asynccontextmanager
async def held(store: BulkStore, lease: Lease) -> AsyncIterator[Heartbeat]:
    """The lease kept alive in the background for as long as the block runs."""
    heartbeat = Heartbeat(store, lease)
    beating = asyncio.create_task(heartbeat.beat(), name=f"bulk-lease {lease.operation_id}")
    try:
        yield heartbeat
    finally:
        beating.cancel()
        await asyncio.wait([beating])  # the heartbeat has stopped when the block ends
