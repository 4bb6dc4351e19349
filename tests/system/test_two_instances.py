"""Two real ``corpcare serve`` processes sharing PostgreSQL and Redis: what is done on one
instance holds on the other — bulk progress reaches a subscriber, a spent cost allowance is spent,
a change to the org tree is read at once, and a persisted query (automatic, or registered for
safelist mode) runs by its hash. Without Redis, bulk progress still crosses, by polling.
Real processes, real sockets, the shared Redis database."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis

from permissions.cost_allowances import CostAllowances
from tests.support import REDIS_PREFIX, REDIS_URL, reachable_redis
from tests.system import test_bulk_restart
from tests.system.test_bulk_restart import serving
from tests.system.test_faults import metric
from tests.system.test_http import bearer
from tests.system.test_subscriptions import (
    token,
    urls_of,
    watched_bulk_run,
)

servers = test_bulk_restart.servers  # the fixture: every process a test starts is killed after it

# Instances share the databases of one PostgreSQL world; SQLite files are no way to share them.
pytestmark = pytest.mark.parametrize("backend", ["postgres"], indirect=True, scope="session")

LINES = {"query": "query Lines { subscribers(first: 10) { nodes { id orgUnit { id } } } }"}  # costs 21
TREE = {"query": "{ customer { orgRoot { name children { id name children { name } } } } }"}
RENAME = """mutation($input: OrgUnitUpdateInput!) { orgUnitUpdate(input: $input) {
  orgUnit { name } userErrors { code } } }"""


class SharedRedis:
    """The Redis database the instances share. The keys a test claims are removed before it
    uses them (nothing left by another test is read) and after it, with the sign-ins the
    instances cached (it leaves nothing behind)."""

    def __init__(self, client: Redis) -> None:
        self.client = client
        self.patterns: list[str] = [f"{REDIS_PREFIX}principal:*"]

    async def claim(self, *patterns: str) -> None:
        self.patterns += patterns
        await self.forget(patterns)

    async def forget(self, patterns: list[str] | tuple[str, ...]) -> None:
        for pattern in patterns:
            if keys := [key async for key in self.client.scan_iter(match=pattern)]:
                await self.client.delete(*keys)


@pytest.fixture
async def redis() -> AsyncIterator[SharedRedis]:
    shared = SharedRedis(await reachable_redis())
    try:
        yield shared
    finally:
        await shared.forget(shared.patterns)
        await shared.client.aclose()


@asynccontextmanager
async def two_instances(
    world: Any, started: list[Any], data_dir: Path, login: str = "acme.admin", **settings: str
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Two servers on the world's databases and the shared Redis, and a client of each signed in as ``login``."""
    shared = {**urls_of(world), "redis_url": REDIS_URL, "bulk_worker": "false", **settings}
    bases = []
    for _ in range(2):
        process, base = await serving(shared, data_dir)
        started.append(process)
        bases.append(base)
    headers = bearer(token(login))
    async with (
        httpx.AsyncClient(base_url=bases[0], headers=headers, timeout=30) as first,
        httpx.AsyncClient(base_url=bases[1], headers=headers, timeout=30) as second,
    ):
        yield first, second


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def by_hash(text: str, *, with_text: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha(text)}}}
    return body | {"query": text} if with_text else body


def answered(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text
    assert "errors" not in response.json(), response.text
    return response.json()["data"]


def refused(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["data"] is None and len(body["errors"]) == 1, body
    return body["errors"][0]["extensions"]  # type: ignore[no-any-return]


def cache_reads(metrics: str, result: str) -> float:
    return metric(metrics, f'corpcare_cache_requests_total{{result="{result}"}}')


def unit_names(data: dict[str, Any]) -> set[str]:
    root = data["customer"]["orgRoot"]
    return {root["name"]} | {u["name"] for child in root["children"] for u in (child, *child["children"])}


async def test_progress_made_on_one_instance_reaches_a_subscriber_on_another(bulk_world, redis, servers, tmp_path):
    shared = {**urls_of(bulk_world), "redis_url": REDIS_URL}
    worker, worker_base = await serving(shared, tmp_path)
    servers.append(worker)
    # The subscriber's instance works on no bulk operation: every report comes from the other one.
    watcher, watcher_base = await serving({**shared, "bulk_worker": "false"}, tmp_path)
    servers.append(watcher)

    await watched_bulk_run(bulk_world, watcher_base, worker_base, offset=500)


async def test_without_redis_progress_on_one_instance_reaches_a_subscriber_on_another_by_polling(
    bulk_world, servers, tmp_path
):
    worker, worker_base = await serving(urls_of(bulk_world), tmp_path)
    servers.append(worker)
    watcher, watcher_base = await serving({**urls_of(bulk_world), "bulk_worker": "false"}, tmp_path)
    servers.append(watcher)
    # No report crosses between the instances: the watcher reads the state database every 5 s,
    # and still follows the operation to its end.
    await watched_bulk_run(bulk_world, watcher_base, worker_base, offset=2000, reports=False)


async def test_a_cost_allowance_spent_on_one_instance_is_spent_on_the_other(world, redis, servers, tmp_path):
    # Finance's own allowance, which no other test spends through this Redis.
    own, company = CostAllowances().buckets(await world.principal("acme.finance"))
    await redis.claim(f"{REDIS_PREFIX}budget:{own.key}", f"{REDIS_PREFIX}budget:{company.key}")
    allowances = '{"FINANCE": {"maximum": 50, "restore_rate": 0.01}}'  # a point back each 100 s
    async with two_instances(world, servers, tmp_path, "acme.finance", cost_allowances=allowances) as (first, second):
        spent = [await first.post("/graphql", json=LINES) for _ in range(2)]
        refusal = await second.post("/graphql", json=LINES)

    for response in spent:
        answered(response)
    statuses = [response.json()["extensions"]["cost"]["throttleStatus"] for response in spent]
    assert [(s["limiter"], s["maximumAvailable"], s["currentlyAvailable"]) for s in statuses] == [
        ("redis", 50, 29),
        ("redis", 50, 8),
    ]
    error = refused(refusal, 429)
    assert (error["code"], error["budget"]) == ("RATE_LIMITED", "principal")
    # 13 points short at a point each 100 s, less the time since the last charge.
    assert error["throttleStatus"]["currentlyAvailable"] == 8 and 1300 - 60 <= error["retryAfterSeconds"] <= 1300
    assert refusal.headers["retry-after"] == str(math.ceil(error["retryAfterSeconds"]))
    cost = refusal.json()["extensions"]["cost"]
    assert cost["actualQueryCost"] == 0 and cost["throttleStatus"]["currentlyAvailable"] == 8


async def test_a_unit_renamed_on_one_instance_is_read_at_once_on_the_other(writable_world, redis, servers, tmp_path):
    # No entry cached from another test's world under an old generation can be read here.
    await redis.claim(f"{REDIS_PREFIX}org:*")
    async with two_instances(writable_world, servers, tmp_path) as (first, second):
        tree = answered(await second.post("/graphql", json=TREE))
        before = (await second.get("/metrics")).text
        warm = answered(await second.post("/graphql", json=TREE))
        after = (await second.get("/metrics")).text
        generation = await redis.client.get(f"{REDIS_PREFIX}org:generation")
        sales = next(c["id"] for c in tree["customer"]["orgRoot"]["children"] if c["name"] == "Sales")
        variables = {"input": {"orgUnit": sales, "name": "Field Sales"}}
        changed = answered(await first.post("/graphql", json={"query": RENAME, "variables": variables}))
        seen = answered(await second.post("/graphql", json=TREE))

    # The second read on that instance came from the cache alone: hits, and no miss.
    assert warm == tree and cache_reads(after, "hit") > cache_reads(before, "hit")
    assert cache_reads(after, "miss") == cache_reads(before, "miss")
    assert changed["orgUnitUpdate"] == {"orgUnit": {"name": "Field Sales"}, "userErrors": []}
    assert "Field Sales" in unit_names(seen) and "Sales" not in unit_names(seen)
    # The other instance did not wait out the 60-second time to live: the old entries are still
    # there, under a generation no instance reads any more.
    assert generation is not None and await redis.client.get(f"{REDIS_PREFIX}org:generation") != generation
    assert [key async for key in redis.client.scan_iter(match=f"{REDIS_PREFIX}org:{generation.decode()}:*")]


async def test_a_query_persisted_through_one_instance_runs_by_its_hash_alone_on_the_other(
    world, redis, servers, tmp_path
):
    query = f"# {uuid.uuid4().hex}\nquery Me {{ viewer {{ login role }} }}"
    await redis.claim(f"{REDIS_PREFIX}pq:*:{sha(query)}")
    async with two_instances(world, servers, tmp_path) as (first, second):
        unknown = await second.post("/graphql", json=by_hash(query))
        stored = await first.post("/graphql", json=by_hash(query, with_text=True))
        elsewhere = await second.post("/graphql", json=by_hash(query))

    assert refused(unknown, 200)["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert answered(stored) == answered(elsewhere) == {"viewer": {"login": "acme.admin", "role": "CUSTOMER_ADMIN"}}
    # Kept for the configured time (30 days by default), so a miss stays rare.
    assert 29 * 86400 < await redis.client.ttl(f"{REDIS_PREFIX}pq:apq:{sha(query)}") <= 30 * 86400


async def test_an_operation_registered_once_runs_by_its_hash_on_both_instances_in_safelist_mode(
    writable_world, redis, servers, tmp_path
):
    me, unregistered = (f"# {uuid.uuid4().hex}\nquery Me {{ viewer {{ login }} }}" for _ in range(2))
    await redis.claim(f"{REDIS_PREFIX}pq:*:{sha(me)}", f"{REDIS_PREFIX}pq:*:{sha(unregistered)}")
    (tmp_path / "operations").mkdir()
    (tmp_path / "operations" / "me.graphql").write_text(me)
    urls = {f"CORPCARE_{name.upper()}": url for name, url in urls_of(writable_world).items()}
    command = [sys.executable, "-c", "from server.cli import main; main()", "register-operations"]
    registered = subprocess.run(
        [*command, str(tmp_path / "operations")], env={**os.environ, **urls}, capture_output=True, text=True, timeout=60
    )
    assert registered.returncode == 0, registered.stderr
    assert registered.stdout.split("\t")[:2] == [sha(me), "new"]

    async with two_instances(writable_world, servers, tmp_path, persisted_queries="safelist") as (first, second):
        runs = [await http.post("/graphql", json=by_hash(me)) for http in (first, second, first)]
        text = await second.post("/graphql", json={"query": unregistered})
        hash_ = await first.post("/graphql", json=by_hash(unregistered))

    assert [answered(r) for r in runs] == [{"viewer": {"login": "acme.admin"}}] * 3
    assert refused(text, 403)["code"] == "PERSISTED_QUERY_NOT_ALLOWED"
    assert refused(hash_, 404)["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
