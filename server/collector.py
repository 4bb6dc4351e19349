"""The garbage collector of a serving process.

A response builds tens of thousands of short-lived containers; with the default thresholds the
collector keeps re-scanning the long-lived ones (modules, the schema) and shows up as latency
spikes. So at start-up what exists is frozen (never scanned again) and the young generation is
collected less often (``CORPCARE_GC_THRESHOLDS``). The first requests then fill the process's
caches — parsed and validated documents, compiled plans, compiled statements, principals, shared
``Money`` values — which every full collection would scan again; once ``CORPCARE_GC_FREEZE_AFTER``
requests have been answered, at a moment no HTTP request is in flight, the collector collects and
freezes once more (``Refreeze``). Freezing while a request ran would keep its cyclic garbage for
good, hence the idle moment; it happens once, so what a later request leaves is collected as ever.
"""

from __future__ import annotations

import gc
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["Refreeze", "freeze_and_tune"]


def freeze_and_tune(thresholds: tuple[int, int, int] = (10_000, 10, 10)) -> None:
    """Collect, freeze what exists (never scanned again) and set the generations' thresholds."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)


class Refreeze:
    """ASGI middleware: freeze once more after the first ``after`` HTTP requests (0: never), when
    none is in flight."""

    def __init__(self, app: ASGIApp, after: int) -> None:
        self.app, self.after = app, after
        self.answered = self.running = 0
        self.done = after <= 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> Any:
        if self.done or scope["type"] != "http":
            return await self.app(scope, receive, send)
        self.running += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            self.running -= 1
            self.answered += 1
            if self.answered >= self.after and self.running == 0 and not self.done:
                self.done = True
                gc.collect()
                gc.freeze()
