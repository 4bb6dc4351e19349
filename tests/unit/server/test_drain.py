"""The app's side of a drain: readiness false from the signal on, liveness true, and each
WebSocket closed with 1012 once the socket closes, in process (the real processes are in
``tests/system/test_graceful_shutdown.py``)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.drain import RESTART, Drain, ReconnectOnDrain
from tests.system.test_http import make_settings
from tests.waiting import until, within


async def test_readiness_turns_false_when_the_drain_begins_liveness_stays_true_and_connections_are_not_kept():
    drain = Drain()
    app = create_app(make_settings(bulk_worker=False), drain=drain)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        assert "connection" not in (await http.get("/healthz")).headers
        drain.begin()
        ready = await http.get("/readyz")
        assert (ready.status_code, ready.json()) == (503, {"status": "draining"})
        alive = await http.get("/healthz")
        # Served, and the client's next request goes through the load balancer on a new connection.
        assert alive.status_code == 200 and alive.headers["connection"] == "close"


class Socket:
    """The server's side of one WebSocket, as uvicorn hands it to the app."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.gone = asyncio.Event()
        self._connected = False

    async def receive(self) -> dict[str, Any]:
        if not self._connected:
            self._connected = True
            return {"type": "websocket.connect"}
        await self.gone.wait()  # the client answers a close frame by leaving
        return {"type": "websocket.disconnect", "code": RESTART}

    async def send(self, message: dict[str, Any]) -> None:
        self.sent.append(message)
        if message["type"] == "websocket.close":
            self.gone.set()


async def subscriptions(scope: Any, receive: Any, send: Any) -> None:
    """A socket handler: accepts, then sends until its client leaves, as a subscription does."""
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    await receive()
    with pytest.raises(ConnectionResetError):
        await send({"type": "websocket.send", "text": "too late"})


async def test_a_socket_is_closed_with_1012_when_the_drain_closes_and_its_handler_ends():
    drain = Drain()
    app = ReconnectOnDrain(subscriptions, drain=drain)
    socket = Socket()
    handler = asyncio.create_task(app({"type": "websocket"}, socket.receive, socket.send))
    await until(lambda: len(socket.sent) == 1, "the socket to be accepted")
    assert not drain.draining

    await within(drain.close())
    await within(handler)
    assert drain.draining and socket.sent == [
        {"type": "websocket.accept"},
        {"type": "websocket.close", "code": RESTART, "reason": "server restarting; reconnect"},
    ]
    late = Socket()
    await within(app({"type": "websocket"}, late.receive, late.send))
    assert [message["type"] for message in late.sent] == ["websocket.close"]
    assert late.sent[0]["code"] == RESTART
