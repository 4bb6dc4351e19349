"""The request log: one line per GraphQL request and per CSV export, and a slow-operation log
(how lines are written, JSON or not: server/log_format.py).

A request's line names the request id, the principal and customer by id, the operation's name
and type, its estimated cost, duration, SQL statements, backend time and outcome. It never
carries tokens, variables, or anything personal: logins, names, numbers and queries' arguments
stay out (a slow operation's query text is logged, its variables are not). An export's line
names the request id, the principal and customer by id, the report, and what came of it: the
rows and bytes sent, the status, the refusal's code, the duration; never its parameters.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import GraphQLError, StringValueNode, Visitor, parse, print_ast, visit

from infra.telemetry import RequestStats

requests_log = logging.getLogger("corpcare.requests")
slow_log = logging.getLogger("corpcare.slow")
exports_log = logging.getLogger("corpcare.exports")


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


def log_export(
    request_id: str,
    principal: int,
    customer: int | None,
    report: str,
    outcome: str,
    status: int,
    seconds: float,
    *,
    code: str | None = None,
    rows: int = 0,
    size: int = 0,
) -> None:
    """Write a CSV export's line: ``outcome`` is ok, refused (with the error's ``code``), failed
    (the file broke off: ``code`` says why) or disconnected (the client left first)."""
    fields = {
        "request_id": request_id,
        "principal": str(principal),
        "customer": customer,
        "export": report,
        "outcome": outcome,
        "status": status,
        "error_code": code,
        "rows": rows,
        "bytes": size,
        "duration_ms": round(seconds * 1000, 1),
    }
    exports_log.log(logging.INFO if outcome == "ok" else logging.WARNING, "csv export", extra=fields)


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
