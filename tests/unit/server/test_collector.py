"""The serving process's collector: what the first requests left is frozen once, after the set
number of HTTP requests and only when none is in flight; other connections do not count."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from server.collector import Refreeze


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each freeze, with the number of requests in flight then."""
    seen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: seen.append(1))
    monkeypatch.setattr(gc, "collect", lambda *_: 0)
    return seen


async def _answers_nothing(scope: Any, receive: Any, send: Any) -> None:
    return None


async def test_the_caches_are_frozen_once_after_the_first_requests(frozen):
    middleware = Refreeze(_answers_nothing, after=3)
    for _ in range(2):
        await middleware({"type": "http"}, None, None)
    await middleware({"type": "websocket"}, None, None)
    assert frozen == []
    await middleware({"type": "http"}, None, None)
    assert frozen == [1]
    for _ in range(5):
        await middleware({"type": "http"}, None, None)
    assert frozen == [1]


async def test_nothing_is_frozen_while_a_request_is_in_flight(frozen):
    entered, release = asyncio.Event(), asyncio.Event()

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope.get("slow"):
            entered.set()
            await release.wait()

    middleware = Refreeze(app, after=1)
    slow = asyncio.create_task(middleware({"type": "http", "slow": True}, None, None))
    await entered.wait()
    await middleware({"type": "http"}, None, None)
    assert frozen == [] and middleware.running == 1
    release.set()
    await slow
    assert frozen == [1]


async def test_no_refreeze_when_turned_off(frozen):
    middleware = Refreeze(_answers_nothing, after=0)
    for _ in range(3):
        await middleware({"type": "http"}, None, None)
    assert frozen == []
