"""A CSV export's line in the request log (server/logs.py), gathered as the file is made and sent."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from server.logs import log_export


class ExportLine:
    """What the export's log line says, gathered as the file is made and sent."""

    def __init__(self, request_id: str, principal: int, customer: int | None, report: str | None) -> None:
        self.request_id, self.principal, self.customer = request_id, principal, customer
        # An unknown report's name is the caller's text: it is not written to the log.
        self.report = report or "unknown"
        self.started = time.perf_counter()
        self.rows = self.size = 0

    async def counted(self, rows: AsyncIterator[list[str]]) -> AsyncIterator[list[str]]:
        async for row in rows:
            self.rows += 1
            yield row

    def end(self, outcome: str, status: int, code: str | None = None) -> None:
        log_export(self.request_id, self.principal, self.customer, self.report, outcome, status,
                   time.perf_counter() - self.started, code=code, rows=self.rows, size=self.size)  # fmt: skip


__all__ = ["ExportLine"]
