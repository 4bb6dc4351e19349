"""A graphql-transport-ws client that drives the app's WebSocket endpoint in process (no server)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any


async def socket_exchange(
    app: Any,
    messages: list[dict[str, Any]],
    until: str,
    stop: Callable[[dict[str, Any]], bool] | None = None,
    headers: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Drive ``app``'s WebSocket endpoint in process: send ``messages`` after connecting and
    return what it sends until a message of type ``until``, or one ``stop`` picks (then the
    client leaves). ``headers`` are added to the handshake's (a browser's ``Origin`` and ``Cookie``)."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    scope = {
        "type": "websocket", "asgi": {"version": "3.0"}, "http_version": "1.1", "scheme": "ws", "path": "/graphql",
        "raw_path": b"/graphql", "root_path": "", "query_string": b"", "server": ("corpcare.test", 80),
        "client": ("127.0.0.1", 50000), "subprotocols": ["graphql-transport-ws"],
        "headers": [(b"host", b"corpcare.test"), (b"sec-websocket-protocol", b"graphql-transport-ws"),
                    *((name.lower().encode(), value.encode()) for name, value in (headers or {}).items())],
    }  # fmt: skip
    await inbox.put({"type": "websocket.connect"})
    served = asyncio.create_task(app(scope, inbox.get, outbox.put))
    received: list[dict[str, Any]] = []
    try:
        for message in messages:
            await inbox.put({"type": "websocket.receive", "text": json.dumps(message)})
        while True:
            # A bound for a broken server, not a timing assumption: the answer comes at once.
            sent = await asyncio.wait_for(outbox.get(), timeout=60)
            if sent["type"] == "websocket.close":
                raise AssertionError(f"closed: {sent}; after {received}")
            if sent["type"] == "websocket.send":
                # Text frames only: a browser hands a binary frame to the page as a Blob.
                assert sent.get("bytes") is None and isinstance(sent.get("text"), str), f"a binary frame: {sent}"
                received.append(json.loads(sent["text"]))
                if received[-1]["type"] == until or (stop is not None and stop(received[-1])):
                    return received
    finally:
        await inbox.put({"type": "websocket.disconnect", "code": 1000})
        await asyncio.wait_for(served, timeout=60)
