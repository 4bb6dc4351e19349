"""Production tells a stranger nothing about the schema or the server: no suggestions of any
kind, no introspection, no open /metrics (issue 13, findings 4 and 6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.app import create_app
from server.auth import issue_token
from tests.system.test_http import bearer, make_settings

MONTHS = 'from: "2026-01", to: "2026-02"'
# (kind of misspelling, document, variables, the name development suggests)
MISSPELT = [
    ("field", "{ viewr { login } }", None, "viewer"),
    ("argument", "{ subscribers(frst: 2) { totalCount } }", None, "first"),
    ("type in a fragment", "{ node(id: \"x\") { ... on Subscrber { id } } }", None, "Subscriber"),
    ("type of a variable", "query($f: SubscriberFiltr) { subscribers(filter: $f) { totalCount } }", None,
     "SubscriberFilter"),
    ("input field in the document", f"{{ spendingReport(input: {{{MONTHS}, orgUnt: \"x\"}}) {{ rowCount }} }}",
     None, "orgUnit"),
    ("input field in a variable", "query($f: SubscriberFilter) { subscribers(filter: $f) { totalCount } }",
     {"f": {"orgUnt": "x"}}, "orgUnit"),
    ("enum value in the document", "{ subscribers(filter: {statuses: [ACTVE]}) { totalCount } }", None, "ACTIVE"),
    ("enum value in a variable", "query($s: [LineStatus!]) { subscribers(filter: {statuses: $s}) { totalCount } }",
     {"s": ["ACTVE"]}, "ACTIVE"),
]  # fmt: skip


@pytest.fixture
async def clients(world) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    opened = {}
    for env in ("development", "production"):
        app = create_app(make_settings(env=env), sources=world.sources)
        opened[env] = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test")
    yield opened
    for http in opened.values():
        await http.aclose()


async def messages(http: httpx.AsyncClient, query: str, variables: Any = None) -> list[str]:
    body = {"query": query, **({"variables": variables} if variables else {})}
    answer = await http.post("/graphql", json=body, headers=bearer(issue_token(make_settings(), "acme.admin")))
    return [error["message"] for error in answer.json()["errors"]]


@pytest.mark.parametrize(("kind", "query", "variables", "name"), MISSPELT, ids=[m[0] for m in MISSPELT])
async def test_production_suggests_nothing_for_a_misspelt(clients, kind, query, variables, name):
    development = await messages(clients["development"], query, variables)
    assert any("Did you mean" in m and f"'{name}'" in m for m in development), development  # the case is real
    production = await messages(clients["production"], query, variables)
    assert production and not [m for m in production if "Did you mean" in m or f"'{name}'" in m], production


@pytest.mark.parametrize(
    "query",
    ["{ __schema { queryType { name } } }", '{ __type(name: "Subscriber") { fields { name } } }',
     "{ ...F } fragment F on Query { __schema { types { name } } }"],
    ids=["__schema", "__type", "__schema inside a fragment"],
)  # fmt: skip
async def test_production_answers_no_introspection(clients, query):
    answer = await clients["production"].post(
        "/graphql", json={"query": query}, headers=bearer(issue_token(make_settings(), "acme.admin"))
    )
    body = answer.json()
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", body
    assert "Subscriber" not in str(body.get("data"))


async def test_typename_still_answers_in_production(clients):
    answer = await clients["production"].post(
        "/graphql", json={"query": "{ __typename }"}, headers=bearer(issue_token(make_settings(), "acme.admin"))
    )
    assert answer.json()["data"] == {"__typename": "Query"}


async def test_production_closes_metrics_without_a_token_and_opens_them_with_one(world):
    async def scrape(env: str, token: str | None, sent: str | None) -> httpx.Response:
        app = create_app(make_settings(env=env, metrics_token=token), sources=world.sources)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
            return await http.get("/metrics", headers=bearer(sent) if sent else None)

    closed = await scrape("production", None, None)
    assert closed.status_code == 403 and closed.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert "corpcare_requests" not in closed.text
    assert (await scrape("production", None, "anything")).status_code == 403
    assert (await scrape("production", "scrape-secret", None)).status_code == 401
    opened = await scrape("production", "scrape-secret", "scrape-secret")
    assert opened.status_code == 200 and "corpcare_requests" in opened.text
    assert (await scrape("development", None, None)).status_code == 200  # a developer's own machine
