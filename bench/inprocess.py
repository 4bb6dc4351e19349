"""In-process figures: `schema.execute` latency, SQL statements, the backends' own SQL time
(the captured statements replayed on raw driver connections), serialisation time and the
number of resolved fields."""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import orjson
from sqlalchemy import event

from bench.datasets import Dataset
from bench.workload import Operation, Targets
from sources.db import Engines

Execute = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class Sample:
    latencies_ms: list[float]
    statements: int
    db_ms: float
    json_ms: float
    fields: int
    data: Any

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 0.50)

    @property
    def floor_ms(self) -> float:
        return self.db_ms + self.json_ms

    @property
    def us_per_field_above_floor(self) -> float:
        return (self.p50 - self.floor_ms) * 1000 / max(self.fields, 1)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def count_fields(value: Any) -> int:
    """Every value a field produced: each key of each object in the response."""
    if isinstance(value, dict):
        return len(value) + sum(count_fields(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_fields(item) for item in value)
    return 0


class StatementLog:
    """The statements sent while it listens, with their parameters, as the driver saw them."""

    def __init__(self, engines: Engines) -> None:
        self.engines = engines
        self.entries: list[tuple[str, str, Any]] = []
        self.listening = False
        for name in ("crm", "billing", "state"):
            engine = getattr(engines, name)
            event.listen(engine.sync_engine, "before_cursor_execute", self._hook(name))

    def _hook(self, name: str) -> Callable[..., None]:
        def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
            if self.listening:
                self.entries.append((name, statement, parameters))

        return seen


async def replay_ms(dataset: Dataset, entries: list[tuple[str, str, Any]], rounds: int = 3) -> float:
    """The statements' own time on raw connections (execute and fetch), median of rounds."""
    urls = dict(zip(("crm", "billing", "state"), dataset.urls, strict=True))
    totals = []
    if dataset.backend == "sqlite":
        connections = {name: sqlite3.connect(url.split("///", 1)[1]) for name, url in urls.items()}
        try:
            for _ in range(rounds):
                started = time.perf_counter()
                for name, statement, parameters in entries:
                    connections[name].execute(statement, parameters or ()).fetchall()
                totals.append(time.perf_counter() - started)
        finally:
            for connection in connections.values():
                connection.close()
    else:
        raw = {
            name: await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql")) for name, url in urls.items()
        }
        try:
            for _ in range(rounds):
                started = time.perf_counter()
                for name, statement, parameters in entries:
                    await raw[name].fetch(statement, *(parameters or ()))
                totals.append(time.perf_counter() - started)
        finally:
            for connection in raw.values():
                await connection.close()
    return statistics.median(totals) * 1000


async def measure(
    dataset: Dataset, log: StatementLog, execute: Execute, operation: Operation, targets: Targets, repeat: int
) -> Sample:
    document, variables = operation.document, operation.variables(targets)
    for _ in range(2):
        result = await execute(operation.login, document, variables)
        if result.errors:
            raise RuntimeError(f"{operation.name}: {[e.message for e in result.errors]}")
    latencies = []
    for _ in range(repeat):
        started = time.perf_counter()
        await execute(operation.login, document, variables)
        latencies.append((time.perf_counter() - started) * 1000)
    log.entries.clear()
    log.listening = True
    result = await execute(operation.login, document, variables)
    log.listening = False
    entries = list(log.entries)
    json_times = []
    for _ in range(5):
        started = time.perf_counter()
        orjson.dumps({"data": result.data})
        json_times.append((time.perf_counter() - started) * 1000)
    return Sample(
        latencies_ms=latencies,
        statements=len(entries),
        db_ms=await replay_ms(dataset, entries),
        json_ms=statistics.median(json_times),
        fields=count_fields(result.data),
        data=result.data,
    )
