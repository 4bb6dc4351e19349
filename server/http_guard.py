"""HTTP hygiene for every response and request, in front of everything else (pure ASGI).

- Security headers on every response: ``X-Content-Type-Options: nosniff``, ``X-Frame-Options:
  DENY`` with CSP ``frame-ancestors 'none'``, ``Referrer-Policy: no-referrer``,
  ``Cache-Control: no-store`` (API answers are per caller), and HSTS when configured for TLS.
- CSRF: a POST a browser could send cross-site without a preflight (a form, or text/plain) is
  refused unless it carries a preflight header (``X-Corpcare-Preflight`` or
  ``Apollo-Require-Preflight``); JSON bodies always need a preflight in browsers.
- Request bodies above the limit are refused with 413, whether or not they declare their length.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_SIMPLE_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
_PREFLIGHT_HEADERS = (b"x-corpcare-preflight", b"apollo-require-preflight")


class TooLarge(Exception):
    pass


class HttpGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, hsts_seconds: int | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
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
        if scope["method"] == "POST" and _is_simple(headers) and not any(h in headers for h in _PREFLIGHT_HEADERS):
            message = "A form or text/plain request needs the X-Corpcare-Preflight header (CSRF protection)."
            await _refuse(secured, 400, "BAD_REQUEST", message)
            return
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _refuse(
                secured, 413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes."
            )
            return
        try:
            await self.app(scope, self._counted(receive), secured)
        except TooLarge:
            await _refuse(
                secured, 413, "PAYLOAD_TOO_LARGE", f"Request bodies are limited to {self.max_body_bytes} bytes."
            )

    def _secured(self, send: Send) -> Send:
        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message = {**message, "headers": [*message.get("headers", []),
                                                  *(h for h in self.headers if h[0] not in present)]}  # fmt: skip
            await send(message)

        return secured

    def _counted(self, receive: Receive) -> Receive:
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise TooLarge
            return message

        return counted


def _is_simple(headers: dict[Any, Any]) -> bool:
    content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
    return content_type in _SIMPLE_TYPES


async def _refuse(send: Send, status: int, code: str, message: str) -> None:
    body = orjson.dumps({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]})
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
