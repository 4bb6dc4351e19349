"""A process's way out during a rolling update: readiness turns false first, the process serves
on, then its subscribers are told to reconnect elsewhere while requests in flight finish.

The signal reaches uvicorn's server (``server/graceful.py``), which drives one ``Drain``; the app
reads it: ``/readyz`` answers 503 ``draining`` from the signal on (``/healthz`` stays 200: a
draining process is alive), and once the socket closes (``close``) every WebSocket is closed
with 1012 "service restart" and every Server-Sent Events stream ends without ``complete``.
graphql-ws clients retry both 1012 and 1001, but not 1000 (a normal closure), and graphql-sse
clients retry a stream that ends while an operation waits, so both reconnect by themselves —
to another instance behind the load balancer, or to this one's successor.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http_errors import coded_response, request_id_of

__all__ = ["PROCESS", "RESTART", "Drain", "ReconnectOnDrain"]

RESTART = 1012  # WebSocket close code "Service Restart" (RFC 6455 registry)
RESTART_REASON = "server restarting; reconnect"
CLOSE_SECONDS = 5.0  # the longest the close frames may take to go out (a client that reads nothing)

SocketCloser = Callable[[], Awaitable[None]]


class Drain:
    """One process's shutdown as its app sees it: ``draining`` from the signal on, ``closing``
    once long-lived streams must end."""

    def __init__(self) -> None:
        self.draining = False
        self.closing = False
        self._closers: list[Callable[[], None]] = []
        self._sockets: set[SocketCloser] = set()

    def begin(self) -> None:
        """Readiness turns false; everything is still served (safe in a signal handler)."""
        self.draining = True

    async def close(self) -> None:
        """Long-lived streams end now, and each socket's close frame is sent: their clients
        reconnect elsewhere."""
        self.draining = True
        if self.closing:
            return
        self.closing = True
        for closer in self._closers:
            closer()
        sockets = [asyncio.ensure_future(close()) for close in list(self._sockets)]
        if sockets:
            await asyncio.wait(sockets, timeout=CLOSE_SECONDS)

    def at_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    @contextmanager
    def socket(self, close: SocketCloser) -> Iterator[None]:
        """While the block runs, ``close`` is how the drain closes this socket."""
        self._sockets.add(close)
        try:
            yield
        finally:
            self._sockets.discard(close)


# This process's: the server's signal hook and the app it serves (server/asgi.py) share it.
PROCESS = Drain()


class ReconnectOnDrain:
    """While the process drains, each HTTP answer says ``Connection: close``, so that a client
    keeping its connection alive opens its next one through the load balancer, to another
    instance; once the drain closes streams, each WebSocket is closed with 1012 and the handler
    behind it sees the client's answer as a disconnect, ending its subscriptions as when a
    client leaves."""

    def __init__(self, app: ASGIApp, *, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._socket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if self.drain.draining:
                    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"connection"]
                    message = {**message, "headers": [*headers, (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if started or not self.drain.closing or task is None or not task.cancelling():
                raise
            # The drain's time ran out and uvicorn cancelled the request: an answer the client can
            # act on (send it again, elsewhere) in place of uvicorn's bare 500 and its traceback.
            while task.uncancel():
                pass
            message = "The server is restarting and could not finish this request in time; send it again."
            response = coded_response(503, "TIMEOUT", message, retry_after=1)
            response.headers["X-Request-Id"] = request_id_of(scope)
            await response(scope, receive, sending)

    async def _socket(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.drain.closing:  # came in as the socket closed: to another instance
            await send({"type": "websocket.close", "code": RESTART, "reason": RESTART_REASON})
            return
        closed = False

        async def close() -> None:
            nonlocal closed
            closed = True
            with contextlib.suppress(Exception):  # the client may be gone already
                await send({"type": "websocket.close", "code": RESTART, "reason": RESTART_REASON})

        async def sending(message: Message) -> None:
            if closed:
                if message["type"] in ("websocket.accept", "websocket.close"):
                    return  # closed already, with the code that says why; the handler hears it next
                raise ConnectionResetError("the socket was closed for a restart")  # Starlette: a disconnect
            await send(message)

        with self.drain.socket(close):
            await self.app(scope, receive, sending)
