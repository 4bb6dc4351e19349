"""How every log line is written: structlog as the formatter of the standard library's logging.

With JSON logs on, each line any logger writes is one JSON object, ``time``, ``level``,
``logger`` and ``message`` first, then the record's fields: corpcare's loggers, uvicorn's,
alembic's and SQLAlchemy's, asyncio's, warnings, and exceptions nobody caught. Loggers of the
standard library and of structlog go through the same processors (``ProcessorFormatter``), so
both come out alike. A line written inside a traced request names its ``trace_id`` and
``span_id``. uvicorn's ``color_message`` is dropped and terminal colour codes are taken out.

Off, a developer's terminal gets structlog's console lines.

uvicorn configures logging itself, in the server and again in every worker process it starts,
from ``uvicorn.Config(log_config=…)``: ``corpcare serve`` hands it :func:`dict_config`, the
same configuration :func:`configure` applies, so no process writes a line of another shape.
"""

from __future__ import annotations

import logging
import logging.config
import re
import sys
import threading
import time
from types import TracebackType
from typing import Any

import orjson
import structlog
from opentelemetry import trace
from structlog.typing import EventDict, Processor, WrappedLogger

FIRST = ("time", "level", "logger", "message")
# What every record has; anything else on a record is a field the caller gave (``extra=``).
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# uvicorn repeats its message with terminal colours for its own formatter.
_DROPPED = {"color_message"}
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|[@-Z\\-_])")


def record_fields(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """A standard-library record's own fields (``extra=``), as structlog's bound values."""
    record = event.get("_record")
    if record is not None:
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                event.setdefault(key, value)
    return event


def timestamp(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """When the record was made (not when it was formatted), UTC, to the millisecond."""
    record = event.get("_record")
    created = record.created if record is not None else time.time()
    millis = int(created * 1000) % 1000
    event["time"] = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{millis:03d}Z"
    return event


def trace_ids(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    """The current span's trace and span ids (32 and 16 hex digits), when a trace is on."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


def without_colours(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    for key in _DROPPED:
        event.pop(key, None)
    for key, value in event.items():
        if isinstance(value, str) and "\x1b" in value:
            event[key] = _ANSI.sub("", value).replace("\x1b", "")
    return event


def in_order(_: WrappedLogger, __: str, event: EventDict) -> EventDict:
    ordered = {key: event.pop(key) for key in FIRST if key in event}
    ordered.update(event)
    return ordered


def _dumps(entry: EventDict, **_: Any) -> str:
    return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


# Run on every record, whichever library made it, before it is rendered.
_SHARED: list[Processor] = [
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    timestamp,
    trace_ids,
]


def formatter(json_logs: bool) -> structlog.stdlib.ProcessorFormatter:
    """The formatter of every handler: one JSON object a line, or a console line."""
    rendering: list[Processor] = (
        [
            structlog.processors.format_exc_info,
            structlog.processors.EventRenamer("message"),
            without_colours,
            in_order,
            structlog.processors.JSONRenderer(serializer=_dumps),
        ]
        if json_logs
        else [
            without_colours,
            # A plain traceback: rich's would print the frames' locals, and tokens may be among them.
            structlog.dev.ConsoleRenderer(
                colors=sys.stderr.isatty(), timestamp_key="time", exception_formatter=structlog.dev.plain_traceback
            ),
        ]
    )
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[record_fields],
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
    )


class JsonFormatter(structlog.stdlib.ProcessorFormatter):
    """:func:`formatter` with JSON on, as a class (for a ``logging`` configuration or a test)."""

    def __init__(self) -> None:
        made = formatter(json_logs=True)
        super().__init__(foreign_pre_chain=made.foreign_pre_chain, processors=made.processors)


class StderrHandler(logging.StreamHandler[Any]):
    """Writes to whatever ``sys.stderr`` is when the line is written (a test's runner swaps it)."""

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _: Any) -> None:
        pass


def dict_config(json_logs: bool, level: str = "INFO") -> dict[str, Any]:
    """The ``logging.config.dictConfig`` of every corpcare process (and ``uvicorn.Config``'s
    ``log_config``): one handler on the root, and uvicorn's loggers writing through it."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"corpcare": {"()": "server.log_format.formatter", "json_logs": json_logs}},
        "handlers": {"stderr": {"class": "server.log_format.StderrHandler", "formatter": "corpcare"}},
        "root": {"handlers": ["stderr"], "level": level},
        # uvicorn's own configuration gives these handlers of their own; here they have none. With
        # JSON logs, corpcare's request log (which knows the operation and outcome) replaces the access log.
        "loggers": {
            # NOTSET: the root's level, whatever level an earlier uvicorn.Config in this process gave them
            # (uvicorn sets its --log-level on them after applying this configuration).
            "uvicorn": {"handlers": [], "propagate": True, "level": "NOTSET"},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": "NOTSET"},
            "uvicorn.access": {"handlers": [], "propagate": not json_logs, "level": "NOTSET"},
        },
    }


def configure(json_logs: bool, level: str = "INFO") -> None:
    """Configure this process's logging (and structlog's loggers) from the settings."""
    logging.config.dictConfig(dict_config(json_logs, level))
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # JSON: warnings and exceptions nobody caught would otherwise be printed as plain text.
    logging.captureWarnings(json_logs)
    sys.excepthook = _log_uncaught if json_logs else sys.__excepthook__
    threading.excepthook = _log_uncaught_in_thread if json_logs else threading.__excepthook__


_uncaught = logging.getLogger("corpcare.uncaught")


def _log_uncaught(kind: type[BaseException], error: BaseException, traceback: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    _uncaught.critical("uncaught exception", exc_info=(kind, error, traceback))


def _log_uncaught_in_thread(hook: threading.ExceptHookArgs) -> None:
    if hook.exc_type is SystemExit or hook.exc_value is None:
        return
    _uncaught.critical(
        "uncaught exception in a thread",
        exc_info=(hook.exc_type, hook.exc_value, hook.exc_traceback),
        extra={"thread_name": hook.thread.name if hook.thread else None},
    )
