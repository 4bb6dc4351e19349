"""A selection's line ids, decoded and summarised without holding the event loop.

A bulk selection may name 100,000 lines. Decoding that many global ids, or hashing them, is
about half a second of pure Python: done in one go it stalls every other request of the
process (other companies' included) and makes their backend calls overrun their time limits.
So both are done ``DECODE_CHUNK`` ids at a time, handing the loop back in between.

A long id list is kept with the operation (fingerprinted, audited, stored as the bulk
operation's ``input``) as its size and digest rather than the 2.4 MB of ids themselves: the
lines are the operation's items already, and a progress report of the operation must not
copy them each time it is sent.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from typing import Any

from core.ids import from_global_id

# Ids decoded (or hashed) between two hand-backs of the event loop: a few milliseconds' work.
DECODE_CHUNK = 2000
# Up to this many ids are kept as they were sent (a small selection, audited line by line).
INLINE_IDS = 200


async def decode_line_ids(ids: Sequence[str], chunk: int = DECODE_CHUNK) -> list[int]:
    """The lines' keys, in the order sent, each once; a malformed id is ``BadUserInput``."""
    keys: dict[int, None] = {}
    for start in range(0, len(ids), chunk):
        if start:
            await asyncio.sleep(0)
        for global_id in ids[start : start + chunk]:
            keys[from_global_id(global_id, expect="Subscriber")[1]] = None
    return list(keys)


async def ids_echo(ids: Sequence[str] | None, chunk: int = DECODE_CHUNK) -> list[str] | dict[str, Any] | None:
    """How an id selection is kept with the change: the ids themselves when few, else their
    number and SHA-256 (over the ids as sent, in order), so another list still fingerprints
    differently."""
    if ids is None:
        return None
    if len(ids) <= INLINE_IDS:
        return list(ids)
    digest = hashlib.sha256()
    for start in range(0, len(ids), chunk):
        if start:
            await asyncio.sleep(0)
        digest.update("\n".join(ids[start : start + chunk]).encode())
        digest.update(b"\n")
    return {"count": len(ids), "sha256": digest.hexdigest()}
