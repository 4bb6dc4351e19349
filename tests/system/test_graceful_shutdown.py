"""A rolling update, as Kubernetes makes it: SIGTERM to a real ``corpcare serve`` (one process,
and two workers). Readiness turns false first while the process serves on; then the socket
closes, subscribers over WebSocket are closed with 1012 and streams over Server-Sent Events end,
the request in flight finishes whole, and the process exits 0.

The request in flight is held by a real lock: another session holds billing's tables until
the test lets go. Nothing waits on a clock: each step waits for what it expects to see."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from core.ids import to_global_id
from server.drain import RESTART
from tests.faults import billing_locked, free_port, waiting_on_a_lock
from tests.support import World
from tests.system.frames import received
from tests.system.processes import ProcessGroup
from tests.system.test_faults import QUERY
from tests.system.test_http import bearer
from tests.system.test_live_usage import BALANCES, line_of
from tests.system.test_subscriptions import SECRET, token, urls_of
from tests.waiting import PATIENCE, eventually, within

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True, scope="session")


class Serve(ProcessGroup):
    """``corpcare serve`` in a session of its own on the world's databases, its log in a file."""

    def __init__(self, world: World, root: Path, *options: str, port: int | None = None, **settings: str) -> None:
        environment = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CORPCARE_")},
            "PYTHONPATH": str(Path(__file__).parents[2]),
            "CORPCARE_DATA_DIR": str(root),
            "CORPCARE_JWT_SECRET": SECRET,
            "CORPCARE_BULK_WORKER": "false",
            # The request held by the test waits as long as the test takes, however busy the machine.
            "CORPCARE_REQUEST_TIMEOUT_SECONDS": "600",
            "CORPCARE_BACKEND_CALL_SECONDS": "600",
            **{f"CORPCARE_{name.upper()}": value for name, value in {**urls_of(world), **settings}.items()},
        }
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = root / f"serve-{self.port}-{len(list(root.glob('serve-*.log')))}.log"
        command = [sys.executable, "-c", "from server.cli import main; main()", "serve", "--port", str(self.port),
                   *options]  # fmt: skip
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                command, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    async def started(self, workers: int = 1) -> None:
        async def serving() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"corpcare serve exited: {self.text()}")
            try:
                async with httpx.AsyncClient(base_url=self.base) as http:
                    ready = (await http.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False
            return ready and self.text().count("Application startup complete") == workers

        # Imports and migrations can take over a minute on a loaded machine.
        await eventually(serving, "corpcare serve to be ready", seconds=3 * PATIENCE, every=0.05)

    def signal(self, sig: int = signal.SIGTERM) -> None:
        self.process.send_signal(sig)

    async def exited(self) -> int:
        return await within(asyncio.to_thread(self.process.wait), PATIENCE)


async def fresh_get(base: str, path: str) -> httpx.Response:
    """On a connection of its own, as a probe or a new client comes."""
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:
        return await http.get(path)


async def refused(base: str) -> bool:
    try:
        await fresh_get(base, "/healthz")
    except httpx.TransportError:
        return True
    return False


async def subscriber(base: str, line: str) -> ClientConnection:
    """A graphql-transport-ws socket following a line's balances, once its first update came."""
    socket = await connect(base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])
    payload = {"Authorization": f"Bearer {token('acme.employee')}"}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    assert (await within(received(socket)))["type"] == "connection_ack"
    subscribe = {"query": BALANCES, "variables": {"line": line}}
    await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
    first = await within(received(socket))
    assert first["type"] == "next" and first["payload"]["data"]["bundleUpdates"], first
    return socket


async def closed_with(socket: ClientConnection) -> tuple[int | None, str | None]:
    """The code and reason the server closed the socket with (messages before it are skipped)."""
    with pytest.raises(ConnectionClosed):
        while True:
            message = await received(socket)
            assert message["type"] == "next", f"the subscription must not be completed: {message}"
    return socket.close_code, socket.close_reason


@asynccontextmanager
async def event_stream(base: str, line: str) -> AsyncIterator[AsyncIterator[str]]:
    """A graphql-sse stream (distinct connection) following a line's balances: its lines, from
    after its first ``next`` event."""
    async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as http:
        body = {"query": BALANCES, "variables": {"line": line}}
        headers = {**bearer(token("acme.employee")), "Accept": "text/event-stream"}
        async with http.stream("POST", "/graphql/stream", json=body, headers=headers) as response:
            assert response.status_code == 200
            lines = response.aiter_lines()
            while (await within(anext(lines))) != "event: next":
                pass
            yield lines


async def rest_of(lines: AsyncIterator[str]) -> list[str]:
    """Every line up to the end of the stream."""

    async def read() -> list[str]:
        return [line async for line in lines]

    return await within(read())


async def test_sigterm_turns_readiness_false_then_drains_sockets_streams_and_the_request_in_flight(
    world, tmp_path, started
):
    # A long delay, ended by a second SIGTERM when the test has seen the process serve on.
    serve = Serve(world, tmp_path, drain_delay_seconds=str(10 * PATIENCE), drain_seconds=str(10 * PATIENCE))
    started.append(serve)
    await serve.started()
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    socket = await subscriber(serve.base, line)
    async with (
        event_stream(serve.base, line) as stream,
        httpx.AsyncClient(base_url=serve.base, timeout=10 * PATIENCE, headers=bearer(token("acme.admin"))) as http,
    ):
        async with billing_locked(urls_of(world)["billing_url"]):
            in_flight = asyncio.create_task(http.post("/graphql", json={"query": QUERY}))
            await eventually(lambda: waiting_on_a_lock(urls_of(world)["billing_url"]), "the request to wait on billing")

            serve.signal(signal.SIGTERM)
            draining = await eventually(
                lambda: _draining(serve.base), "/readyz to say draining", every=0.02
            )  # fmt: skip
            assert draining == {"status": "draining"}
            # Alive, and serving on while the load balancer stops sending here.
            assert (await fresh_get(serve.base, "/healthz")).status_code == 200
            async with httpx.AsyncClient(base_url=serve.base, timeout=PATIENCE) as newcomer:
                served = await newcomer.post("/graphql", json={"query": "{ viewer { login } }"},
                                             headers=bearer(token("acme.admin")))  # fmt: skip
            assert served.status_code == 200 and served.json()["data"] == {"viewer": {"login": "acme.admin"}}
            assert served.headers["connection"] == "close", "a kept-alive client must come back through the balancer"
            assert serve.process.poll() is None and not in_flight.done()

            serve.signal(signal.SIGTERM)  # the delay is over: the socket closes
            assert await within(closed_with(socket)) == (RESTART, "server restarting; reconnect")
            tail = await rest_of(stream)
            assert "event: complete" not in tail, "a stream that completes is not connected again"
            await eventually(lambda: refused(serve.base), "the socket to close")
            assert serve.process.poll() is None, "the request in flight is waited for"
            assert not in_flight.done()
        response = await within(in_flight)
    assert response.status_code == 200 and "errors" not in response.json()
    assert response.json()["data"]["customer"]["orgRoot"]["spending"]["total"]["amount"]
    assert await serve.exited() == 0
    log = serve.text()
    assert "Application shutdown complete" in log and "Cancel" not in log, log


async def _draining(base: str) -> Any:
    response = await fresh_get(base, "/readyz")
    return response.json() if response.status_code == 503 else None


async def test_two_workers_close_their_subscribers_end_their_streams_finish_requests_and_exit(world, tmp_path, started):
    # A short delay that runs out by itself: the workers then drain as one process does.
    serve = Serve(world, tmp_path, "--workers", "2", drain_delay_seconds="0.5", drain_seconds=str(10 * PATIENCE))
    started.append(serve)
    await serve.started(workers=2)
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    sockets = [await subscriber(serve.base, line) for _ in range(4)]
    async with (
        event_stream(serve.base, line) as stream,
        httpx.AsyncClient(base_url=serve.base, timeout=10 * PATIENCE, headers=bearer(token("acme.admin"))) as http,
    ):
        async with billing_locked(urls_of(world)["billing_url"]):
            in_flight = asyncio.create_task(http.post("/graphql", json={"query": QUERY}))
            await eventually(lambda: waiting_on_a_lock(urls_of(world)["billing_url"]), "the request to wait on billing")
            serve.signal(signal.SIGTERM)
            closes = await within(asyncio.gather(*(closed_with(socket) for socket in sockets)))
            tail = await rest_of(stream)
            await eventually(lambda: refused(serve.base), "the socket to close")
            assert serve.process.poll() is None and not in_flight.done()
        response = await within(in_flight)
    assert closes == [(RESTART, "server restarting; reconnect")] * 4
    assert "event: complete" not in tail
    assert response.status_code == 200 and response.json()["data"]["customer"]["orgRoot"]["spending"]
    assert await serve.exited() == 0
    log = serve.text()
    assert log.count("Application shutdown complete") == 2, log
    assert "died" not in log and "starting another" not in log, log


async def test_ctrl_c_drains_as_sigterm_does(world, tmp_path, started):
    serve = Serve(world, tmp_path)
    started.append(serve)
    await serve.started()
    socket = await subscriber(serve.base, to_global_id("Subscriber", await line_of(world, "acme.employee")))
    serve.signal(signal.SIGINT)
    assert await within(closed_with(socket)) == (RESTART, "server restarting; reconnect")
    assert await serve.exited() == 0
    assert "Application shutdown complete" in serve.text()


async def test_a_request_still_running_when_the_drain_time_is_up_is_cancelled_and_the_process_exits(
    world, tmp_path, started
):
    serve = Serve(world, tmp_path, drain_seconds="1")
    started.append(serve)
    await serve.started()
    async with (
        httpx.AsyncClient(base_url=serve.base, timeout=10 * PATIENCE, headers=bearer(token("acme.admin"))) as http,
        billing_locked(urls_of(world)["billing_url"]),
    ):  # held past the drain: the request cannot finish in time
        in_flight = asyncio.create_task(http.post("/graphql", json={"query": QUERY}))
        await eventually(lambda: waiting_on_a_lock(urls_of(world)["billing_url"]), "the request to wait on billing")
        serve.signal(signal.SIGTERM)
        assert await serve.exited() == 0
        cut = await within(in_flight)
        # Coded, and retryable: another instance serves it.
        assert (cut.status_code, cut.headers["retry-after"], cut.headers["connection"]) == (503, "1", "close")
        assert cut.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        # Its statement was cancelled in PostgreSQL too: nothing waits on the lock any more.
        await eventually(
            lambda: _not(waiting_on_a_lock(urls_of(world)["billing_url"])),
            "the request's statement to be cancelled",
        )
    log = serve.text()
    assert "Cancel 1 running task(s)" in log and "Application shutdown complete" in log, log
    assert "Exception in ASGI application" not in log and "Traceback" not in log, log


async def _not(answer: Any) -> bool:
    return not await answer
