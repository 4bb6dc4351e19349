"""A long CSV export gives other requests a turn between its chunks, even when every row is in
memory already and sending a chunk does not wait (issue 13, finding 7)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from server.exports.routes import ROWS_PER_CHUNK, csv_chunks


async def rows(count: int) -> AsyncIterator[list[str]]:
    for number in range(count):
        yield [str(number), "Acme"]


async def test_a_long_export_lets_another_request_run_before_it_has_finished():
    other_ran = asyncio.Event()

    async def other_request() -> None:
        other_ran.set()

    other = asyncio.create_task(other_request())
    seen_after_chunk = [other_ran.is_set() async for _ in csv_chunks(["line", "company"], rows(3 * ROWS_PER_CHUNK))]
    await other
    assert len(seen_after_chunk) == 4 and seen_after_chunk[0]
