"""HTTP hygiene for every response and request, in front of everything else (pure ASGI).

- Security headers on every response: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options:
  DENY`` with CSP ``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer``,
  ``Cache-Control: no-store`` (API answers are per caller), and HSTS when configured for TLS.
- CSRF: a POST a browser could send cross-site without a preflight (a form, or text/plain) is
  refused unless it carries a preflight header (``X-Corpcare-Preflight`` or
  ``Apollo-Require-Preflight``); JSON bodies always need a preflight in browsers. The few routes
  that take a form (``form_paths``: the development sign-in page) check its ``Origin`` themselves.

``BodyGuard`` comes after sign-in: the body is read there, whole, before any route sees it. Above
the caller's limit it is refused with 413 however it is sent (declared, chunked, or more than
its ``Content-Length`` said), and a client that takes longer than the body time-out to send it
gets 408. The limit is the caller's: only a caller who may change lines (``line:write``) has a
selection of thousands of lines to send; anyone else's body over its limit is refused before
anything decodes it, so a reader cannot make every company's event loop decode megabytes of
ids it may not use. Such a body, up to the largest any caller may send, is read to its end and
dropped first, so the client can read the 413 on a connection that stays usable; beyond that
(declared or counted), the connection is closed. Routes then read the body from memory, so no
route can hold a worker waiting on a slow client, and no route's own error handling can turn a
refusal into something else.
"""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from permissions.principal import Principal
from permissions.roles import Permission

_SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
_PREFLIGHT_HEADERS = (b"x-corpcare-preflight", b"apollo-require-preflight")


class _Refused(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


class _ClientGone(Exception):
    pass


class HttpGuard:
    def __init__(self, app: ASGIApp, *, hsts_seconds: int | None = None, form_paths: tuple[str, ...] = ()) -> None:
        self.app = app
        self.form_paths = form_paths
        self.headers = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"content-security-policy", b"frame-ancestors 'none'"),
            (b"referrer-policy", b"no-referrer"),
            (b"cache-control", b"no-store"),
        ]
        if hsts_seconds:
            self.headers.append((b"strict-transport-security", f"max-age={hsts_seconds}; includeSubDomains".encode()))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        secured = self._secured(send)
        if (
            scope["method"] == "POST"
            and _is_simple(headers)
            and not any(h in headers for h in _PREFLIGHT_HEADERS)
            and scope["path"] not in self.form_paths
        ):
            message = "A form or text/plain request needs the X-Corpcare-Preflight header (CSRF protection)."
            await _refuse(secured, 400, "BAD_REQUEST", message)
            return
        await self.app(scope, receive, secured)

    def _secured(self, send: Send) -> Send:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in self.headers if h[0] not in present)]}  # fmt: skip
            await send(message)

        return secured


class BodyGuard:
    """Reads the body, whole, within the caller's limit and the body time-out (after sign-in)."""

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, reader_body_bytes: int, body_timeout_seconds: float = 30.0
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.reader_body_bytes = min(reader_body_bytes, max_body_bytes)
        self.body_timeout_seconds = body_timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_of(scope)
        try:
            declared = _declared_length(scope.get("headers") or ())
            if declared is not None and declared > self.max_body_bytes:
                raise _too_large(limit)
            async with asyncio.timeout(self.body_timeout_seconds):
                body = await _read_body(receive, declared, self.max_body_bytes)
            if len(body) > limit:
                # Read to the end (never decoded) so that the client, still sending, can read the
                # answer: closing on a client mid-upload makes many clients (Node's fetch among
                # them) report a connection reset instead of the 413.
                await _refuse(send, 413, "PAYLOAD_TOO_LARGE", _too_large(limit).message)
                return
        except _Refused as refused:
            await _refuse(send, refused.status, refused.code, refused.message, close=True)
            return
        except TimeoutError:
            message = f"The request body did not arrive within {self.body_timeout_seconds:g} s."
            await _refuse(send, 408, "REQUEST_TIMEOUT", message, close=True)
            return
        except _ClientGone:
            return
        await self.app(scope, _replay(body, receive), send)

    def _limit_of(self, scope: Scope) -> int:
        user = scope.get("user")
        principal = getattr(user, "principal", None)
        if isinstance(principal, Principal) and principal.can(Permission.LINE_WRITE):
            return self.max_body_bytes
        return self.reader_body_bytes


def _declared_length(raw_headers: Any) -> int | None:
    values = {value.strip() for name, value in raw_headers if name.lower() == b"content-length"}
    if not values:
        return None
    if len(values) > 1 or not all(value.isdigit() for value in values):
        raise _Refused(400, "BAD_REQUEST", "The Content-Length header is not one whole number.")
    return int(values.pop())


async def _read_body(receive: Receive, declared: int | None, limit: int) -> bytes:
    chunks: list[bytes] = []
    seen = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _ClientGone
        chunk = message.get("body", b"")
        seen += len(chunk)
        if seen > limit:
            raise _too_large(limit)
        if declared is not None and seen > declared:
            raise _Refused(400, "BAD_REQUEST", "The body is longer than its Content-Length.")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _too_large(limit: int) -> _Refused:
    return _Refused(413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {limit} bytes for this caller.")


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read by the guard as one message; after it, the server's own messages (a
    streaming response listens for the client going away)."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _is_simple(headers: dict[Any, Any]) -> bool:
    content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    return content_type in _SIMPLE_TYPES


async def _refuse(send: Send, status: int, code: str, message: str, *, close: bool = False) -> None:
    body = orjson.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if close:  # the rest of the body may still be on its way: the connection cannot be reused
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
