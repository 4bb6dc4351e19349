"""Changes: one line at a time (`single_change`) and 5,000 lines as a bulk operation
(`bulk_add_service`), each against its floor.

`single_change` adds a service to one line and takes it off again, 30 times: the latency of
each mutation and its SQL statements. `bulk_add_service` adds a service to 5,000 lines
through a bulk operation worked by an in-process worker, from the mutation until the
operation is complete; its floor is the same 5,000 one-row transactions sent on a raw
driver connection. Everything added is removed again (the remove is measured too), so the
data set stays as generated.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import text

from bench.datasets import Dataset
from bench.inprocess import StatementLog, percentile
from core.ids import from_global_id, to_global_id
from jobs.worker import BulkWorker
from sources import Sources
from sources.state import migrate

BULK_LINES = 5_000
SINGLE_REPEAT = 30
LOGIN = "acme.admin"

ADD = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  applied results { outcome code } bulkOperation { id } userErrors { code message } } }"""
REMOVE = ADD.replace("subscriberServicesAdd", "subscriberServicesRemove")
STATUS = """query($id: ID!) { node(id: $id) { ... on BulkOperation { status total applied skipped failed } } }"""
RESULTS = """query($id: ID!, $after: String) { node(id: $id) { ... on BulkOperation {
  results(first: 1000, after: $after, outcome: [APPLIED]) { nodes { lineId } pageInfo { hasNextPage endCursor } }
} } }"""

Execute = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class ChangeFigures:
    dataset: Dataset
    operation: str
    lines: int
    mutation_p50_ms: float  # a bulk operation's mutation is measured once: p50 = p95
    mutation_p95_ms: float
    statements: float  # per mutation (single) or per line (bulk)
    complete_ms: float | None = None  # bulk: from the mutation until the operation is complete
    lines_per_second: float | None = None
    floor_lines_per_second: float | None = None


async def measure_changes(
    dataset: Dataset,
    sources: Sources,
    log: StatementLog,
    execute: Execute,
    *,
    service_code: str = "CONF-CALL",
    bulk_lines: int = BULK_LINES,
    concurrency: int = 1,
) -> list[ChangeFigures]:
    """Both figures; the bulk one only where the data set has ``bulk_lines`` lines to change."""
    await migrate.upgrade(sources.bulk.backend.engine)  # data sets made before bulk operations lack their tables
    service = await _service_id(sources, service_code)
    lines = await _lines_without(sources, service)
    figures = [await _single(dataset, log, execute, lines[0], service)]
    if len(lines) >= bulk_lines:
        figures += await _bulk(dataset, sources, log, execute, lines[:bulk_lines], service, concurrency)
    return figures


async def _single(dataset: Dataset, log: StatementLog, execute: Execute, line: int, service: int) -> ChangeFigures:
    request = {"input": {"selection": {"ids": [to_global_id("Subscriber", line)]},
                         "services": [to_global_id("Service", service)]}}  # fmt: skip
    latencies, statements = [], []
    for _ in range(SINGLE_REPEAT):
        for document in (ADD, REMOVE):
            log.entries.clear()
            log.listening = True
            started = time.perf_counter()
            result = await execute(LOGIN, document, request)
            latencies.append((time.perf_counter() - started) * 1000)
            log.listening = False
            statements.append(len(log.entries))
            if result.errors or next(iter(result.data.values()))["applied"] != 1:
                raise RuntimeError(f"single_change did not apply: {result.errors or result.data}")
    return ChangeFigures(dataset, "single_change", 1, percentile(latencies, 0.5), percentile(latencies, 0.95),
                         statistics.median(statements))  # fmt: skip


async def _bulk(
    dataset: Dataset,
    sources: Sources,
    log: StatementLog,
    execute: Execute,
    lines: list[int],
    service: int,
    concurrency: int,
) -> list[ChangeFigures]:
    figures = []
    worker = BulkWorker(sources, concurrency=concurrency)
    selected = lines
    for name, document in (("bulk_add_service", ADD), ("bulk_remove_service", REMOVE)):
        request = {"input": {"selection": {"ids": [to_global_id("Subscriber", line) for line in selected]},
                             "services": [to_global_id("Service", service)]}}  # fmt: skip
        log.entries.clear()
        log.listening = True
        started = time.perf_counter()
        result = await execute(LOGIN, document, request)
        submitted = time.perf_counter()
        await worker.drain()
        seconds = time.perf_counter() - started
        log.listening = False
        operation = next(iter(result.data.values()))["bulkOperation"]["id"]
        status = (await execute(LOGIN, STATUS, {"id": operation})).data["node"]
        if status["status"] != "COMPLETED":
            raise RuntimeError(f"{name}: {status}")
        if name == "bulk_add_service":
            selected = await _applied(execute, operation)  # only what was added is taken off again
        mutation_ms = (submitted - started) * 1000
        per_line = len(log.entries) / status["total"]
        figures.append(
            ChangeFigures(dataset, name, status["total"], mutation_ms, mutation_ms, per_line,
                          complete_ms=seconds * 1000, lines_per_second=status["applied"] / seconds)
        )  # fmt: skip
    figures[0] = dataclasses.replace(figures[0], floor_lines_per_second=await _floor(dataset, lines, service))
    return figures


async def _applied(execute: Execute, operation: str) -> list[int]:
    lines, after = [], None
    while True:
        page = (await execute(LOGIN, RESULTS, {"id": operation, "after": after})).data["node"]["results"]
        lines += [from_global_id(node["lineId"])[1] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return lines
        after = page["pageInfo"]["endCursor"]


async def _floor(dataset: Dataset, lines: list[int], service: int) -> float:
    """Lines per second for one raw INSERT transaction per line (then those rows, and only those, are
    deleted: lines that gained the service today by other means keep it)."""
    url = dataset.urls[1]
    insert = "insert into line_services (subscriber_id, service_id, customer_id, activated_on, monthly_fee_minor) "
    if dataset.backend == "sqlite":
        connection = sqlite3.connect(url.split("///", 1)[1])
        try:
            started = time.perf_counter()
            for line in lines:
                connection.execute(insert + "values (?, ?, 1, date('now'), 299)", (line, service))
                connection.commit()
            seconds = time.perf_counter() - started
            delete = "delete from line_services where service_id = ? and subscriber_id = ?"
            connection.executemany(delete, [(service, line) for line in lines])
            connection.commit()
        finally:
            connection.close()
        return len(lines) / seconds
    raw = await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql"))
    try:
        started = time.perf_counter()
        for line in lines:
            async with raw.transaction():
                await raw.execute(insert + "values ($1, $2, 1, current_date, 299)", line, service)
        seconds = time.perf_counter() - started
        await raw.execute(
            "delete from line_services where service_id = $1 and subscriber_id = any($2::int[])", service, lines
        )
    finally:
        await raw.close()
    return len(lines) / seconds


async def _service_id(sources: Sources, code: str) -> int:
    async with sources.catalogue.backend.engine.connect() as conn:
        return int((await conn.execute(text("select id from services where code = :c"), {"c": code})).scalar_one())


async def _lines_without(sources: Sources, service: int) -> list[int]:
    """Active ACME lines that do not have ``service``, in id order."""
    async with sources.crm.backend.engine.connect() as conn:
        active = [row[0] for row in await conn.execute(text(
            "select s.id from subscribers s join customers c on c.id = s.customer_id "
            "where c.code = 'ACME' and s.status = 'active' order by s.id"))]  # fmt: skip
    async with sources.products.backend.engine.connect() as conn:
        having = {row[0] for row in await conn.execute(
            text("select subscriber_id from line_services where service_id = :s"), {"s": service})}  # fmt: skip
    return [line for line in active if line not in having]
