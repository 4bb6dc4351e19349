"""Reports as CSV files for spreadsheets: ``GET /reports/<report>.csv?from=2026-01&to=2026-10&…``.

``invoices`` (the billing accounts' invoices, newest first; ``billingAccount`` names one) and
``invoice-lines`` (``invoice``: what each line was charged on it) answer the invoice screens.
``spending`` (streamed as billing returns the rows; ``groupBy=ORG_UNIT,MONTH``, ``unitDepth``,
``categories``, ``structure``), ``budget``, ``top-spenders`` (``first``), ``anomalies`` (one
``month`` instead of ``from`` and ``to``; ``percent``, the growth threshold), ``usage``
(``unitDepth``, ``structure``) and ``savings`` (``months``); every one takes ``orgUnit`` and
``customer``; ``structure=CURRENT`` groups by today's tree (``AS_BILLED`` by default, as in
GraphQL). The same bearer token, permissions and row scope as the GraphQL API; input problems
get the same coded errors. Each export, and each refusal, writes one line to the request log
(server/logs.py) once the file is sent or refused.
"""

from __future__ import annotations

import asyncio
import io
import math
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from datetime import date

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from core.errors import BackendUnavailable, BadUserInput, CorpcareError, Forbidden, NotFound, RateLimited
from infra.fair_share import FairShare, Ticket, customer_key
from request.context import Context
from resolvers.mutation import audit_change
from resolvers.report_base import AS_BILLED, CURRENT
from resolvers.spending_report import DIMENSIONS, SpendingReportArgs
from schema.enums import ChargeCategory
from schema.scalars import parse_month
from server.auth import PrincipalUser
from server.exports.cells import safe_row
from server.exports.cells import writer as csv_writer
from server.exports.columns import Shown, needs, selectable
from server.exports.cost import charge_export
from server.exports.export_line import ExportLine
from server.exports.invoice_rows import invoice_lines_csv, invoices_csv
from server.exports.report_rows import Table, anomalies_csv, budget_csv, savings_csv, top_spenders_csv, usage_csv
from server.exports.spending_rows import spending_csv
from sources.moment import one_moment

ROWS_PER_CHUNK = 500


async def report_export(request: Request) -> Response:
    """The file. The reads that make it, before it streams, share one moment (sources/moment.py),
    given back before the file is sent; the spending rows are one statement on a server-side
    cursor, one snapshot of their own however long the file takes to send."""
    async with one_moment():
        return await _export(request)


async def _export(request: Request) -> Response:
    user = request.user
    assert isinstance(user, PrincipalUser), "authentication runs first"
    principal, sources = user.principal, request.app.state.sources
    name = request.path_params["report"]
    request_id = uuid.uuid4().hex
    logged = ExportLine(request_id, principal.user_id, principal.customer_id, name if name in REPORTS else None)
    try:
        if name not in REPORTS:
            raise NotFound(f"No report {name!r}; there are {', '.join(sorted(REPORTS))}.")
        field, build = REPORTS[name]
        if not selectable(field, principal):  # the rules of the GraphQL field the report answers
            lacked = [needed.value for needed in needs(field) or () if not principal.can(needed)]
            raise Forbidden(f"This report needs the {' and '.join(lacked)} permission.")
        floor = request.app.state.min_group_size
        context = Context.of(principal, sources, request_id=request_id, min_group_size=floor)
        # Paid for before anything is read, like the report it writes (server/exports/cost.py).
        cost = await charge_export(
            context, name, request.query_params, getattr(request.app.state, "cost_allowances", None)
        )
        # One of the company's places on this server, held until the file is written.
        share: FairShare | None = getattr(request.app.state, "fair_share", None)
        ticket = share.admit(customer_key(principal.customer_id), cost) if share is not None else None
        try:
            header, rows, filename = await build(context, request.query_params)
        except BaseException:
            if ticket is not None:
                ticket.release()
            raise
    except CorpcareError as error:
        status = {Forbidden: 403, NotFound: 404, RateLimited: 429, BackendUnavailable: 503}.get(type(error), 400)
        logged.end("refused", status, error.code)
        body = {"errors": [{"message": error.message, "extensions": {"code": error.code, **error.extensions}}]}
        headers = {"X-Request-Id": request_id}
        if status in (429, 503):
            headers["Retry-After"] = str(max(1, math.ceil(float(error.extensions.get("retryAfterSeconds") or 1))))
        return JSONResponse(body, status_code=status, headers=headers)
    except Exception:
        logged.end("failed", 500, "INTERNAL_SERVER_ERROR")
        raise
    if principal.reads_are_audited:
        await audit_change(context, f"export.{name}", allowed=True, detail={"query": dict(request.query_params)},
                           targets=())  # fmt: skip
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Request-Id": request_id}
    # Only the columns the caller could select in GraphQL (server/exports/columns.py).
    shown = Shown.of(name, header, principal)
    chunks = csv_chunks(shown.row(header), logged.counted(shown.rows(rows)), shown.text)
    return StreamingResponse(_holding(ticket, chunks, logged), media_type="text/csv; charset=utf-8", headers=headers)


async def _holding(ticket: Ticket | None, chunks: AsyncIterator[str], logged: ExportLine) -> AsyncIterator[str]:
    """``chunks``, with the company's place on the server given back once they are sent (or the
    client left), and the export's line written."""
    outcome, code = "disconnected", None
    try:
        async for chunk in chunks:
            logged.size += len(chunk.encode())
            yield chunk
        outcome = "ok"
    except CorpcareError as error:  # a backend failed while the file was being written
        outcome, code = "failed", error.code
        raise
    except Exception:
        outcome, code = "failed", "INTERNAL_SERVER_ERROR"
        raise
    finally:
        if ticket is not None:
            ticket.release()
        logged.end(outcome, 200, code)


Built = tuple[list[str], AsyncIterator[list[str]], str]


async def _spending(context: Context, params: QueryParams) -> Built:
    args = _args(params)
    header, rows = await spending_csv(context, args)
    return header, rows, f"spending-{args.first:%Y-%m}-to-{args.last:%Y-%m}.csv"


async def _listed(table: Table, filename: str) -> Built:
    header, rows = table

    async def each() -> AsyncIterator[list[str]]:
        for row in rows:
            yield row

    return header, each(), filename


async def _budget(context: Context, params: QueryParams) -> Built:
    first, last = _months(params)
    table = await budget_csv(context, first, last, params.get("orgUnit"), params.get("customer"))
    return await _listed(table, f"budget-{first:%Y-%m}-to-{last:%Y-%m}.csv")


async def _top_spenders(context: Context, params: QueryParams) -> Built:
    first, last = _months(params)
    count = _number(params, "first", 10)
    table = await top_spenders_csv(context, first, last, count, params.get("orgUnit"), params.get("customer"))
    return await _listed(table, f"top-spenders-{first:%Y-%m}-to-{last:%Y-%m}.csv")


async def _anomalies(context: Context, params: QueryParams) -> Built:
    if "month" not in params:
        raise BadUserInput("Give the report's month: month=YYYY-MM.", field=["month"])
    month = parse_month(params["month"])
    percent = _number(params, "percent", 50)
    table = await anomalies_csv(context, month, percent, params.get("orgUnit"), params.get("customer"))
    return await _listed(table, f"anomalies-{month:%Y-%m}.csv")


async def _usage(context: Context, params: QueryParams) -> Built:
    first, last = _months(params)
    depth = _number(params, "unitDepth", 1)
    structure = _structure(params)
    table = await usage_csv(context, first, last, depth, params.get("orgUnit"), params.get("customer"), structure)
    return await _listed(table, f"usage-{first:%Y-%m}-to-{last:%Y-%m}.csv")


async def _savings(context: Context, params: QueryParams) -> Built:
    table = await savings_csv(context, _number(params, "months", 3), params.get("orgUnit"), params.get("customer"))
    return await _listed(table, "savings.csv")


async def _invoices(context: Context, params: QueryParams) -> Built:
    header, rows = await invoices_csv(context, params.get("billingAccount"), params.get("customer"))
    return header, rows, "invoices.csv"


async def _invoice_lines(context: Context, params: QueryParams) -> Built:
    if not params.get("invoice"):
        raise BadUserInput("Name the invoice: invoice=<id>.", field=["invoice"])
    header, rows, invoice = await invoice_lines_csv(context, params["invoice"])
    return header, rows, f"invoice-{_file_part(invoice.number)}-lines.csv"


def _file_part(text: str) -> str:
    """``text`` fit for a file name in a header: letters, digits, dots, dashes and underscores."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in text)


# Each report, the GraphQL field it answers as a file (whose rules it obeys), and its builder.
REPORTS: dict[str, tuple[str, Callable[[Context, QueryParams], Awaitable[Built]]]] = {
    "spending": ("Query.spendingReport", _spending),
    "budget": ("Query.budgetReport", _budget),
    "top-spenders": ("Query.topSpenders", _top_spenders),
    "anomalies": ("Query.spendingAnomalies", _anomalies),
    "usage": ("Query.usageReport", _usage),
    "savings": ("Query.savingsFinder", _savings),
    "invoices": ("BillingAccount.invoices", _invoices),
    "invoice-lines": ("Invoice.bySubscriber", _invoice_lines),
}


def _months(params: QueryParams) -> tuple[date, date]:
    if "from" not in params or "to" not in params:
        raise BadUserInput("Give the report's months: from=YYYY-MM&to=YYYY-MM.", field=["from"])
    return parse_month(params["from"]), parse_month(params["to"])


def _number(params: QueryParams, name: str, default: int) -> int:
    """A whole-number parameter, in GraphQL's Int range as the report field's argument is."""
    try:
        number = int(params.get(name, str(default)))
    except ValueError:
        raise BadUserInput(f"{name} is a whole number.", field=[name]) from None
    if not -(2**31) <= number < 2**31:
        raise BadUserInput(f"{name} is out of range.", field=[name])
    return number


def _args(params: QueryParams) -> SpendingReportArgs:
    first, last = _months(params)
    return SpendingReportArgs(
        first=first,
        last=last,
        group_by=_names(params.get("groupBy", ""), DIMENSIONS, "groupBy"),
        unit_depth=_number(params, "unitDepth", 1),
        org_unit_id=params.get("orgUnit"),
        customer_id=params.get("customer"),
        categories=_names(params.get("categories", ""), tuple(c.value for c in ChargeCategory), "categories"),
        structure=_structure(params),
    )


def _structure(params: QueryParams) -> str:
    """``structure=AS_BILLED`` (the default) or ``CURRENT``, as in the GraphQL argument."""
    found = _names(params.get("structure", "") or AS_BILLED, (AS_BILLED, CURRENT), "structure")
    if len(found) != 1:
        raise BadUserInput("Name one structure: AS_BILLED or CURRENT.", field=["structure"])
    return found[0]


def _names(given: str, allowed: tuple[str, ...], field: str) -> tuple[str, ...]:
    names = tuple(part.strip().lower() for part in given.split(",") if part.strip())
    if unknown := [name for name in names if name not in allowed]:
        choices = ", ".join(name.upper() for name in allowed)
        raise BadUserInput(f"Unknown {field}: {', '.join(unknown).upper()}; choose from {choices}.", field=[field])
    return names


async def csv_chunks(
    header: list[str], rows: AsyncIterator[list[str]], text_columns: Collection[int] = ()
) -> AsyncIterator[str]:
    """The file in chunks; every cell made safe to open in a spreadsheet (server/exports/cells.py)."""
    buffer = io.StringIO()
    # A byte-order mark first, so that spreadsheets read the file as UTF-8.
    buffer.write("\ufeff")
    writer = csv_writer(buffer)
    writer.writerow(safe_row(header))
    count = 0
    async for row in rows:
        writer.writerow(safe_row(row, text_columns))
        count += 1
        if count % ROWS_PER_CHUNK == 0:
            # Sending a chunk need not wait (the socket takes it): give other requests a turn anyway.
            await asyncio.sleep(0)
            yield _drain(buffer)
    yield _drain(buffer)


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
