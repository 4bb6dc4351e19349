"""Credentials the databases cannot hold are refused as credentials, 401, never a 500 (issue 13,
finding 8): a validly signed token whose subject holds a NUL or a lone surrogate, or is too
long, or is not a string; API keys made of odd bytes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import jwt
import pytest

from server.app import create_app
from tests.support import World
from tests.system.test_http import QUERY, assert_unauthenticated, bearer, make_settings

SUBJECTS = [
    pytest.param("acme.admin\x00", id="a NUL after a login"),
    pytest.param("\x00", id="only a NUL"),
    pytest.param("acme.\ud800admin", id="a lone surrogate"),
    pytest.param("acme.admin\n", id="a newline"),
    pytest.param("a" * 121, id="one character past the login column"),
    pytest.param("a" * 100_000, id="100,000 characters"),
    pytest.param("", id="empty"),
    pytest.param(42, id="a number"),
    pytest.param(["acme.admin"], id="a list"),
    pytest.param({"login": "acme.admin"}, id="an object"),
    pytest.param(None, id="null"),
]

API_KEYS = [
    pytest.param(b"cck_", id="the prefix alone"),
    pytest.param(b"cck_\xff\xfe", id="bytes that are not UTF-8"),
    pytest.param(b"cck_0123456789ab_" + "é".encode() * 43, id="accented letters in UTF-8"),
    pytest.param(b"cck_0123456789ab_" + b"a" * 42 + b"\t", id="a tab inside"),
    pytest.param(b"cck_" + b"0" * 100_000, id="100,000 characters"),
    pytest.param(b"cck_0123456789AB_" + b"a" * 43, id="an upper-case key id"),
]


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=world.sources)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as http:
        yield http


def signed(subject: Any) -> str:
    """A token signed with the server's own secret, so only its subject can be wrong."""
    claims = {"sub": subject, "iat": int(time.time()), "exp": int(time.time()) + 600}
    return jwt.encode(claims, make_settings().jwt_secret, algorithm="HS256")


@pytest.mark.parametrize("subject", SUBJECTS)
async def test_a_signed_token_naming_a_login_no_database_could_hold_is_401(client, subject):
    assert_unauthenticated(await client.post("/graphql", json=QUERY, headers=bearer(signed(subject))))


@pytest.mark.parametrize("key", API_KEYS)
async def test_an_api_key_of_odd_bytes_is_401(client, key):
    headers = {"Authorization": b"Bearer " + key}
    assert_unauthenticated(await client.post("/graphql", json=QUERY, headers=headers))


async def test_the_csv_exports_refuse_such_a_token_the_same_way(client):
    response = await client.get(
        "/reports/spending.csv", params={"from": "2026-01", "to": "2026-01"}, headers=bearer(signed("acme\x00"))
    )
    assert_unauthenticated(response)
