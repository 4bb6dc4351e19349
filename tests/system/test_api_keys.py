"""API keys over HTTP: a service account's key gets exactly its scope; revoked, expired, tampered
and unknown keys get one and the same 401; use is recorded at most once a minute."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import text

from server.app import create_app
from server.auth import issue_token
from sources.state.api_keys import ApiKeyRow, ApiKeyStore
from tests.api.access.test_access import line_ids_under, unit_id
from tests.api.access.test_service_accounts import CREATE_ACCOUNT, CREATE_KEY, REVOKE_KEY
from tests.system.test_http import assert_unauthenticated, bearer, make_settings

LINES = {"query": "{ viewer { login role } subscribers(first: 2000) { totalCount } }"}
BAD_KEY = "The API key is not valid."


@dataclass
class Issued:
    account_login: str
    key_id: str  # global id of the ApiKey
    secret: str


async def graphql(http: httpx.AsyncClient, token: str, query: str, variables: dict | None = None) -> dict:
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


async def issue(http: httpx.AsyncClient, world, admin_token: str) -> Issued:
    """As the customer admin, over HTTP: a service account that reads Sales only, and a key for it."""
    sales = await unit_id(world, "Sales")
    request = {"input": {"name": "Sales reporting", "role": "ANALYST", "units": [sales]}}
    account = (await graphql(http, admin_token, CREATE_ACCOUNT, request))["serviceAccountCreate"]["serviceAccount"]
    key_request = {"input": {"serviceAccount": account["id"], "name": "nightly export"}}
    created = (await graphql(http, admin_token, CREATE_KEY, key_request))["apiKeyCreate"]
    return Issued(account["login"], created["apiKey"]["id"], created["secret"])


@pytest.fixture
async def http(writable_world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=writable_world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as client:
        yield client


def admin_token() -> str:
    return issue_token(make_settings(), "acme.admin")


async def refused(http: httpx.AsyncClient, secret: str) -> None:
    response = await http.post("/graphql", json=LINES, headers=bearer(secret))
    assert_unauthenticated(response)
    assert response.json()["errors"][0]["message"] == BAD_KEY


async def last_used(world, secret: str) -> datetime | None:
    return await world.scalar("state", "select last_used_at from api_keys where key_id = :k", k=secret.split("_")[1])


async def test_a_key_sees_exactly_its_scope_until_it_is_revoked(writable_world, http):
    world = writable_world
    issued = await issue(http, world, admin_token())

    answer = await graphql(http, issued.secret, LINES["query"])
    sales_lines = await line_ids_under(world, await unit_id(world, "Sales"))
    assert answer["viewer"] == {"login": "svc:acme:sales-reporting", "role": "ANALYST"}
    assert answer["subscribers"]["totalCount"] == len(sales_lines) > 0
    personal = await http.post("/graphql", json={"query": "{ subscribers { nodes { msisdn } } }"},
                               headers=bearer(issued.secret))  # fmt: skip
    assert personal.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    export = await http.get("/reports/spending.csv", params={"from": "2026-01", "to": "2026-01"},
                            headers=bearer(issued.secret))  # fmt: skip
    assert export.status_code == 200, export.text

    revoked = await graphql(http, admin_token(), REVOKE_KEY, {"input": {"apiKey": issued.key_id}})
    assert revoked["apiKeyRevoke"]["userErrors"] == []
    # The account's principal is still cached; the key is not, so the very next request is refused.
    await refused(http, issued.secret)


async def test_expired_tampered_unknown_and_token_sign_ins_are_refused_alike(writable_world, http):
    world = writable_world
    issued = await issue(http, world, admin_token())
    prefix, key_id, random_part = issued.secret.split("_", 2)
    flipped = random_part[:-1] + ("A" if random_part[-1] != "A" else "B")
    other_id = ("0" if key_id[0] != "0" else "1") + key_id[1:]
    for tampered in (f"{prefix}_{key_id}_{flipped}", f"{prefix}_{other_id}_{random_part}", "cck_garbage",
                     issued.secret + "x", f"{prefix}_{key_id}_"):  # fmt: skip
        await refused(http, tampered)
    # The service account has no sign-in: a token naming it is refused like an unknown user's.
    assert_unauthenticated(
        await http.post("/graphql", json=LINES, headers=bearer(issue_token(make_settings(), issued.account_login)))
    )

    assert (await http.post("/graphql", json=LINES, headers=bearer(issued.secret))).status_code == 200
    async with world.engines.state.begin() as conn:
        await conn.execute(
            text("update api_keys set expires_at = :at where key_id = :k"),
            {"at": datetime.now(UTC) - timedelta(seconds=1), "k": key_id},
        )
    await refused(http, issued.secret)


async def test_use_is_recorded_at_most_once_a_minute(writable_world, http):
    world = writable_world
    issued = await issue(http, world, admin_token())
    assert await last_used(world, issued.secret) is None

    await graphql(http, issued.secret, LINES["query"])
    first = await last_used(world, issued.secret)
    assert first is not None
    world.counter.reset()
    await graphql(http, issued.secret, LINES["query"])
    assert await last_used(world, issued.secret) == first
    assert not any(s.lower().startswith("update api_keys") for s in world.counter.statements)

    async with world.engines.state.begin() as conn:
        await conn.execute(
            text("update api_keys set last_used_at = :at"), {"at": datetime.now(UTC) - timedelta(minutes=2)}
        )
    await graphql(http, issued.secret, LINES["query"])
    moved = await last_used(world, issued.secret)
    assert moved is not None and moved > first
    listed = await graphql(http, admin_token(), "{ portalUsers { login apiKeys { lastUsedAt } } }")
    [account] = [u for u in listed["portalUsers"] if u["login"] == issued.account_login]
    assert account["apiKeys"][0]["lastUsedAt"] is not None


class UnrecordedUse(ApiKeyStore):
    """Injects a fault: recording a key's use fails."""

    async def touch(self, key: ApiKeyRow, now: datetime) -> bool:
        raise RuntimeError("state database refused the write")


async def test_a_failure_to_record_the_use_does_not_fail_the_request(writable_world, http, caplog):
    world = writable_world
    issued = await issue(http, world, admin_token())
    broken = replace(world.sources, api_keys=UnrecordedUse(world.sources.api_keys.backend))
    app = create_app(make_settings(), sources=broken)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as client:
        answer = await graphql(client, issued.secret, LINES["query"])
    assert answer["viewer"]["login"] == issued.account_login
    assert await last_used(world, issued.secret) is None
    assert "could not record the use of API key" in caplog.text
