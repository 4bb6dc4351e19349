"""Subscriptions over a real WebSocket (graphql-transport-ws) to a real server process: signed
in by connection_init, scoped like every read, and fed by the event bus (across instances
sharing Redis in ``test_two_instances.py``, which uses the helpers here)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from core.ids import to_global_id
from server.auth import issue_token
from tests.api.bulk.test_bulk_operations import SERVICES, acme_lines, service_id
from tests.system.frames import received
from tests.system.test_bulk_restart import SECRET, servers, serving  # noqa: F401 (fixture)
from tests.system.test_http import bearer

PROGRESS = """subscription($id: ID!) { bulkOperationProgress(id: $id) {
  id status total done applied skipped failed } }"""


def token(login: str) -> str:
    from server.settings import Settings

    return issue_token(Settings(_env_file=None, jwt_secret=SECRET), login)  # type: ignore[call-arg]


def urls_of(world: Any) -> dict[str, str]:
    urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
    return dict(zip(("crm_url", "billing_url", "state_url"), urls, strict=True))


async def signed_in(base: str, login: str | None) -> ClientConnection:
    socket = await connect(base.replace("http://", "ws://") + "/graphql", subprotocols=["graphql-transport-ws"])
    payload = {"Authorization": f"Bearer {token(login)}"} if login else {}
    await socket.send(json.dumps({"type": "connection_init", "payload": payload}))
    return socket


async def follow(
    socket: ClientConnection,
    operation: str,
    limit: float = 120,
    *,
    id: str = "1",
    query: str | None = PROGRESS,
    sha: str | None = None,
) -> list[dict[str, Any]]:
    """Every update of one subscription until it completes (by its text, or its sha256 hash)."""
    payload: dict[str, Any] = {"variables": {"id": operation}}
    if query is not None:
        payload["query"] = query
    if sha is not None:
        payload["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha}}
    await socket.send(json.dumps({"id": id, "type": "subscribe", "payload": payload}))
    updates: list[dict[str, Any]] = []
    async with asyncio.timeout(limit):
        while True:
            message = await received(socket)
            if message["type"] == "next" and "errors" in message["payload"]:
                return [{"errors": message["payload"]["errors"]}]
            if message["type"] == "next":
                updates.append(message["payload"]["data"]["bulkOperationProgress"])
            elif message["type"] == "complete":
                return updates
            elif message["type"] == "error":
                return [{"errors": message["payload"]}]


async def start_bulk(world: Any, base: str, lines: list[int], code: str, dry_run: bool = True) -> str:
    service = await service_id(world, code)
    request = {"selection": {"ids": [to_global_id("Subscriber", line) for line in lines]},
               "services": [to_global_id("Service", service)], "dryRun": dry_run}  # fmt: skip
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        response = await http.post("/graphql", json={"query": SERVICES, "variables": {"input": request}},
                                   headers=bearer(token("acme.admin")))  # fmt: skip
    return str(response.json()["data"]["subscriberServicesAdd"]["bulkOperation"]["id"])


async def watched_bulk_run(
    world: Any, watcher: str, starter: str, *, offset: int, reports: bool = True
) -> tuple[str, list[dict[str, Any]]]:
    """A 1,500-line dry run started on ``starter``, followed to its end from ``watcher``, which
    hears its worker's reports (or, with ``reports`` False, polls for them)."""
    lines = await acme_lines(world, 1500, offset=offset)
    socket = await signed_in(watcher, "acme.admin")
    assert (await received(socket))["type"] == "connection_ack"
    operation = await start_bulk(world, starter, lines, "MULTISIM")
    updates = await follow(socket, operation)
    await socket.close()
    assert_progress(updates, 1500)
    # The worker reports every chunk of 100 lines; polling the state database (every 5 s, the
    # fallback when no report comes) could not show this many steps.
    if reports:
        assert len(updates) >= 5, updates
    return operation, updates


def assert_progress(updates: list[dict[str, Any]], total: int) -> None:
    done = [update["done"] for update in updates]
    steps = [(update["status"], update["done"]) for update in updates]
    assert done == sorted(done) and len(set(steps)) == len(steps), steps  # only forward, no repeats
    assert updates[-1]["status"] == "COMPLETED" and updates[-1]["done"] == total
    assert updates[-1]["applied"] == 0  # a dry run


async def test_a_signed_in_portal_follows_a_bulk_operation_to_its_end(bulk_world, servers, tmp_path):  # noqa: F811
    world = bulk_world
    process, base = await serving(urls_of(world), tmp_path)
    servers.append(process)

    anonymous = await signed_in(base, None)
    with pytest.raises(ConnectionClosed) as closed:
        await anonymous.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4403

    operation, updates = await watched_bulk_run(world, base, base, offset=3500)

    # Persisted queries work over the socket as over HTTP.
    sha = hashlib.sha256(PROGRESS.encode()).hexdigest()
    socket = await signed_in(base, "acme.admin")
    assert (await received(socket))["type"] == "connection_ack"
    [unknown] = await follow(socket, operation, id="2", query=None, sha=sha)
    assert unknown["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    stored = await follow(socket, operation, id="3", sha=sha)
    by_hash = await follow(socket, operation, id="4", query=None, sha=sha)
    await socket.close()
    assert stored == by_hash == [updates[-1]]

    outsider = await signed_in(base, "borealis.admin")
    assert (await received(outsider))["type"] == "connection_ack"
    [refused] = await follow(outsider, operation)
    await outsider.close()
    assert refused["errors"][0]["extensions"]["code"] == "NOT_FOUND"
