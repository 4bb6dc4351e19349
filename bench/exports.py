"""`csv_export_100k`: the spending report as CSV, at least 100,000 rows (lines by month, and by
charge category where the data set has too few lines), consumed as the HTTP response streams it.
Reports the time, rows per second and the peak of traced memory (a second, traced run)."""

from __future__ import annotations

import math
import time
import tracemalloc
import uuid
from dataclasses import dataclass

from bench.datasets import Dataset
from core.values import add_months, month_start
from permissions.principal import Principal
from request.context import Context
from resolvers.spending_report import SpendingReportArgs
from server.exports.routes import csv_chunks
from server.exports.spending_rows import spending_csv
from sources import Sources

TARGET_ROWS = 100_000


@dataclass(frozen=True, slots=True)
class ExportFigures:
    dataset: Dataset
    rows: int
    megabytes: float
    seconds: float
    peak_mb: float
    grouping: str

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


async def measure_export(dataset: Dataset, sources: Sources, finance: Principal, lines: int) -> ExportFigures:
    months = min(12, math.ceil(TARGET_ROWS / lines))
    dims = ("line", "month") if lines * months >= TARGET_ROWS else ("line", "month", "category")
    last = add_months(month_start(dataset.as_of), -1)
    args = SpendingReportArgs(add_months(last, -(months - 1)), last, dims)
    rows, size, seconds = await _consume(sources, finance, args, dataset)
    tracemalloc.start()
    try:
        await _consume(sources, finance, args, dataset)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    grouping = f"{', '.join(d.upper() for d in dims)} over {months} months"
    return ExportFigures(dataset, rows, size / 1e6, seconds, peak / 1e6, grouping)


async def _consume(
    sources: Sources, principal: Principal, args: SpendingReportArgs, dataset: Dataset
) -> tuple[int, int, float]:
    started = time.perf_counter()
    context = Context.of(principal, sources, request_id=uuid.uuid4().hex, today=dataset.as_of)
    header, rows = await spending_csv(context, args)
    size = lines = 0
    async for chunk in csv_chunks(header, rows):
        size += len(chunk.encode())
        lines += chunk.count("\n")
    return lines - 1, size, time.perf_counter() - started
