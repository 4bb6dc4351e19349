"""One text/event-stream response of GraphQL over Server-Sent Events (``server/sse.py``): its events
in order, as graphql-sse frames them, and the operations that feed it.

The events wait in a short queue: an operation whose client reads slowly waits to send, so its
subscription's own mailbox keeps only the newest messages, as over a WebSocket, and memory does
not grow however slow the client reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.responses import StreamingResponse
from starlette.types import Receive, Scope, Send

from request.context import Context

PING_SECONDS = 12.0  # graphql-sse's own keep-alive; each ping also asks who the tokens name
WAITING = 16  # events a slow client may have waiting before its operations wait to send
_HEADERS = {"Cache-Control": "no-cache", "Connection": "keep-alive", "X-Accel-Buffering": "no"}
_PING = b":\n\n"


def frame(event: str, data: object) -> bytes:
    """One event as graphql-sse prints it (``data:`` stays, empty, when there is none)."""
    return b"event: " + event.encode() + b"\ndata:" + (b" " + orjson.dumps(data) if data is not None else b"") + b"\n\n"


@dataclass(slots=True)
class Operation:
    id: str | None  # None: the only one of a distinct connection
    context: Context
    task: asyncio.Task[None] | None = None  # None: a query, run by its own request
    signed_out: str | None = None  # why the token names nobody now


class EventStream:
    def __init__(self, owner: int, *, single: bool) -> None:
        self.owner = owner  # the user id of the caller who opened or reserved it
        self.single = single  # single connection mode: operations come and go by id
        self.opened = False
        self.closed = False
        self.signed_out: str | None = None
        self.operations: dict[str, Operation] = {}
        self._events: asyncio.Queue[bytes | None] = asyncio.Queue(WAITING)

    async def send(self, event: str, op_id: str | None, payload: dict[str, Any] | None = None) -> None:
        if self.closed:
            return
        data: object = payload if op_id is None else {"id": op_id, **({"payload": payload} if payload else {})}
        await self._events.put(frame(event, data))

    def close(self) -> None:
        """No more events: those sent are flushed, then the response ends."""
        if not self.closed:
            self.closed = True
            if not self._events.full():
                self._events.put_nowait(None)  # wakes a reader waiting on an empty queue

    def stop(self) -> None:
        """The response has ended: nothing more runs for it."""
        self.close()
        while not self._events.empty():
            self._events.get_nowait()  # frees whoever waits to send
        for operation in list(self.operations.values()):
            if operation.task is not None:
                operation.task.cancel()

    async def body(self) -> AsyncIterator[bytes]:
        yield _PING  # some browsers show nothing until a first chunk
        while not (self.closed and self._events.empty()):
            try:
                async with asyncio.timeout(PING_SECONDS):
                    event = await self._events.get()
            except TimeoutError:
                await self._recheck()
                yield _PING
                continue
            if event is None:
                return
            yield event

    async def _recheck(self) -> None:
        """Between events too: an operation whose token names nobody now ends (its task says why)."""
        for operation in list(self.operations.values()):
            if await operation.context.signed_in_now() is None and operation.task is not None:
                operation.task.cancel()


class EventResponse(StreamingResponse):
    """The stream's events; once it ends, or its client goes away, nothing more runs for it."""

    def __init__(self, stream: EventStream, ended: Callable[[EventStream], None]) -> None:
        super().__init__(stream.body(), media_type="text/event-stream", headers=_HEADERS)
        self.stream = stream
        self.ended = ended

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.ended(self.stream)
            self.stream.stop()
