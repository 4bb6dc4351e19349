"""The log lines of a serving process are written in batches, never lost at exit or held past a warning."""

from __future__ import annotations

import io
import logging

from server.logs import BatchedStream
from tests.waiting import eventually


def record(message: str, level: int = logging.INFO) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "levelno": level, "levelname": logging.getLevelName(level)})


async def test_lines_logged_while_serving_are_written_together_once_their_time_is_due():
    stream = io.StringIO()
    handler = BatchedStream(stream, seconds=0.01)
    for message in ("one", "two"):
        handler.handle(record(message))
    assert stream.getvalue() == ""  # waiting: one write for both

    await eventually(lambda: stream.getvalue() == "one\ntwo\n", "the lines to be written")


async def test_a_warning_is_written_at_once_after_the_lines_that_wait():
    stream = io.StringIO()
    handler = BatchedStream(stream, seconds=3600)
    handler.handle(record("served"))
    handler.handle(record("slow operation", logging.WARNING))

    assert stream.getvalue() == "served\nslow operation\n"


async def test_lines_that_wait_are_written_when_the_handler_is_flushed_at_exit():
    stream = io.StringIO()
    handler = BatchedStream(stream, seconds=3600)
    handler.handle(record("served"))

    handler.flush()

    assert stream.getvalue() == "served\n"


def test_a_line_logged_outside_an_event_loop_is_written_at_once():
    stream = io.StringIO()
    handler = BatchedStream(stream)
    handler.handle(record("migrated"))

    assert stream.getvalue() == "migrated\n"
