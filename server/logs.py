"""Structured logs: one JSON object per line, one line per request, and a slow-operation log.

A request's line names the request id, the principal and customer by id, the operation's name
and type, its estimated cost, duration, SQL statements, backend time and outcome. It never
carries tokens, variables, or anything personal: logins, names, numbers and queries' arguments
stay out (a slow operation's query text is logged, its variables are not).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from typing import Any

import orjson
from graphql import GraphQLError, StringValueNode, Visitor, parse, print_ast, visit

from infra.telemetry import RequestStats

requests_log = logging.getLogger("corpcare.requests")
slow_log = logging.getLogger("corpcare.slow")

_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in record.__dict__.items() if k not in _STANDARD)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


class PlainFormatter(logging.Formatter):
    """For a developer's terminal: the message, then the record's fields as key=value."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        fields = " ".join(f"{k}={v}" for k, v in record.__dict__.items() if k not in _STANDARD)
        line = super().format(record)
        return f"{line} {fields}" if fields else line


class BatchedStream(logging.StreamHandler):
    """Lines written to the stream in batches: one write (a system call, and a flush) every
    ``seconds`` instead of one per request, which cost about 4 % of a worker's time serving a line's
    page. Only inside a running event loop: elsewhere (the CLI, another thread), and for a warning or
    worse, the lines waiting and the record are written at once. ``flush`` (``logging.shutdown``,
    at exit) writes what waits, so a line is late by ``seconds`` at most, or lost if the process is
    killed outright."""

    def __init__(self, stream: Any, seconds: float = 0.05) -> None:
        super().__init__(stream)
        self.seconds = seconds
        self._lines: list[str] = []
        self._due = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self._lines.append(line)
        if record.levelno >= logging.WARNING:
            self.flush()
            return
        if not self._due:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # no loop in this thread: nothing would write it later
                self.flush()
                return
            self._due = True
            loop.call_later(self.seconds, self._write_due)

    def _write_due(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            self._due = False
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]
            lines, self._lines = self._lines, []
            if lines:
                try:
                    self.stream.write("".join(line + self.terminator for line in lines))
                except Exception:
                    self.handleError(logging.makeLogRecord({"msg": "log lines lost"}))
            super().flush()


def configure(json_logs: bool, level: str = "INFO") -> None:
    handler = BatchedStream(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_logs else PlainFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def log_request(
    stats: RequestStats, outcome: str, codes: list[str], status: int, slow_seconds: float, query: str | None
) -> bool:
    """Write the request's line (and a slow-operation line when it took too long); True if slow."""
    seconds = stats.seconds()
    fields = {
        "request_id": stats.request_id,
        "principal": stats.principal,
        "customer": stats.customer,
        "operation": stats.operation_name,
        "operation_type": stats.operation_type,
        "cost": stats.cost,
        "duration_ms": round(seconds * 1000, 1),
        "sql_statements": stats.statements,
        "backend_ms": round(stats.backend_seconds * 1000, 1),
        "status": status,
        "outcome": outcome,
        "error_codes": codes,
    }
    requests_log.info("graphql request", extra=fields)
    if seconds < slow_seconds:
        return False
    slow_log.warning("slow operation", extra={**fields, "query": redacted(query or "")[:4000]})
    return True


def redacted(query: str) -> str:
    """The query with every string literal blanked: literals may be names, numbers or e-mails."""
    try:
        document = parse(query, no_location=True)
    except GraphQLError:
        return "<unparsable>"

    class Blank(Visitor):
        def enter_string_value(self, node: StringValueNode, *_: Any) -> StringValueNode:
            return StringValueNode(value="…")

    return print_ast(visit(document, Blank()))
