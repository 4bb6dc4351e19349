"""Signing in to the portal through the operator's identity provider (OpenID Connect code flow with
PKCE) against a real provider on a loopback port: the whole flow, and each way it must refuse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from server.app import create_app
from server.oidc import PRODUCTION_FLOW_COOKIE
from server.sessions import PRODUCTION_COOKIE
from tests.identity_provider import CLIENT_ID, CLIENT_SECRET, IdentityProvider, identity_provider
from tests.system.test_http import make_settings

PORTAL = "https://portal.corpcare.test"
VIEWER = {"query": "{ viewer { login } }"}
PREFLIGHT = {"X-Corpcare-Preflight": "1"}


@pytest.fixture
async def provider() -> AsyncIterator[IdentityProvider]:
    async with identity_provider() as running:
        yield running


@pytest.fixture
async def portal(writable_world, provider) -> AsyncIterator[httpx.AsyncClient]:
    settings = make_settings(env="production", oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                             oidc_client_secret=CLIENT_SECRET)  # fmt: skip
    app = create_app(settings, sources=writable_world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=PORTAL) as client:
        yield client


async def at_provider(authorize_url: str) -> str:
    """The person signs in at the provider (consent given): the URL it sends the browser back to."""
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(authorize_url)
    assert answer.status_code == 302, answer.text
    return answer.headers["location"]


async def begin(portal: httpx.AsyncClient, next_: str = "/") -> str:
    started = await portal.get("/auth/sign-in", params={"next": next_})
    assert started.status_code == 303
    return started.headers["location"]


async def back(portal: httpx.AsyncClient, callback_url: str) -> httpx.Response:
    parts = urlsplit(callback_url)
    return await portal.get(parts.path, params=parse_qs(parts.query))


async def test_a_person_signs_in_through_the_provider_and_lands_where_they_were_going(portal, provider):
    authorize = await begin(portal, "/lines?unit=7")
    query = parse_qs(urlsplit(authorize).query)
    assert authorize.startswith(f"{provider.issuer}/authorize?")
    assert query["code_challenge_method"] == ["S256"] and query["client_id"] == [CLIENT_ID]
    assert query["redirect_uri"] == [f"{PORTAL}/auth/callback"]
    flow = portal.cookies.jar
    assert any(c.name == PRODUCTION_FLOW_COOKIE and c.secure for c in flow)

    landed = await back(portal, await at_provider(authorize))
    assert landed.status_code == 303, landed.text
    assert landed.headers["location"] == "/lines?unit=7"
    cookies = landed.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{PRODUCTION_COOKIE}="))
    assert "Secure" in session and "HttpOnly" in session and "SameSite=lax" in session
    assert any(c.startswith(f'{PRODUCTION_FLOW_COOKIE}=""') for c in cookies)  # the attempt is forgotten

    answer = await portal.post("/graphql", json=VIEWER, headers=PREFLIGHT)
    assert answer.json()["data"]["viewer"]["login"] == "acme.admin"


@pytest.mark.parametrize("misbehave", ["nonce", "audience", "issuer", "expired", "key"])
async def test_an_id_token_that_is_not_for_this_sign_in_is_refused(portal, provider, misbehave):
    provider.misbehave = misbehave
    landed = await back(portal, await at_provider(await begin(portal)))
    assert landed.status_code == 400
    said = "was not for this sign-in" if misbehave == "nonce" else "could not be verified"
    assert said in landed.text
    assert PRODUCTION_COOKIE not in landed.headers.get("set-cookie", "")
    assert (await portal.post("/graphql", json=VIEWER, headers=PREFLIGHT)).status_code == 401


async def test_a_callback_this_browser_did_not_start_is_refused(portal, provider):
    # Login CSRF: an attacker's own code and state, sent to the victim's browser.
    async with httpx.AsyncClient(transport=portal._transport, base_url=PORTAL) as attacker:
        provider.login = "acme.analyst"
        attackers_callback = await at_provider(await begin(attacker))
    landed = await back(portal, attackers_callback)  # the victim has no sign-in under way
    assert landed.status_code == 400
    await begin(portal)  # one under way now, but not this one: its state differs
    landed = await back(portal, attackers_callback)
    assert landed.status_code == 400
    assert "not started here" in landed.text


async def test_a_code_is_good_once(portal, provider):
    callback = await at_provider(await begin(portal))
    assert (await back(portal, callback)).status_code == 303
    await begin(portal)
    again = await back(portal, callback)  # the flow cookie was cleared; and the provider refuses the code
    assert again.status_code == 400


async def test_a_person_the_crm_does_not_know_gets_no_session(portal, provider):
    for login in ("stranger.here", "svc:acme:reporting"):
        provider.login = login
        landed = await back(portal, await at_provider(await begin(portal)))
        assert landed.status_code == 400
        assert "no access" in landed.text or "no portal user" in landed.text
        assert PRODUCTION_COOKIE not in landed.headers.get("set-cookie", "")


async def test_a_refusal_at_the_provider_is_said_plainly(portal):
    await begin(portal)
    landed = await portal.get("/auth/callback", params={"error": "access_denied", "state": "x"})
    assert landed.status_code == 400
    assert "refused the sign-in (access_denied)" in landed.text
    assert "Traceback" not in landed.text


async def test_with_a_provider_configured_no_demo_sign_in_is_served(portal):
    answer = await portal.post("/auth/sign-in", data={"login": "acme.admin"}, headers={"Origin": PORTAL})
    assert answer.status_code == 405
