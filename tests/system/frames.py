"""graphql-transport-ws messages as a client reads them: each must come as a text frame (a
browser hands a binary frame to the page as a Blob, which graphql-ws cannot read)."""

from __future__ import annotations

import json
from typing import Any

from websockets.asyncio.client import ClientConnection


async def received(socket: ClientConnection) -> Any:
    """The next message, which must be JSON in a text frame."""
    frame = await socket.recv()
    assert isinstance(frame, str), f"a binary frame: {frame!r}"
    return json.loads(frame)
