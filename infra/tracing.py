"""Spans of the work a request does below GraphQL: SQL statements and Redis commands (the loaders'
batches use ``span`` too). Statements and commands are traced inside a traced request only.

Tracing is off until the process entry hands a tracer to ``use`` (``server/tracing.py`` does when
the ``OTEL_*`` variables name an exporter). Off, every helper here is one test of a module global:
no span objects, no context changes, nothing per statement but that test.
"""

from __future__ import annotations

import contextlib
from asyncio import CancelledError
from typing import Any

from opentelemetry.context import attach, detach
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer, get_current_span, set_span_in_context
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

# The tracer spans are made with; None while tracing is off.
tracer: Tracer | None = None

_NOTHING = contextlib.nullcontext()
# Where the SQLAlchemy path keeps a statement's span between its events (the execution context).
_SPAN = "_corpcare_span"


def use(chosen: Tracer | None) -> None:
    """Trace with ``chosen`` from now on (None: stop tracing)."""
    global tracer
    tracer = chosen


def span(
    name: str, attributes: dict[str, Any] | None = None, kind: SpanKind = SpanKind.INTERNAL
) -> contextlib.AbstractContextManager[Any]:
    """A span named ``name``, current inside the block (a shared do-nothing block when off)."""
    if tracer is None:
        return _NOTHING
    return Current(tracer.start_span(name, kind=kind, attributes=attributes))


class Current:
    """``span`` current inside the block and ended after it, failed by an exception that leaves
    it (not by a cancellation: the caller went away): what ``start_as_current_span`` does, at a
    quarter of its cost (no generator, no decorator)."""

    __slots__ = ("span", "token")

    def __init__(self, span: Span) -> None:
        self.span = span

    def __enter__(self) -> Span:
        self.token = attach(set_span_in_context(self.span))
        return self.span

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, _: Any) -> None:
        detach(self.token)
        if error is not None and self.span.is_recording() and not isinstance(error, CancelledError | GeneratorExit):
            # The kind only: a message or a traceback (with its chained causes) can carry a statement's
            # bound values, and those can be names, numbers or logins.
            self.span.set_attribute("error.type", kind.__qualname__ if kind is not None else "Exception")
            self.span.set_status(Status(StatusCode.ERROR))
        self.span.end()


def client_span(
    name: str, attributes: dict[str, Any] | None = None, kind: SpanKind = SpanKind.CLIENT
) -> contextlib.AbstractContextManager[Any]:
    """A call to a backend as a span, inside a traced request only: the process's own background
    work (the recovery pass, the event bus's listener) would otherwise make a trace per call."""
    if tracer is None or not inside():
        return _NOTHING
    return Current(tracer.start_span(name, kind=kind, attributes=attributes))


def inside() -> bool:
    """Whether a span (a request's, or a caller's continued) is current."""
    return get_current_span().get_span_context().is_valid


def statement_attributes(dialect: Any, url: Any, sql: str) -> dict[str, Any]:
    """The database semantic conventions' attributes of one statement: its text as sent, with the
    driver's placeholders where the values go (never the values)."""
    attributes: dict[str, Any] = {"db.system.name": dialect.name, "db.query.text": sql}
    if url is not None:
        if url.database:
            attributes["db.namespace"] = url.database.rsplit("/", 1)[-1]
        if url.host:
            attributes["server.address"] = url.host
        if url.port:
            attributes["server.port"] = url.port
    return attributes


def statement_name(sql: str) -> str:
    """The span name of a statement: its operation (``SELECT``, ``INSERT``, ``BEGIN``…)."""
    head = sql.lstrip().split(None, 1)
    return head[0].upper() if head else "SQL"


def sql_span(engine: Any, sql: str) -> contextlib.AbstractContextManager[Any]:
    """A span for one statement sent without SQLAlchemy's execution (``sources/direct.py``); the
    engine's listeners leave such statements to it."""
    if tracer is None or not inside():
        return _NOTHING
    attributes = statement_attributes(engine.dialect, engine.url, sql)
    return Current(tracer.start_span(statement_name(sql), kind=SpanKind.CLIENT, attributes=attributes))


def trace_statements(engine: AsyncEngine) -> None:
    """One span per statement SQLAlchemy executes on ``engine`` (once, however often it is asked)."""
    sync = engine.sync_engine
    if not event.contains(sync, "before_cursor_execute", _before):
        event.listen(sync, "before_cursor_execute", _before)
        event.listen(sync, "after_cursor_execute", _after)
        event.listen(sync, "handle_error", _failed)


def _before(conn: Any, _cursor: Any, statement: str, _parameters: Any, context: Any, _many: bool) -> None:
    # Without an execution context the statement is sent directly, inside its own ``sql_span``.
    if tracer is None or context is None or not inside():
        return
    engine = conn.engine
    setattr(
        context,
        _SPAN,
        tracer.start_span(
            statement_name(statement),
            kind=SpanKind.CLIENT,
            attributes=statement_attributes(engine.dialect, engine.url, statement),
        ),
    )


def _after(_conn: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any, _many: bool) -> None:
    started: Span | None = getattr(context, _SPAN, None)
    if started is not None:
        setattr(context, _SPAN, None)
        started.end()


def _failed(exception_context: Any) -> None:
    started: Span | None = getattr(exception_context.execution_context, _SPAN, None)
    if started is not None:
        setattr(exception_context.execution_context, _SPAN, None)
        error = exception_context.original_exception
        started.set_attribute("error.type", type(error).__qualname__)  # not its message: see Current
        started.set_status(Status(StatusCode.ERROR))
        started.end()
