"""uvicorn's HTTP protocol with a header-read time-out.

uvicorn bounds the wait between requests on a kept-alive connection (``timeout_keep_alive``),
but not the time a client takes to send one request's headers: a client that opens a
connection and sends a byte now and then holds it for as long as it likes (slowloris), and
enough of them use up the server's connections. Here every request's headers must be complete
within ``CORPCARE_HEADER_READ_TIMEOUT_SECONDS`` of the connection opening (or of the first byte
of the next request on a kept-alive connection); otherwise the client gets 408 and the
connection is closed. The deadline is not moved by the bytes that do arrive, so trickling
does not help. Bodies are bounded by the ASGI guard (``server/http_guard.py``).
"""

from __future__ import annotations

import asyncio
from functools import cache

import orjson
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# What ``corpcare serve`` names to uvicorn (a name, so that worker processes import it).
PROTOCOL = "server.http_protocol:HeaderTimeoutProtocol"


@cache
def _configured_seconds() -> float:
    from server.settings import Settings

    return Settings().header_read_timeout_seconds


class HeaderTimeoutProtocol(HttpToolsProtocol):
    # None: from the settings (read once per process); a subclass may fix it.
    header_seconds: float | None = None

    _header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._header_deadline is None:  # the next request on a kept-alive connection
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        seconds = self.header_seconds if self.header_seconds is not None else _configured_seconds()
        self._header_deadline = self.loop.call_later(seconds, self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined request trickles in while the previous answer is written: no 408 in
            # the middle of that answer; the connection closes once it is complete.
            self.cycle.keep_alive = False
            return
        body = orjson.dumps({"data": None, "errors": [{"message": "The request headers did not arrive in time.",
                                                       "extensions": {"code": "REQUEST_TIMEOUT"}}]})  # fmt: skip
        self.transport.write(
            b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n"
            + b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body)
            + body
        )
        self.transport.close()
