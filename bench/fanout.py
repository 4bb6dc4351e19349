"""Subscription fan-out: many WebSocket subscribers to one bulk operation on a real server, and
progress events published on the shared event bus (Redis) by another process, as a worker on
another instance would. Measures events delivered per second and the time from publish to
delivery.

    .venv/bin/python -m bench.fanout [--subscribers 1000] [--events 200] [--rate 20] [--size S]

The server runs with no bulk worker, so the operation stays open and only the published events
move it. Each event's ``done`` is its sequence number; a subscriber that falls behind keeps
only the newest event (by design), so deliveries can be fewer than subscribers times events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from dataclasses import asdict
from typing import Any

import httpx
from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect

from bench.datasets import prepare
from bench.inprocess import percentile
from bench.server import ServerProcess, token
from core.ids import from_global_id
from sources.state.bulk_operations import BulkOperationRow, progress_channel
from tests.support import REDIS_URL

START = """mutation($input: SubscriberServicesInput!) { subscriberServicesAdd(input: $input) {
  bulkOperation { id } userErrors { code } } }"""
PROGRESS = "subscription($id: ID!) { bulkOperationProgress(id: $id) { status done } }"


async def subscriber(
    url: str, operation: str, received: list[tuple[int, float]], ready: asyncio.Event, retries: list[int]
) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as socket:
        retries.append(await _subscribe(socket, operation))
        ready.set()
        async for raw in socket:
            message = json.loads(raw)
            if message["type"] != "next":  # "complete", after the last report
                break
            update = message["payload"]["data"]["bulkOperationProgress"]
            received.append((update["done"], time.perf_counter()))


async def _subscribe(socket: ClientConnection, operation: str) -> int:
    """Subscribe, retrying as a client should when told the server is busy; the retries made."""
    init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token('acme.admin')}"}}
    await socket.send(json.dumps(init))
    assert json.loads(await socket.recv())["type"] == "connection_ack"
    for attempt in range(20):
        request = {"id": str(attempt), "type": "subscribe",
                   "payload": {"query": PROGRESS, "variables": {"id": operation}}}  # fmt: skip
        await socket.send(json.dumps(request))
        first = json.loads(await socket.recv())  # the operation as it is now
        errors = first["payload"].get("errors") if first["type"] == "next" else None
        if not errors:
            assert first["type"] == "next", first
            return attempt
        assert errors[0]["extensions"].get("reason") == "BUSY", first
        assert json.loads(await socket.recv())["type"] == "complete"
        await asyncio.sleep(errors[0]["extensions"]["retryAfterSeconds"])
    raise AssertionError("still busy after 20 attempts")


async def run(subscribers: int, events: int, rate: float, size: str) -> dict[str, Any]:
    dataset = await prepare("postgres", size)
    env = dataset.env() | {"CORPCARE_REDIS_URL": REDIS_URL, "CORPCARE_BULK_WORKER": "false"}
    with ServerProcess("corpcare", env) as server:
        ids, service = await _lines(server.url, 300)
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            request = {"selection": {"ids": ids}, "services": [service], "dryRun": True}
            answer = await http.post("/graphql", json={"query": START, "variables": {"input": request}},
                                     headers={"Authorization": f"Bearer {token('acme.admin')}"})  # fmt: skip
        operation = answer.json()["data"]["subscriberServicesAdd"]["bulkOperation"]["id"]
        url = server.url.replace("http://", "ws://") + "/graphql"
        received: list[list[tuple[int, float]]] = [[] for _ in range(subscribers)]
        readies = [asyncio.Event() for _ in range(subscribers)]
        retries: list[int] = []
        tasks = []
        for index in range(subscribers):
            tasks.append(asyncio.create_task(subscriber(url, operation, received[index], readies[index], retries)))
            if index % 50 == 49:
                await asyncio.sleep(0.05)  # do not flood the accept queue
        await asyncio.wait_for(asyncio.gather(*(ready.wait() for ready in readies)), 120)
        published = await _publish(operation, events, rate)
        await asyncio.wait_for(asyncio.gather(*tasks), 120)
        rss = server.peak_rss_mb()
    latencies = [(at - published[done]) * 1000 for got in received for done, at in got if done in published]
    delivered = sum(len(got) for got in received)
    span = max(at for got in received for _, at in got) - min(published.values())
    return {
        "subscribers": subscribers,
        "events": events,
        "rate": rate,
        "delivered": delivered,
        "expected": subscribers * events,
        "deliveries_per_s": delivered / span,
        "p50_ms": statistics.median(latencies),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "server_peak_rss_mb": rss,
        "subscribe_retries_busy": sum(retries),
    }


async def _lines(base: str, count: int) -> tuple[list[str], str]:
    """``count`` of Acme's lines, and a service to add to them (in a dry run)."""
    query = f"{{ subscribers(first: {count}) {{ nodes {{ id }} }} services {{ id code }} }}"
    async with httpx.AsyncClient(base_url=base, timeout=60) as http:
        answer = await http.post("/graphql", json={"query": query},
                                 headers={"Authorization": f"Bearer {token('acme.admin')}"})  # fmt: skip
    data = answer.json()["data"]
    service = next(s["id"] for s in data["services"] if s["code"] == "MULTISIM")
    return [node["id"] for node in data["subscribers"]["nodes"]], service


async def _publish(operation: str, events: int, rate: float) -> dict[int, float]:
    """Publish ``events`` progress reports at ``rate`` per second; the last completes the operation."""
    key = from_global_id(operation)[1]
    published: dict[int, float] = {}
    async with Redis.from_url(REDIS_URL) as redis:
        for sequence in range(1, events + 1):
            row = _row(key, sequence, "completed" if sequence == events else "running")
            published[sequence] = time.perf_counter()
            await redis.publish("corpcare:events:" + progress_channel(key), b"bench " + json.dumps(row).encode())
            await asyncio.sleep(1 / rate)
    return published


def _row(key: int, done: int, status: str) -> dict[str, Any]:
    row = BulkOperationRow(
        id=key, customer_id=1, user_id=1, login="acme.admin", role="CUSTOMER_ADMIN", request_id="bench",
        operation="subscriberServicesAdd", input={}, dry_run=True, status=status, cancel_requested=False,
        total=1_000_000, done=done, applied=0, skipped=0, failed=0, would_apply=done, cost_delta_minor=0,
        currency=None, created_at=None, started_at=None, finished_at=None,  # type: ignore[arg-type]
    )  # fmt: skip
    return asdict(row) | {"created_at": "2026-01-01T00:00:00+00:00"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--rate", type=float, default=20.0, help="events published per second")
    parser.add_argument("--size", default="S", choices=["S", "M", "L"])
    options = parser.parse_args()
    figures = asyncio.run(run(options.subscribers, options.events, options.rate, options.size))
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
