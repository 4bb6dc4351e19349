"""graphql-transport-ws messages as text frames.

Strawberry sends a binary frame when the view's JSON encoder returns bytes (ours does: orjson).
Browsers hand a binary frame to the page as a ``Blob``, and the reference client ``graphql-ws``
(used by Apollo Client, urql, Relay and GraphiQL) then fails with "Message is missing the
'type' property"; the protocol's messages are JSON text, so every one goes as a text frame.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.websockets import WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.http.exceptions import WebSocketDisconnected

__all__ = ["TextFrames"]


class TextFrames(ASGIWebSocketAdapter):
    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(self.view.encode_json_string(message))
        except WebSocketDisconnect as gone:
            raise WebSocketDisconnected from gone
