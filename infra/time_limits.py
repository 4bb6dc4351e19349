"""Time limits whose timers hold nothing of the work they limit.

``asyncio.timeout`` schedules a timer in the current context. Left early, the timer is only
cancelled: it stays in the loop's schedule until it would have fired (a request's 30 s, a
statement's 10 s), and keeps a copy of the context it was started in — every context variable of
the request, and through them its decoded body, its operation and its answer. A busy worker held
every answer of the last half-minute that way. Here the timer is started in an empty context:
it only cancels the task, which needs none.
"""

from __future__ import annotations

import asyncio
import contextvars
from types import TracebackType


class TimeLimit:
    """``asyncio.timeout_at(when)`` (``None``: no limit), its timer in an empty context."""

    __slots__ = ("_timeout", "_when")

    def __init__(self, when: float | None) -> None:
        self._when = when
        self._timeout = asyncio.timeout(None)

    async def __aenter__(self) -> asyncio.Timeout:
        await self._timeout.__aenter__()
        if self._when is not None:
            contextvars.Context().run(self._timeout.reschedule, self._when)
        return self._timeout

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self._timeout.__aexit__(kind, error, trace)  # never swallows: it raises TimeoutError or lets go


def time_limit(seconds: float | None) -> TimeLimit:
    """``asyncio.timeout(seconds)``, its timer in an empty context."""
    return TimeLimit(None if seconds is None else asyncio.get_running_loop().time() + seconds)


def time_limit_at(when: float | None) -> TimeLimit:
    """``asyncio.timeout_at(when)``, its timer in an empty context."""
    return TimeLimit(when)
