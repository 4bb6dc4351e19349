"""Structured logs: one JSON object per line, one line per request, and a slow-operation log.

A request's line names the request id, the principal and customer by id, the operation's name
and type, its estimated cost, duration, SQL statements, backend time and outcome. It never
carries tokens, variables, or anything personal: logins, names, numbers and queries' arguments
stay out (a slow operation's query text is logged, its variables are not).
"""

from __future__ import annotations

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


def configure(json_logs: bool, level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
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
