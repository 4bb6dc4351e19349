"""Work for a client that has gone away is cancelled.

A caller that gives up (a browser tab closed, a client's time-out) closes its connection; the
answer has nowhere to go. Left alone, the request would still queue, run its SQL and build its
answer, taking a turn from a caller who is still waiting. Here, once the body is in (the body
guard has read it whole), the connection is watched for ``http.disconnect`` while the request
waits and runs; when it comes before the answer is complete, the request is cancelled — its
turn, its statements (asyncpg cancels them in PostgreSQL) and its loaders — and the disconnect
is logged as what it is: one info line, not a server error.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.admission import arrived_at
from server.http_errors import request_id_of
from server.metrics import Metrics

CLIENT_GONE = "corpcare.client_gone"  # the scope key set before a request is cancelled for it
log = logging.getLogger("corpcare.requests")


class CancelOnDisconnect:
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _whole_body(receive)
        if body is None:
            self._gone(scope, "before its body was in")
            return
        gone = asyncio.Event()
        answered = False

        async def replay() -> Message:
            """The body, then (to a streaming response that listens) the client going away."""
            nonlocal body
            if body is not None:
                message, body = body, None
                return message
            await gone.wait()
            return {"type": "http.disconnect"}

        async def sending(message: Message) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True  # uvicorn reports the end of the exchange as a disconnect too

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            gone.set()

        async def answer() -> None:
            await self.app(scope, replay, sending)

        work = asyncio.create_task(answer())
        watcher = asyncio.create_task(watch())
        try:
            await asyncio.wait((work, watcher), return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # the server is stopping: the request stops with it
            watcher.cancel()
            await _cancelled(work)
            raise
        watcher.cancel()
        if work.done() or answered:
            await work
            return
        scope[CLIENT_GONE] = True
        await _cancelled(work)
        self._gone(scope, "its request was cancelled")

    def _gone(self, scope: Scope, what: str) -> None:
        self.metrics.disconnects.inc()
        seconds = asyncio.get_running_loop().time() - arrived_at(scope)
        fields = {"request_id": request_id_of(scope), "method": scope["method"], "path": scope["path"],
                  "duration_ms": round(seconds * 1000, 1)}  # fmt: skip
        log.info("client disconnected; %s", what, extra=fields)


async def _whole_body(receive: Receive) -> Message | None:
    """The request's body as one message (the body guard replays it whole), None if the client left."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}


async def _cancelled(task: asyncio.Task[None]) -> None:
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if current is not None and current.cancelling():
            raise  # this one was cancelled too, not only the task
