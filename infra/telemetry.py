"""What a request did, gathered where it happens and read once when the request ends.

``current`` holds the running request's ``RequestStats``: the engines count SQL statements
into it, the backends their calls, the schema its operation's name and cost. Nothing here runs
per resolved field; the counters are plain attribute increments.
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(slots=True)
class RequestStats:
    request_id: str
    started: float = field(default_factory=time.perf_counter)
    statements: int = 0
    backend_seconds: float = 0.0
    operation_name: str | None = None
    operation_type: str | None = None
    cost: int | None = None
    principal: str | None = None
    customer: int | None = None
    query: str | None = None
    codes: list[str] = field(default_factory=list)
    refused: bool = False  # a request error: nothing ran (no data)

    def seconds(self) -> float:
        return time.perf_counter() - self.started


current: ContextVar[RequestStats | None] = ContextVar("corpcare_request", default=None)


class Observer:
    """What the backends and the cache report; the server turns it into metrics."""

    def backend_call(self, backend: str, outcome: str, seconds: float) -> None:
        stats = current.get()
        if stats is not None:
            stats.backend_seconds += seconds

    def cache(self, result: str) -> None:
        pass

    def bulk_line(self, outcome: str, count: int = 1) -> None:
        pass

    def throttled(self, allowance: str) -> None:
        """An operation refused because ``allowance`` ("principal" or "customer") lacked the points."""

    def throttle_fallback(self) -> None:
        """A cost-allowance charge answered in process because Redis did not answer."""


def count_statements(engine: AsyncEngine) -> None:
    """Count every statement sent through ``engine`` into the running request's stats (once,
    however often it is asked)."""
    if not event.contains(engine.sync_engine, "before_cursor_execute", _seen):
        event.listen(engine.sync_engine, "before_cursor_execute", _seen)


def _seen(*_: Any) -> None:
    stats = current.get()
    if stats is not None:
        stats.statements += 1
