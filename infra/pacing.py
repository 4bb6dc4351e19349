"""Pacing background and bulk work so that it leaves the cores to the requests being served.

A company's 100,000-line operation is CPU work for this process and for the database, on the
same cores that serve every other company's requests. Between its steps (a worker's chunk, a
batch of a bulk start's inserts) the work is paced (``Pacer``): while other requests are being
served here it rests in proportion to the step it just took, so it takes at most the share's
``duty`` of the time and the rest of it the others run at their quiet speed; then it gives way while
requests are running (``give_way``), filling the gaps between them instead of making them
queue. Work that is never let alone still goes on: a rest is at most ``MOST_REST_SECONDS``,
giving way at most ``GIVE_WAY_SECONDS``. A quiet process does the work at full speed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from infra.fair_share import FairShare

GIVE_WAY_SECONDS = 0.25  # the longest a step waits for the requests running to finish
MOST_REST_SECONDS = 2.0  # the longest rest after a step
_LOOK_AGAIN_SECONDS = 0.005


async def give_way(share: FairShare | None, most_seconds: float = GIVE_WAY_SECONDS, mine: int = 0) -> None:
    """Return once no request but ``mine`` is running in this process, or after ``most_seconds``."""
    if share is None:
        return
    deadline = time.monotonic() + most_seconds
    while share.running() > mine and time.monotonic() < deadline:
        await asyncio.sleep(_LOOK_AGAIN_SECONDS)


class Pacer:
    """Awaited before each step of one piece of work: after a step during which others were served
    here, rests for the step's time * (1 - duty) / duty, then gives way to the requests running.
    ``mine`` is how many of the running operations are the work's own (a request pacing itself: 1)."""

    def __init__(
        self,
        share: FairShare | None,
        *,
        mine: int = 0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.share, self.mine, self.clock, self.sleep = share, mine, clock, sleep
        self._began: float | None = None  # when the last step began

    async def __call__(self) -> None:
        if self.share is None:
            return
        duty = self.share.limits.duty
        if self._began is not None and duty < 1 and self.share.busy_since(self._began, self.mine):
            worked = self.clock() - self._began
            await self.sleep(min(worked * (1 - duty) / duty, MOST_REST_SECONDS))
        await give_way(self.share, mine=self.mine)
        self._began = self.clock()
