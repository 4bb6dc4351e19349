"""Work that must finish even when its caller is cancelled: giving a connection back, ending a
transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any


async def to_the_end(work: Awaitable[Any]) -> None:
    """Await ``work`` to its end; a cancellation of the caller meanwhile is raised once it is done."""
    task = asyncio.ensure_future(work)
    try:
        await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise
