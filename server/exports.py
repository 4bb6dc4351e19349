"""Reports as CSV files for spreadsheets: ``GET /reports/spending.csv?from=2026-01&to=2026-10&…``.

The same bearer token, permissions and row scope as the GraphQL API; the query parameters
are the report's input (``groupBy=ORG_UNIT,MONTH``, ``unitDepth``, ``orgUnit``,
``categories``, ``customer``). Rows are streamed as billing returns them.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from permissions.roles import Permission
from resolvers.context import Context
from resolvers.spending_export import spending_csv
from resolvers.spending_report import DIMENSIONS, SpendingReportArgs
from schema.enums import ChargeCategory
from schema.scalars import parse_month
from server.auth import PrincipalUser
from sources.errors import BadUserInput, CorpcareError, Forbidden
from sources.state.audit import AuditEntry

ROWS_PER_CHUNK = 500


async def spending_export(request: Request) -> Response:
    user = request.user
    assert isinstance(user, PrincipalUser), "authentication runs first"
    principal, sources = user.principal, request.app.state.sources
    request_id = uuid.uuid4().hex
    try:
        if not principal.can(Permission.SPENDING_READ):
            raise Forbidden("The spending report needs the spending:read permission.")
        args = _args(request)
        context = Context.of(principal, sources, request_id=request_id)
        header, rows = await spending_csv(context, args)
    except CorpcareError as error:
        status = 403 if isinstance(error, Forbidden) else 400
        body = {"errors": [{"message": error.message, "extensions": {"code": error.code, **error.extensions}}]}
        return JSONResponse(body, status_code=status, headers={"X-Request-Id": request_id})
    if principal.reads_are_audited:
        await sources.audit.record(
            AuditEntry(request_id=request_id, user_id=principal.user_id, login=principal.login,
                       role=principal.role.value, customer_id=principal.customer_id, action="export.spending",
                       outcome="allowed", detail={"query": dict(request.query_params)})
        )  # fmt: skip
    name = f"spending-{args.first:%Y-%m}-to-{args.last:%Y-%m}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "X-Request-Id": request_id}
    return StreamingResponse(csv_chunks(header, rows), media_type="text/csv; charset=utf-8", headers=headers)


def _args(request: Request) -> SpendingReportArgs:
    params = request.query_params
    if "from" not in params or "to" not in params:
        raise BadUserInput("Give the report's months: from=YYYY-MM&to=YYYY-MM.", field=["from"])
    try:
        depth = int(params.get("unitDepth", "1"))
    except ValueError:
        raise BadUserInput("unitDepth is a number from 0 to 3.", field=["unitDepth"]) from None
    return SpendingReportArgs(
        first=parse_month(params["from"]),
        last=parse_month(params["to"]),
        group_by=_names(params.get("groupBy", ""), DIMENSIONS, "groupBy"),
        unit_depth=depth,
        org_unit_id=params.get("orgUnit"),
        customer_id=params.get("customer"),
        categories=_names(params.get("categories", ""), tuple(c.value for c in ChargeCategory), "categories"),
    )


def _names(given: str, allowed: tuple[str, ...], field: str) -> tuple[str, ...]:
    names = tuple(part.strip().lower() for part in given.split(",") if part.strip())
    if unknown := [name for name in names if name not in allowed]:
        choices = ", ".join(name.upper() for name in allowed)
        raise BadUserInput(f"Unknown {field}: {', '.join(unknown).upper()}; choose from {choices}.", field=[field])
    return names


async def csv_chunks(header: list[str], rows: AsyncIterator[list[str]]) -> AsyncIterator[str]:
    buffer = io.StringIO()
    # A byte-order mark first, so that spreadsheets read the file as UTF-8.
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    count = 0
    async for row in rows:
        writer.writerow(row)
        count += 1
        if count % ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
