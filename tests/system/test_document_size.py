"""Issue 13, finding 7: a document is limited by its characters before anything parses it, on every
transport (POST, GET, a WebSocket's subscribe, an automatic persisted query's registration);
registered operations are known documents and run whatever their length."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from graphql.language import parser as graphql_parser

from server.app import create_app
from server.auth import issue_token
from server.safelist import read_operations, register
from tests.system.in_process_socket import socket_exchange
from tests.system.test_http import make_settings
from tests.system.test_persisted_queries import app_client, persisted, refused, sha, unique, write_operations

COMMENT = "#" + "x" * 3_900_000 + "\n"  # the finding's 3.9 MB query that is one comment
SPACES = " " * 3_900_000 + "{ viewer { login } }"
LIMIT = 100_000


@contextmanager
def parses() -> Iterator[list[int]]:
    """How many documents graphql-core starts to parse while the block runs (any caller)."""
    started: list[int] = []
    original = graphql_parser.Parser.__init__

    def counting(self: Any, source: Any, *args: Any, **kwargs: Any) -> None:
        started.append(1)
        original(self, source, *args, **kwargs)

    graphql_parser.Parser.__init__ = counting  # type: ignore[method-assign]
    try:
        yield started
    finally:
        graphql_parser.Parser.__init__ = original  # type: ignore[method-assign]


def too_long(response: Any, limit: int = LIMIT) -> str:
    message = refused(response, 400, "QUERY_TOO_COMPLEX")
    assert f"maximum is {limit}" in message
    return message


@pytest.mark.parametrize("document", [COMMENT, SPACES], ids=["one comment", "blanks"])
async def test_a_document_of_four_megabytes_is_refused_before_it_is_parsed(world, document):
    async with app_client(world) as http:
        # A caller who may change lines may send bodies this large (a reader's is refused unread).
        http.headers["Authorization"] = f"Bearer {issue_token(make_settings(), 'acme.admin')}"
        with parses() as started:
            response = await http.post("/graphql", json={"query": document})
    assert "3900" in too_long(response).replace(",", "")
    assert started == []


async def test_over_get_a_long_document_is_refused_before_it_is_parsed(world):
    # URLs are short (httpx stops at 64 kB, uvicorn's request line much sooner): a lower limit.
    async with app_client(world, max_query_chars=1_000) as http:
        with parses() as started:
            response = await http.get("/graphql", params={"query": "{ viewer { login } }" + " " * 1_000})
    too_long(response, 1_000)
    assert started == []


async def test_a_document_at_the_limit_runs(world):
    query = "{ viewer { login } }"
    async with app_client(world) as http:
        response = await http.post("/graphql", json={"query": query + " " * (LIMIT - len(query))})
    assert response.status_code == 200 and response.json()["data"] == {"viewer": {"login": "acme.admin"}}


async def test_the_limit_is_a_setting(world):
    async with app_client(world, max_query_chars=20) as http:
        response = await http.post("/graphql", json={"query": "{ viewer { login name } }"})
    assert refused(response, 400, "QUERY_TOO_COMPLEX")


async def test_an_automatic_persisted_query_with_a_long_new_text_is_refused_before_it_is_parsed(world):
    query = unique(COMMENT + "{ viewer { login } }")
    async with app_client(world) as http:
        with parses() as started:
            response = await http.post("/graphql", json=persisted(sha(query), query))
            by_hash = await http.post("/graphql", json=persisted(sha(query)))
    too_long(response)
    refused(by_hash, 200, "PERSISTED_QUERY_NOT_FOUND")  # nothing was stored
    assert started == []


async def test_a_registered_operation_longer_than_the_limit_still_runs(world, tmp_path):
    text = unique("# " + "documented at length " * 6_000 + "\nquery Long { viewer { login } }")
    assert len(text) > LIMIT
    await register(world.sources.persisted_operations, read_operations(write_operations(tmp_path, long=text)), "test",
                   dry_run=False)  # fmt: skip
    async with app_client(world) as http:
        by_hash = await http.post("/graphql", json=persisted(sha(text)))
        with_text = await http.post("/graphql", json=persisted(sha(text), text))
    async with app_client(world, persisted_queries="safelist") as http:
        as_text = await http.post("/graphql", json={"query": text})
    for response in (by_hash, with_text, as_text):
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"viewer": {"login": "acme.admin"}}


async def test_over_a_websocket_a_long_subscribe_is_refused_before_it_is_parsed(world):
    app = create_app(make_settings(), sources=world.sources)
    token = issue_token(make_settings(), "acme.employee")
    subscribe = {
        "id": "1",
        "type": "subscribe",
        "payload": {"query": COMMENT + "subscription { spendingAlerts { id } }"},
    }
    with parses() as started:
        received = await socket_exchange(
            app, [{"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}, subscribe], "error"
        )
    assert received[0]["type"] == "connection_ack"
    [error] = received[-1]["payload"]
    assert received[-1]["id"] == "1" and error["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert started == []


async def test_a_registered_operation_of_more_tokens_than_the_limit_runs_where_its_text_sent_ad_hoc_does_not(
    world, tmp_path
):
    text = unique("query Many { viewer { " + "login " * 600 + "} }")  # 600 tokens and more
    await register(world.sources.persisted_operations, read_operations(write_operations(tmp_path, many=text)), "test",
                   dry_run=False)  # fmt: skip
    other = unique("query Many { viewer { " + "login " * 600 + "} }")  # as many tokens, not registered
    async with app_client(world, max_query_tokens=500) as http:
        # Each request in a task of its own, as a server runs them (the app runs in the caller's task).
        with_text = await asyncio.create_task(http.post("/graphql", json=persisted(sha(text), text)))
        by_hash = await asyncio.create_task(http.post("/graphql", json=persisted(sha(text))))
        ad_hoc = await asyncio.create_task(http.post("/graphql", json={"query": other}))
    async with app_client(world, persisted_queries="safelist", max_query_tokens=500) as http:
        as_text = await asyncio.create_task(http.post("/graphql", json={"query": text}))
    for response in (by_hash, with_text, as_text):
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"viewer": {"login": "acme.admin"}}, response.text
    [error] = ad_hoc.json()["errors"]
    assert error["extensions"]["code"] == "QUERY_TOO_COMPLEX" and "more than 500 tokens" in error["message"], error
