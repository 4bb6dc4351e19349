"""The Starlette app over HTTP: authentication, GraphiQL, masked errors, and a real socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import jwt
import pytest
import uvicorn

from server.app import create_app
from server.auth import issue_token
from server.settings import Settings
from sources.crm.source import CrmSource
from tests.waiting import eventually

QUERY = {"query": "{ viewer { login role } customer { name } }"}


def make_settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, jwt_secret="test-secret-of-at-least-thirty-two-bytes", **overrides)  # type: ignore[call-arg]


@pytest.fixture
async def client(world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        yield http


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_unauthenticated(response: httpx.Response) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_a_request_without_a_token_is_refused(client):
    assert_unauthenticated(await client.post("/graphql", json=QUERY))


async def test_bad_signature_expired_garbage_and_unknown_user_are_refused(client):
    settings = make_settings()
    forged = jwt.encode(
        {"sub": "acme.admin", "exp": 4_000_000_000}, "another-secret-of-at-least-thirty-two-bytes", algorithm="HS256"
    )
    expired = issue_token(settings, "acme.admin", ttl_seconds=-60)
    unknown = issue_token(settings, "nobody.here")
    for token in (forged, expired, "not-a-jwt", unknown):
        assert_unauthenticated(await client.post("/graphql", json=QUERY, headers=bearer(token)))
    response = await client.post("/graphql", json=QUERY, headers=bearer(expired))
    assert "expired" in response.json()["errors"][0]["message"]


async def test_a_valid_token_gets_the_callers_view(client):
    token = issue_token(make_settings(), "acme.sales.admin")
    response = await client.post("/graphql", json=QUERY, headers=bearer(token) | {"X-Request-Id": "req-42"})
    assert response.status_code == 200
    body = response.json()
    # The allowances' figures depend on what the session spent before (tests/system/test_cost_allowances.py).
    status = body["extensions"]["cost"].pop("throttleStatus")
    assert body == {"data": {"viewer": {"login": "acme.sales.admin", "role": "UNIT_ADMIN"},
                             "customer": {"name": "Acme Logistics"}},
                    "extensions": {"cost": {"requestedQueryCost": 2, "actualQueryCost": 2,
                                            "maximum": 100_000}}}  # fmt: skip
    assert status["limiter"] == "in-process" and status["maximumAvailable"] == 200_000
    assert 0 <= status["currentlyAvailable"] <= 200_000 and status["customer"]["restoreRate"] == 100_000
    assert response.headers["x-request-id"] == "req-42"


async def test_graphiql_is_served_in_development_only(world):
    for env, expected in (("development", 200), ("production", 401)):
        app = create_app(make_settings(env=env), sources=world.sources)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
            response = await http.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == expected, env
        if expected == 200:
            assert "graphiql" in response.text.lower()


class BrokenCrm(CrmSource):
    """Injects a fault: the subscriber list fails with an internal error."""

    async def subscriber_page(self, *_args: object, **_kwargs: object):  # type: ignore[override]
        raise RuntimeError("connection to db-internal.example:5432 failed at /srv/corpcare/sources/crm.py")


async def test_unexpected_errors_are_masked_with_a_request_id(world, caplog):
    broken = replace(world.sources, crm=BrokenCrm(world.sources.crm.backend))
    app = create_app(make_settings(), sources=broken)
    token = issue_token(make_settings(), "acme.admin")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.post(
            "/graphql", json={"query": "{ viewer { login } subscribers { nodes { id } } }"}, headers=bearer(token)
        )
    body = response.json()
    # Root fields fail on their own: the viewer still answers.
    assert body["data"] == {"viewer": {"login": "acme.admin"}, "subscribers": None}
    error = body["errors"][0]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert "db-internal" not in response.text and "/srv/" not in response.text and "Traceback" not in response.text
    assert response.headers["x-request-id"] in caplog.text


async def test_the_server_answers_over_a_real_socket(world):
    app = create_app(make_settings(), sources=world.sources)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, "the server to start")
        port = server.servers[0].sockets[0].getsockname()[1]
        token = issue_token(make_settings(), "acme.finance")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            response = await http.post("/graphql", json=QUERY, headers=bearer(token))
            refused = await http.post("/graphql", json=QUERY)
        assert response.status_code == 200
        assert response.json()["data"]["viewer"] == {"login": "acme.finance", "role": "FINANCE"}
        assert refused.status_code == 401
    finally:
        server.should_exit = True
        await task


async def test_production_mode_closes_introspection_suggestions_and_graphiql(world):
    introspect = {"query": "{ __schema { queryType { name } } }"}
    misspelt = {"query": "{ viewr { login } }"}
    token = bearer(issue_token(make_settings(), "acme.admin"))
    answers = {}
    for env in ("development", "production"):
        app = create_app(make_settings(env=env), sources=world.sources)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
            answers[env] = (
                (await http.post("/graphql", json=introspect, headers=token)).json(),
                (await http.post("/graphql", json=misspelt, headers=token)).json(),
                await http.get("/graphql", headers={"Accept": "text/html"}),
            )
    schema, suggestion, ide = answers["development"]
    assert schema["data"] == {"__schema": {"queryType": {"name": "Query"}}}
    assert "Did you mean 'viewer'?" in suggestion["errors"][0]["message"]
    assert ide.status_code == 200 and "text/html" in ide.headers["content-type"]
    schema, suggestion, ide = answers["production"]
    assert schema["data"] is None and schema["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert suggestion["errors"][0]["message"] == "Cannot query field 'viewr' on type 'Query'."
    assert ide.status_code == 401


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "content-security-policy": "frame-ancestors 'none'",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


async def test_every_response_carries_the_security_headers(client):
    token = bearer(issue_token(make_settings(), "acme.finance"))
    for response in (await client.post("/graphql", json=QUERY, headers=token),
                     await client.post("/graphql", json=QUERY),
                     await client.get("/reports/spending.csv", params={"from": "2026-01", "to": "2026-01"},
                                      headers=token)):  # fmt: skip
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.status_code, name)
        assert "strict-transport-security" not in response.headers


async def test_hsts_when_configured(world):
    app = create_app(make_settings(hsts_seconds=31_536_000), sources=world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        response = await http.post("/graphql", json=QUERY)
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_cross_site_form_posts_and_oversized_bodies_are_refused(world):
    app = create_app(make_settings(max_body_bytes=10_000), sources=world.sources)
    token = bearer(issue_token(make_settings(), "acme.admin"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        form = await http.post("/graphql", content='{"query": "{ viewer { login } }"}',
                               headers=token | {"content-type": "text/plain"})  # fmt: skip
        preflighted = token | {"content-type": "text/plain", "x-corpcare-preflight": "1"}
        allowed = await http.post("/graphql", content='{"query": "{ viewer { login } }"}', headers=preflighted)
        large = await http.post("/graphql", json={"query": "{ viewer { login } }", "variables": {"x": "y" * 20_000}},
                                headers=token)  # fmt: skip
    assert form.status_code == 400 and form.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "CSRF" not in allowed.text  # past the guard: what GraphQL makes of text/plain is its own answer
    assert large.status_code == 413 and large.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"
    for name, value in SECURITY_HEADERS.items():
        assert form.headers[name] == value and large.headers[name] == value


async def test_batched_requests_and_mutations_over_get_are_refused(client):
    token = bearer(issue_token(make_settings(), "acme.admin"))
    batch = await client.post("/graphql", json=[QUERY, QUERY], headers=token)
    assert batch.status_code == 400 and "Batching is not enabled" in batch.json()["errors"][0]["message"]
    assert batch.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST" and batch.headers["x-request-id"]
    mutation = (
        'mutation { bulkOperationCancel(input: {bulkOperation: "QnVsa09wZXJhdGlvbjox"}) { userErrors { code } } }'
    )
    over_get = await client.get("/graphql", params={"query": mutation}, headers=token)
    assert over_get.status_code == 405 and over_get.headers["allow"] == "POST"
    assert over_get.json()["errors"][0]["extensions"]["code"] == "METHOD_NOT_ALLOWED"
    assert "mutations are not allowed when using GET" in over_get.json()["errors"][0]["message"]
    not_json = await client.post("/graphql", content=b"{not json", headers=token | {"Content-Type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_the_graphql_response_media_type_and_its_status_codes(client):
    token = bearer(issue_token(make_settings(), "acme.admin"))
    wants = token | {"Accept": "application/graphql-response+json, application/json;q=0.9"}
    good = await client.post("/graphql", json=QUERY, headers=wants)
    assert (
        good.status_code == 200 and good.headers["content-type"] == "application/graphql-response+json; charset=utf-8"
    )
    bad = await client.post("/graphql", json={"query": "{ viewr { login } }"}, headers=wants)
    assert bad.status_code == 400 and bad.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    # Nothing was executed: no `data` entry with this media type (`data: null` would say execution failed).
    assert "data" not in bad.json()
    unparsed = await client.post("/graphql", json={"query": "{"}, headers=wants)
    assert unparsed.status_code == 400 and "data" not in unparsed.json()
    assert unparsed.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    legacy = await client.post("/graphql", json={"query": "{ viewr { login } }"}, headers=token)
    assert legacy.status_code == 200 and legacy.headers["content-type"] == "application/json"
    assert legacy.json()["data"] is None  # plain JSON keeps the entry, as clients of it expect


async def test_only_allowed_origins_get_cors_headers(world):
    app = create_app(make_settings(cors_origins=["https://portal.example"]), sources=world.sources)
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        allowed = await http.options("/graphql", headers=preflight | {"Origin": "https://portal.example"})
        other = await http.options("/graphql", headers=preflight | {"Origin": "https://evil.example"})
        answer = await http.post("/graphql", json=QUERY, headers={"Origin": "https://portal.example"})
    assert allowed.status_code == 200 and allowed.headers["access-control-allow-origin"] == "https://portal.example"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert other.status_code == 400 and "access-control-allow-origin" not in other.headers
    assert answer.headers["access-control-allow-origin"] == "https://portal.example"
    assert answer.headers["x-content-type-options"] == "nosniff"
