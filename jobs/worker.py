"""The background worker every server process runs for bulk operations.

It leases one operation at a time from the state database and works through it
(``jobs/bulk_work.py``). Work that arrives in this process wakes it at once; otherwise it
polls, which is also how it picks up operations whose worker died (their lease ran out).
On shutdown it finishes the chunk in hand and hands the lease back.

Bulk work is background work on the event loop and the cores the requests share: each chunk is
paced (``infra/pacing.py``), so while requests are being served it takes at most its duty share of
the time and fills the gaps between other companies' requests instead of making them queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from datetime import timedelta

from infra.fair_share import FairShare
from infra.pacing import Pacer
from jobs.bulk_work import CHUNK, work_through
from sources import Sources
from sources.state.bulk_operations import LeaseLost

log = logging.getLogger("corpcare.bulk")


class BulkWorker:
    def __init__(
        self,
        sources: Sources,
        *,
        lease: timedelta = timedelta(seconds=30),
        poll_seconds: float = 2.0,
        chunk: int = CHUNK,
        concurrency: int = 1,
        name: str | None = None,
        share: FairShare | None = None,
    ) -> None:
        self.sources = sources
        self.share = share  # whose running requests the worker gives way to
        self.lease = lease
        self.poll_seconds = poll_seconds
        self.chunk = chunk
        self.concurrency = concurrency
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    async def run_once(self) -> bool:
        """Take one operation and work on it; False when there was nothing to do."""
        lease = await self.sources.bulk.claim_next(self.name, self.lease)
        if lease is None:
            return False
        try:
            await work_through(
                self.sources, lease,
                stopping=lambda: self._stopping, chunk=self.chunk, concurrency=self.concurrency,
                give_way=Pacer(self.share),
            )  # fmt: skip
        except LeaseLost:
            log.warning("bulk operation %s: lease lost, its chunk left to the next holder", lease.operation_id)
        return True

    async def drain(self) -> None:
        """Work until nothing is left (tests, and the CLI)."""
        while await self.run_once():
            pass

    async def run(self) -> None:
        arrived = self.sources.bulk.arrived
        while not self._stopping:
            arrived.clear()
            try:
                worked = await self.run_once()
            except Exception:
                # A backend that fails now may answer later; the lease runs out meanwhile.
                log.exception("bulk worker %s: an operation failed; it will be taken up again", self.name)
                worked = False
            if not worked and not self._stopping:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(arrived.wait(), self.poll_seconds)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"bulk-worker {self.name}")

    async def stop(self, grace_seconds: float = 10.0) -> None:
        """Finish the chunk in hand and give the lease back; cancel after ``grace_seconds``."""
        self._stopping = True
        self.sources.bulk.arrived.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(self._task, grace_seconds)
        except TimeoutError:
            log.warning("bulk worker %s stopped mid-chunk; claimed lines are checked on resume", self.name)
