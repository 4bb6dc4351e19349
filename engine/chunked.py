"""Long lists completed in chunks, with the event loop given a turn between them.

graphql-core completes a list's items in one synchronous loop: a page of thousands of objects
(or a report of tens of thousands of rows) holds the event loop for the whole of it, so every
other company's requests wait, and the request's time limit (an ``asyncio.timeout``, which can
only act when the loop runs) cannot stop it. Completing ``CHUNK`` items at a time and yielding
between chunks lets the other requests run and lets a cancelled request stop within one chunk.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from graphql import GraphQLOutputType, GraphQLResolveInfo
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel

# About a millisecond or two of completion per chunk for objects of a few fields (≈ 8 µs a field).
CHUNK = 256


async def complete_in_chunks(
    context: Any,
    item_type: GraphQLOutputType,
    field_details_list: FieldDetailsList,
    info: GraphQLResolveInfo,
    path: Path,
    items: list[Any],
    position_context: Any,
) -> list[Any]:
    """What ``complete_iterable_value`` answers for ``items`` (none of them awaitable), built a
    chunk at a time. ``context`` is the graphql-core execution context."""
    complete_item: Callable[..., bool] = context.complete_list_item_value
    completed: list[Any] = []
    waiting: list[int] = []
    try:
        for start in range(0, len(items), CHUNK):
            if start:
                await asyncio.sleep(0)  # the turn of the other requests, and of this one's time limit
            for index in range(start, min(start + CHUNK, len(items))):
                item_path = path.add_key(index, None)
                if complete_item(items[index], completed, item_type, field_details_list, info, item_path,
                                 position_context):  # fmt: skip
                    waiting.append(index)
    except BaseException:
        # Do not leave the items already started un-awaited: settle them in the background.
        started = [completed[index] for index in waiting]
        if started:
            context.settle_in_background(started)
        raise
    if waiting:
        results = await gather_with_cancel(*(completed[index] for index in waiting))
        for index, result in zip(waiting, results, strict=True):
            completed[index] = result
    return completed
