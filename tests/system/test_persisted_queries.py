"""Persisted queries over HTTP through the real app: Apollo's automatic persisted queries (on
the in-process cache and on Redis), safelist mode with operations registered as ``corpcare
register-operations`` does, and the protocol's refusals. Two real instances sharing Redis:
``test_two_instances.py``."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from redis.asyncio import Redis

from infra.cache import InProcessCache, RedisCache
from server.app import create_app
from server.auth import issue_token
from server.safelist import read_operations, register
from tests.faults import free_port
from tests.support import REDIS_PREFIX, REDIS_URL, reachable_redis
from tests.system.test_http import bearer, make_settings

TOKEN = bearer(issue_token(make_settings(), "acme.admin"))


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def unique(body: str = "{ viewer { login } }") -> str:
    """A document no other test uses (the comment makes its hash its own)."""
    return f"# {uuid.uuid4().hex}\n{body}"


def persisted(hash_: str, query: str | None = None, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash_}}, **fields}
    if query is not None:
        body["query"] = query
    return body


def as_params(body: dict[str, Any]) -> dict[str, str]:
    return {k: v if isinstance(v, str) else orjson.dumps(v).decode() for k, v in body.items()}


def refused(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == [code]
    return str(body["errors"][0]["message"])


def answered(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


@asynccontextmanager
async def app_client(world, *, cache: Any = None, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app over the test's seeded world, with a cache of its own unless one is given."""
    sources = replace(world.sources, cache=cache if cache is not None else InProcessCache())
    app = create_app(make_settings(**settings), sources=sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        http.headers.update(TOKEN)
        yield http


@asynccontextmanager
async def instance(world, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    """A server instance of its own (engines, cache, lifespan) over the world's databases."""
    urls = [engine.url.render_as_string(hide_password=False) for engine, _ in world.engines.pairs()]
    app = create_app(
        make_settings(crm_url=urls[0], billing_url=urls[1], state_url=urls[2], bulk_worker=False, **settings)
    )
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        http.headers.update(TOKEN)
        yield http


def write_operations(folder: Path, **documents: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in documents.items():
        (folder / f"{name}.graphql").write_bytes(text.encode())
    return folder


async def register_folder(world, folder: Path) -> None:
    """What ``corpcare register-operations FOLDER`` does, against the world's state database."""
    await register(world.sources.persisted_operations, read_operations(folder), "test", dry_run=False)


# Automatic persisted queries


async def test_an_unknown_hash_alone_answers_persisted_query_not_found(world):
    async with app_client(world) as http:
        response = await http.post("/graphql", json=persisted(sha(unique())))
    # HTTP 200 with the message and code Apollo clients look for before resending with the text.
    assert refused(response, 200, "PERSISTED_QUERY_NOT_FOUND") == "PersistedQueryNotFound"


async def test_the_hash_with_its_text_runs_and_is_stored_then_the_hash_alone_runs(world):
    query = unique("query Me { viewer { login } }")
    async with app_client(world) as http:
        first = await http.post("/graphql", json=persisted(sha(query), query, operationName="Me"))
        again = await http.post("/graphql", json=persisted(sha(query), operationName="Me"))
        metrics = (await http.get("/metrics")).text
    assert answered(first) == answered(again) == {"viewer": {"login": "acme.admin"}}
    assert 'corpcare_persisted_queries_total{result="registered"} 1.0' in metrics
    assert 'corpcare_persisted_queries_total{result="hit"} 1.0' in metrics


async def test_over_get_the_hash_and_variables_run_a_stored_query(world):
    query = unique("query Unit($first: Int!) { subscribers(first: $first) { nodes { id } } }")
    variables = {"first": 2}
    async with app_client(world) as http:
        missing = await http.get("/graphql", params=as_params(persisted(sha(query), variables=variables)))
        stored = await http.get("/graphql", params=as_params(persisted(sha(query), query, variables=variables)))
        by_hash = await http.get("/graphql", params=as_params(persisted(sha(query), variables=variables)))
    refused(missing, 200, "PERSISTED_QUERY_NOT_FOUND")
    assert len(answered(stored)["subscribers"]["nodes"]) == 2
    assert answered(by_hash) == answered(stored)


async def test_a_mutation_sent_by_hash_over_get_is_still_refused(world):
    mutation = unique('mutation { apiKeyRevoke(input: {apiKey: "QXBpS2V5OjA="}) { userErrors { code } } }')
    async with app_client(world) as http:
        with_text = await http.get("/graphql", params=as_params(persisted(sha(mutation), mutation)))
        by_hash = await http.get("/graphql", params=as_params(persisted(sha(mutation))))
    refused(with_text, 405, "METHOD_NOT_ALLOWED")
    refused(by_hash, 405, "METHOD_NOT_ALLOWED")


async def test_a_hash_that_is_not_the_texts_is_refused_and_nothing_is_stored(world):
    query, other = unique(), unique()
    async with app_client(world) as http:
        mismatch = await http.post("/graphql", json=persisted(sha(other), query))
        later = await http.post("/graphql", json=persisted(sha(other)))
    assert refused(mismatch, 400, "BAD_REQUEST") == "provided sha does not match query"
    refused(later, 200, "PERSISTED_QUERY_NOT_FOUND")


async def test_only_version_1_and_a_lowercase_hex_sha256_are_accepted(world):
    query = unique()
    good = sha(query)
    bad = [
        {"version": 2, "sha256Hash": good},
        {"version": True, "sha256Hash": good},
        {"sha256Hash": good},
        {"version": 1, "sha256Hash": good.upper()},
        {"version": 1, "sha256Hash": good[:-1]},
        {"version": 1},
        "not an object",
    ]
    async with app_client(world) as http:
        for extension in bad:
            response = await http.post("/graphql", json={"query": query, "extensions": {"persistedQuery": extension}})
            refused(response, 400, "BAD_REQUEST")


async def test_a_text_that_does_not_parse_runs_into_its_error_and_is_not_stored(world):
    broken = unique("{ viewer { login }")
    async with app_client(world) as http:
        first = await http.post("/graphql", json=persisted(sha(broken), broken))
        later = await http.post("/graphql", json=persisted(sha(broken)))
    assert first.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    refused(later, 200, "PERSISTED_QUERY_NOT_FOUND")


async def test_with_persisted_queries_off_a_hash_is_not_supported_and_texts_run(world):
    query = unique()
    async with app_client(world, persisted_queries="off") as http:
        by_hash = await http.post("/graphql", json=persisted(sha(query), query))
        plain = await http.post("/graphql", json={"query": query})
    assert refused(by_hash, 200, "PERSISTED_QUERY_NOT_SUPPORTED") == "PersistedQueryNotSupported"
    assert answered(plain) == {"viewer": {"login": "acme.admin"}}


# Safelist mode


@pytest.fixture
def registered(tmp_path: Path) -> dict[str, str]:
    """Two files in a folder, not registered yet: one operation, and two in one document."""
    documents = {
        "me": unique("query Me { viewer { login } }"),
        "lines": unique(
            "query Lines($n: Int!) { subscribers(first: $n) { nodes { id } } }\nquery Count { customer { name } }"
        ),
    }
    write_operations(tmp_path / "operations", **documents)
    return documents


async def test_in_safelist_mode_registered_operations_run_by_hash_and_by_their_exact_text(world, registered, tmp_path):
    await register_folder(world, tmp_path / "operations")
    me, lines = registered["me"], registered["lines"]
    async with app_client(world, persisted_queries="safelist") as http:
        by_hash = await http.post("/graphql", json=persisted(sha(me)))
        by_text = await http.post("/graphql", json={"query": me})
        both = await http.post("/graphql", json=persisted(sha(me), me))
        chosen = await http.post("/graphql", json=persisted(sha(lines), variables={"n": 1}, operationName="Lines"))
        over_get = await http.get("/graphql", params=as_params(persisted(sha(lines), operationName="Count")))
    assert answered(by_hash) == answered(by_text) == answered(both) == {"viewer": {"login": "acme.admin"}}
    assert len(answered(chosen)["subscribers"]["nodes"]) == 1
    assert answered(over_get) == {"customer": {"name": "Acme Logistics"}}


async def test_in_safelist_mode_an_unregistered_text_is_refused_before_anything_runs(world):
    query = unique("{ subscribers(first: 5) { nodes { id msisdn } } }")
    async with app_client(world, persisted_queries="safelist") as http:
        await http.post("/graphql", json=persisted(sha(unique())))  # signs the caller in (then cached)
        world.counter.reset()
        plain = await http.post("/graphql", json={"query": query})
        with_hash = await http.post("/graphql", json=persisted(sha(query), query))
        over_get = await http.get("/graphql", params={"query": query})
        statements = list(world.counter.statements)
        later = await http.post("/graphql", json=persisted(sha(query)))
    for response in (plain, with_hash, over_get):
        refused(response, 403, "PERSISTED_QUERY_NOT_ALLOWED")
    # The safelist was looked up; nothing of the operation ran.
    assert statements and all("persisted_operations" in statement for statement in statements)
    # Nor did sending the hash with the text store it.
    refused(later, 404, "PERSISTED_QUERY_NOT_IN_LIST")


async def test_in_safelist_mode_what_clients_stored_automatically_does_not_run(world):
    query = unique()
    shared = InProcessCache()
    async with app_client(world, cache=shared) as automatic:
        answered(await automatic.post("/graphql", json=persisted(sha(query), query)))
    async with app_client(world, cache=shared, persisted_queries="safelist") as safelist:
        response = await safelist.post("/graphql", json=persisted(sha(query)))
    refused(response, 404, "PERSISTED_QUERY_NOT_IN_LIST")


async def test_in_safelist_mode_batches_and_forms_are_refused(world):
    async with app_client(world, persisted_queries="safelist") as http:
        batch = await http.post("/graphql", json=[{"query": "{ viewer { login } }"}])
        form = await http.post(
            "/graphql", data={"query": "{ viewer { login } }"}, headers={"X-Corpcare-Preflight": "1"}
        )
        nothing = await http.post("/graphql", json={"variables": {}})
    refused(batch, 400, "BAD_REQUEST")
    refused(form, 400, "BAD_REQUEST")
    refused(nothing, 400, "BAD_REQUEST")


async def test_registered_operations_run_by_hash_in_automatic_mode_too(world, registered, tmp_path):
    await register_folder(world, tmp_path / "operations")
    async with app_client(world) as http:
        response = await http.post("/graphql", json=persisted(sha(registered["me"])))
    assert answered(response) == {"viewer": {"login": "acme.admin"}}


# Several instances


async def test_without_redis_each_instance_keeps_its_own_automatic_queries_but_shares_registered_ones(
    world, registered, tmp_path
):
    query = unique()
    await register_folder(world, tmp_path / "operations")
    async with app_client(world) as first, app_client(world) as second:
        answered(await first.post("/graphql", json=persisted(sha(query), query)))
        elsewhere = await second.post("/graphql", json=persisted(sha(query)))
        registered_elsewhere = await second.post("/graphql", json=persisted(sha(registered["me"])))
    refused(elsewhere, 200, "PERSISTED_QUERY_NOT_FOUND")  # the client resends the text: one more round trip
    assert answered(registered_elsewhere) == {"viewer": {"login": "acme.admin"}}


@pytest.fixture
async def redis() -> AsyncIterator[tuple[Redis, list[str]]]:
    """Redis db 15 and the hashes a test used: only their keys are removed afterwards."""
    client = await reachable_redis()
    hashes: list[str] = []
    try:
        yield client, hashes
    finally:
        keys = [f"{REDIS_PREFIX}pq:{kind}:{h}" for h in hashes for kind in ("apq", "op")]
        if keys:
            await client.delete(*keys)
        await client.aclose()


async def test_a_cache_entry_that_does_not_match_its_hash_is_ignored(world, redis, registered, tmp_path):
    client, hashes = redis
    me = registered["me"]
    hashes.append(sha(me))
    forged = unique("{ subscribers(first: 1) { nodes { msisdn } } }")
    await client.set(f"{REDIS_PREFIX}pq:op:{sha(me)}", forged.encode())
    async with instance(world, redis_url=REDIS_URL, persisted_queries="safelist") as http:
        # Not registered: the forged entry does not make it so.
        refused(await http.post("/graphql", json=persisted(sha(me))), 404, "PERSISTED_QUERY_NOT_IN_LIST")
        await register_folder(world, tmp_path / "operations")
        answered(await http.post("/graphql", json=persisted(sha(me))))


async def test_with_redis_unreachable_registered_operations_and_texts_still_run(world, registered, tmp_path):
    await register_folder(world, tmp_path / "operations")
    query = unique()
    dead = RedisCache(f"redis://127.0.0.1:{free_port()}/0")
    try:
        async with app_client(world, cache=dead, persisted_queries="safelist") as safelist:
            answered(await safelist.post("/graphql", json=persisted(sha(registered["me"]))))
        async with app_client(world, cache=dead) as automatic:
            # Nothing can be kept: every hash is a miss, and the text sent next runs.
            refused(await automatic.post("/graphql", json=persisted(sha(query))), 200, "PERSISTED_QUERY_NOT_FOUND")
            answered(await automatic.post("/graphql", json=persisted(sha(query), query)))
    finally:
        await dead.close()


async def test_deployments_sharing_one_redis_keep_apart_by_their_prefix(world, redis):
    client, hashes = redis
    query = unique()
    hashes.append(sha(query))
    staging = f"staging-{uuid.uuid4().hex}:"
    async with (
        instance(world, redis_url=REDIS_URL) as production,
        instance(world, redis_url=REDIS_URL, redis_prefix=staging) as other,
    ):
        answered(await production.post("/graphql", json=persisted(sha(query), query)))
        elsewhere = await other.post("/graphql", json=persisted(sha(query)))
        stored_there = [key async for key in client.scan_iter(match=f"{staging}*")]
    refused(elsewhere, 200, "PERSISTED_QUERY_NOT_FOUND")
    # The other deployment's own keys (its sign-in, the org tree's generation) carry its prefix.
    assert stored_there and all(key.decode().startswith(staging) for key in stored_there)
    await client.delete(*stored_there)
