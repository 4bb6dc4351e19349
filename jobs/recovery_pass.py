"""The recovery pass every server process runs: at start, then every ``PASS_SECONDS``, it settles
the changes whose process stopped midway (``resolvers/recovery.py``). Several processes may run
it at once: an intent is settled by one of them, the others find it settled."""

from __future__ import annotations

import asyncio
import logging

from resolvers.recovery import settle_abandoned
from sources import Sources

log = logging.getLogger("corpcare.recovery")

PASS_SECONDS = 30.0


async def recover_forever(sources: Sources, every: float = PASS_SECONDS) -> None:
    while True:
        try:
            settled = await settle_abandoned(sources)
        except Exception as error:  # the state database away: the next pass tries again
            log.warning("recovery pass failed (%s: %s); trying again in %g s", type(error).__name__, error, every)
        else:
            if settled:
                log.info("recovery pass settled %s interrupted change(s)", settled)
        await asyncio.sleep(every)
