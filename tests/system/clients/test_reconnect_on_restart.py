"""A server restarted under a subscriber of the reference clients, graphql-ws and graphql-sse
(retries on, as front ends run them): the draining server closes the socket with 1012 "service
restart", or ends the event stream without ``complete``; the client reconnects by itself to the
server started in its place on the same port, subscribes again and hears from it. Real
processes: ``corpcare serve`` twice, and Node."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from typing import Any

import pytest

from core.ids import to_global_id
from server.drain import RESTART
from tests.support import World
from tests.system.clients.conftest import CLIENTS
from tests.system.test_graceful_shutdown import Serve
from tests.system.test_live_usage import BALANCES, line_of
from tests.system.test_subscriptions import token
from tests.waiting import PATIENCE, within

pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True, scope="session")


class Seen:
    """What the client printed, one event at a time."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.events: list[dict[str, Any]] = []

    async def next(self, event: str, seconds: float = PATIENCE) -> dict[str, Any]:
        """The next line of this kind (the lines before it are kept in ``events``)."""

        async def read() -> dict[str, Any]:
            assert self.process.stdout is not None
            while True:
                line = await self.process.stdout.readline()
                if not line:
                    error = b"" if self.process.stderr is None else await self.process.stderr.read()
                    raise AssertionError(f"the client ended: {self.events} {error.decode()}")
                seen = json.loads(line)
                self.events.append(seen)
                if seen["event"] == event:
                    return seen

        return await within(read(), seconds)


async def restarted_under(world: World, tmp_path: Any, started: list[Serve], node: str, script: str) -> Seen:
    """What the client of ``script`` saw of its subscription to a line's balances, across a
    restart of the server, up to its first update from the new one."""
    first = Serve(world, tmp_path)
    started.append(first)
    await first.started()
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    ws = first.base.replace("http://", "ws://") + "/graphql"
    plan = {
        "url": ws if "graphql-ws" in script else first.base + "/graphql/stream",
        "token": token("acme.employee"),
        "connectionParams": {"Authorization": f"Bearer {token('acme.employee')}"},
        "query": BALANCES,
        "variables": {"line": line},
        # Enough attempts, 0.2 s apart, for a busy machine to start the next server.
        "retryAttempts": int(10 * PATIENCE / 0.2),
    }
    process = await asyncio.create_subprocess_exec(
        node, script, json.dumps(plan), cwd=CLIENTS, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    seen = Seen(process)
    try:
        await seen.next("connected")
        before = await seen.next("next")
        assert before["value"]["data"]["bundleUpdates"]
        first.signal(signal.SIGTERM)
        assert await first.exited() == 0

        second = Serve(world, tmp_path, port=first.port)
        started.append(second)
        await second.started()
        await seen.next("connected", seconds=3 * PATIENCE)
        after = await seen.next("next")
        assert after["value"] == before["value"], "the same line's balances, from the new server"
        assert not [e for e in seen.events if e["event"] in ("error", "complete")], seen.events
        return seen
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def test_graphql_ws_reconnects_by_itself_to_the_server_started_in_its_place(world, tmp_path, started, node):
    seen = await restarted_under(world, tmp_path, started, node, "graphql-ws/reconnect.mjs")
    closes = [e for e in seen.events if e["event"] == "closed"]
    assert (closes[0]["code"], closes[0]["reason"]) == (RESTART, "server restarting; reconnect")


async def test_graphql_sse_reconnects_by_itself_to_the_server_started_in_its_place(world, tmp_path, started, node):
    seen = await restarted_under(world, tmp_path, started, node, "graphql-sse/reconnect.mjs")
    connected = [e for e in seen.events if e["event"] == "connected"]
    assert connected[0] == {"event": "connected", "retrying": False} and connected[-1]["retrying"]
