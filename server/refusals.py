"""A caller refused again and again is told to wait before anything of its next request is read.

A refusal is cheap for the caller and not free for the server: a 4 MB body read and decoded, a
document parsed, validated and priced, all on the event loop every company shares. A client
that sends what is refused in a loop (too costly, too long, too large, not GraphQL) would take
that loop from other companies at no cost to itself. So each caller (each signed-in user or API
key) has a budget of refusals per process: ``capacity`` at once, coming back at ``per_second``.
While it is spent, the caller's requests get 429 ``RATE_LIMITED`` (reason ``REFUSALS``) with
``Retry-After`` right after sign-in, before the body is read (the connection is then closed).
Answers that ran (even with a field refused by the caller's role) do not count.

The refusals counted are the request's own: HTTP 4xx from the edge (413, 408, 400, …) and the
GraphQL request errors (parse, validation, cost, input) with nothing answered (``data`` null),
which the endpoint marks in the scope. A field's bad argument beside answered fields is not one.
Over a WebSocket, each subscribe message answered with an ``error`` message is a refusal, and a
caller out of refusals gets an ``error`` (``RATE_LIMITED``) instead of its operation.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from permissions.principal import Principal

REFUSED = "corpcare.refused"  # the scope key the endpoint sets on a GraphQL request error


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RefusalBudget:
    """Refusals each caller may have per process, as a token bucket; the clock is injected."""

    def __init__(
        self, capacity: int = 20, per_second: float = 2.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.capacity = capacity
        self.per_second = per_second
        self.clock = clock
        self._buckets: dict[int, _Bucket] = {}

    def wait_seconds(self, caller: int) -> float:
        """How long ``caller`` must wait before its next request is read: 0 when it may go on."""
        bucket = self._refill(caller)
        if bucket is None or bucket.tokens >= 1:
            return 0.0
        return (1 - bucket.tokens) / self.per_second

    def spend(self, caller: int) -> None:
        bucket = self._refill(caller) or self._buckets.setdefault(caller, _Bucket(self.capacity, self.clock()))
        bucket.tokens = max(0.0, bucket.tokens - 1)

    def _refill(self, caller: int) -> _Bucket | None:
        bucket = self._buckets.get(caller)
        if bucket is None:
            return None
        now = self.clock()
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.at) * self.per_second)
        bucket.at = now
        if bucket.tokens >= self.capacity:
            del self._buckets[caller]  # a full bucket is the same as none: memory only for recent refusals
            return None
        return bucket


class RefusalGate:
    """After sign-in, before the body is read: a caller out of refusals gets 429."""

    def __init__(self, app: ASGIApp, *, budget: RefusalBudget) -> None:
        self.app = app
        self.budget = budget

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = getattr(scope.get("user"), "principal", None)
        if scope["type"] != "http" or not isinstance(principal, Principal):
            await self.app(scope, receive, send)
            return
        caller = principal.user_id
        wait = self.budget.wait_seconds(caller)
        if wait > 0:
            await _too_many(send, math.ceil(wait))
            return
        status = 0

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watched)
        finally:
            if scope.get(REFUSED) or (400 <= status < 500 and status not in (401, 429)):
                self.budget.spend(caller)


async def _too_many(send: Send, retry_after: int) -> None:
    message = (
        "Too many of your recent requests were refused (too large, too costly, not valid GraphQL); "
        f"wait {retry_after} s before the next."
    )
    # The body, unread, may still be on its way: the connection is closed.
    await send_wait(send, 429, "RATE_LIMITED", "REFUSALS", message, retry_after, close=True)


async def send_wait(
    send: Send, status: int, code: str, reason: str, message: str, retry_after: int, *, close: bool = False
) -> None:
    """An edge refusal that tells the caller when to try again: a coded GraphQL error whose
    extensions say why (``reason``) and how long to wait (``retryAfterSeconds``, also the
    ``Retry-After`` header)."""
    extensions = {"code": code, "reason": reason, "retryAfterSeconds": retry_after}
    body = orjson.dumps({"data": None, "errors": [{"message": message, "extensions": extensions}]})
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after).encode()),
    ]
    if close:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
