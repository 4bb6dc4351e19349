"""A request's JSON body, decoded once per request: the guard that refuses a body that is not
JSON, the persisted-query rules and the GraphQL layer all read the same value. A body of
100,000 ids is 2.4 MB and takes milliseconds to decode, on the event loop every company shares."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import orjson


class _Memo:
    """One request's body and its decoded value; emptied when the request is answered."""

    __slots__ = ("body", "value")

    def __init__(self, body: bytes | None, value: Any) -> None:
        self.body, self.value = body, value


_decoded: ContextVar[_Memo | None] = ContextVar("corpcare_decoded_body", default=None)


def json_of(body: bytes) -> Any:
    """``body`` decoded (``orjson.JSONDecodeError`` when it is not JSON); the same body again in
    the same request is not decoded again."""
    memo = _decoded.get()
    if memo is not None and memo.body is body:
        return memo.value
    value = orjson.loads(body)
    _decoded.set(_Memo(body, value))
    return value


def forget_body() -> None:
    """The request is answered: its body goes. Timers started during the request (uvicorn's
    keep-alive among them) keep a copy of its context, with this memo in it, for seconds after."""
    memo = _decoded.get()
    if memo is not None:
        memo.body = memo.value = None
