"""The garbage collector of a serving process.

A response builds tens of thousands of containers that live as long as the request; with the
default thresholds the collector keeps scanning them, and the long-lived ones (modules, the
schema), and shows up as latency spikes. So at start-up what exists is frozen (never scanned
again), and the young generation is collected only after 50,000 more containers
(``CORPCARE_GC_THRESHOLDS``): once a request's loaders are cleared (``server/endpoint.py``) its
objects go by their reference counts, so even 2,000 lines with their plan and services (about
20,000 containers alive at once) are answered without a collection, where a threshold of 10,000
collected about twice a request.

The first requests then fill the process's caches — parsed and validated documents, compiled
plans, compiled statements, principals, shared ``Money`` values — which every full collection
would scan again; once ``CORPCARE_GC_FREEZE_AFTER`` requests have been answered, at a moment no
HTTP request is in flight, the collector collects and freezes once more (``Refreeze``). Freezing
while a request ran would keep its cyclic garbage for good, hence the idle moment; it happens
once, so what a later request leaves is collected as ever.
"""

from __future__ import annotations

import gc
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["THRESHOLDS", "Refreeze", "freeze_and_tune"]

THRESHOLDS = (50_000, 20, 10)


def freeze_and_tune(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
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
