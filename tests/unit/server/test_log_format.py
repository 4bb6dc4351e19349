"""The shape of a log line (server/log_format.py): the standard library's loggers and structlog's
alike, uvicorn's colours taken out, exceptions and warnings as fields, and the trace and span
ids of the span a line is written in."""

from __future__ import annotations

import json
import logging
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry.sdk.trace import TracerProvider

from server import log_format

Line = dict[str, Any]


@pytest.fixture
def json_logs(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    """JSON logging configured for the test, this process's logging as it was afterwards."""
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    uvicorn = {name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
               for name in ("uvicorn", "uvicorn.error", "uvicorn.access")}  # fmt: skip
    log_format.configure(json_logs=True)
    capsys.readouterr()

    def lines() -> list[Line]:
        return [json.loads(raw) for raw in capsys.readouterr().err.splitlines()]

    try:
        yield lines
    finally:
        root.handlers[:], level = kept
        root.setLevel(level)
        for name, (handlers, propagate) in uvicorn.items():
            logging.getLogger(name).handlers[:] = handlers
            logging.getLogger(name).propagate = propagate
        logging.captureWarnings(False)
        sys.excepthook, threading.excepthook = sys.__excepthook__, threading.__excepthook__
        structlog.reset_defaults()


def test_a_standard_library_line_and_a_structlog_line_have_the_same_shape(json_logs):
    logging.getLogger("corpcare.test").info("made %s", "here", extra={"request_id": "r1", "rows": 3})
    structlog.get_logger("corpcare.test").info("made here", request_id="r1", rows=3)
    stdlib, native = json_logs()
    for line in (stdlib, native):
        assert list(line)[:4] == ["time", "level", "logger", "message"]
        assert line["time"].endswith("Z") and line["time"][10] == "T"
    assert {**stdlib, "time": None} == {**native, "time": None}
    assert stdlib["level"] == "info" and stdlib["message"] == "made here" and stdlib["rows"] == 3


def test_uvicorns_color_message_is_dropped_and_colour_codes_are_taken_out(json_logs):
    banner = "Uvicorn running on %s (Press CTRL+C to quit)"
    coloured = "Uvicorn running on \x1b[1m%s\x1b[0m (Press CTRL+C to quit)"
    logging.getLogger("uvicorn.error").info(banner, "http://127.0.0.1:8000", extra={"color_message": coloured})
    logging.getLogger("corpcare.test").warning("\x1b[31mred\x1b[0m text")
    [line, red] = json_logs()
    assert line["logger"] == "uvicorn.error"
    assert line["message"] == "Uvicorn running on http://127.0.0.1:8000 (Press CTRL+C to quit)"
    assert "color_message" not in line
    assert red["message"] == "red text" and red["level"] == "warning"


def test_uvicorns_access_line_is_json_too_when_its_logger_writes():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/healthz", "1.1", 200), None)  # fmt: skip
    line = json.loads(log_format.JsonFormatter().format(record))
    assert (line["logger"], line["message"]) == ("uvicorn.access", '127.0.0.1:5000 - "GET /healthz HTTP/1.1" 200')


def test_an_exception_is_a_field_of_its_line(json_logs):
    try:
        raise ValueError("broken")
    except ValueError:
        logging.getLogger("corpcare.test").exception("it broke")
    [line] = json_logs()
    assert line["level"] == "error" and line["message"] == "it broke"
    assert line["exception"].startswith("Traceback") and "ValueError: broken" in line["exception"]


def test_warnings_and_uncaught_exceptions_are_json_lines(json_logs):
    warnings.showwarning(UserWarning("careful"), UserWarning, "module.py", 7)
    try:
        raise RuntimeError("nobody caught me")
    except RuntimeError as error:
        sys.excepthook(RuntimeError, error, error.__traceback__)
    [warned, uncaught] = json_logs()
    assert warned["logger"] == "py.warnings" and "UserWarning: careful" in warned["message"]
    assert (uncaught["logger"], uncaught["level"]) == ("corpcare.uncaught", "critical")
    assert "RuntimeError: nobody caught me" in uncaught["exception"]


def test_a_line_written_inside_a_span_names_its_trace_and_span(json_logs):
    tracer = TracerProvider().get_tracer("corpcare.test")  # a provider of the test's own, not the global one
    logging.getLogger("corpcare.test").info("outside")
    with tracer.start_as_current_span("request") as span:
        logging.getLogger("corpcare.test").info("inside")
        structlog.get_logger("corpcare.test").info("inside too")
    outside, inside, native = json_logs()
    assert "trace_id" not in outside and "span_id" not in outside
    context = span.get_span_context()
    for line in (inside, native):
        assert line["trace_id"] == f"{context.trace_id:032x}" and len(line["trace_id"]) == 32
        assert line["span_id"] == f"{context.span_id:016x}" and len(line["span_id"]) == 16


def test_plain_lines_for_a_terminal_carry_the_fields_and_no_colour_codes(capsys):
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        log_format.configure(json_logs=False)
        logging.getLogger("corpcare.test").info("graphql request", extra={"request_id": "r2", "color_message": "x"})
        written = capsys.readouterr().err
    finally:
        root.handlers[:], level = kept
        root.setLevel(level)
        structlog.reset_defaults()
    assert "graphql request" in written and "request_id=r2" in written and "corpcare.test" in written
    assert "color_message" not in written and not written.lstrip().startswith("{")
