"""Portal sign-in sessions over HTTP: an HttpOnly cookie for a session the server keeps, new at
every sign-in, ended server-side at sign-out; cookie-signed requests must show a page of ours
sent them (CSRF); production has a secure host-only cookie and no demo sign-in page."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from core.errors import BackendUnavailable
from core.sessions import TOUCH_EVERY, SessionTimes, secret_hash
from infra.redis_sessions import RedisSessionStore
from server.app import create_app
from server.sessions import DEVELOPMENT_COOKIE, PRODUCTION_COOKIE
from sources.state.sessions import SessionStore
from tests.support import REDIS_PREFIX, REDIS_URL, reachable_redis
from tests.system.in_process_socket import socket_exchange
from tests.system.test_http import make_settings

BASE = "http://corpcare.test"
VIEWER = {"query": "{ viewer { login role } }"}
PREFLIGHT = {"X-Corpcare-Preflight": "1"}
TIMES = SessionTimes(idle=timedelta(minutes=30), absolute=timedelta(hours=12))


@pytest.fixture
async def http(writable_world) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(), sources=writable_world.sources)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def sign_in(
    http: httpx.AsyncClient, login: str, *, origin: str | None = BASE, next_: str = "/"
) -> httpx.Response:
    headers = {"Origin": origin} if origin else {}
    return await http.post("/auth/sign-in", data={"login": login, "next": next_}, headers=headers)


def plant(http: httpx.AsyncClient, name: str, secret: str) -> None:
    """The browser's cookie jar holding only this cookie (a planted or a copied one)."""
    http.cookies.clear()
    http.cookies.set(name, secret, domain=httpx.URL(str(http.base_url)).host)


async def viewer(http: httpx.AsyncClient, **headers: str) -> httpx.Response:
    return await http.post("/graphql", json=VIEWER, headers=PREFLIGHT | headers)


async def test_signing_in_sets_an_http_only_cookie_that_signs_in_the_portals_requests(http):
    assert (await viewer(http)).status_code == 401  # no cookie yet: signed out

    page = await http.get("/auth/sign-in")
    assert page.status_code == 200
    assert 'value="acme.admin"' in page.text
    assert "script-src" not in page.headers["content-security-policy"]  # no script may run on it
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"

    answer = await sign_in(http, "acme.admin", next_="/lines?unit=1")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/lines?unit=1"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{DEVELOPMENT_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie

    signed_in = await viewer(http)
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["data"]["viewer"] == {"login": "acme.admin", "role": "CUSTOMER_ADMIN"}


async def test_every_sign_in_begins_a_new_session_and_ends_the_one_the_browser_held(http):
    await sign_in(http, "acme.admin")
    first = http.cookies[DEVELOPMENT_COOKIE]
    await sign_in(http, "acme.finance")  # the browser sends its first session along
    second = http.cookies[DEVELOPMENT_COOKIE]
    assert second != first
    assert (await viewer(http)).json()["data"]["viewer"]["login"] == "acme.finance"

    plant(http, DEVELOPMENT_COOKIE, first)
    assert (await viewer(http)).status_code == 401  # the first ended with the second sign-in


async def test_a_secret_planted_before_sign_in_is_worth_nothing_after(http, writable_world):
    # Session fixation: an attacker's own valid session, planted in the victim's browser.
    planted = await writable_world.sources.sessions.begin("acme.analyst", datetime.now(UTC), TIMES)
    plant(http, DEVELOPMENT_COOKIE, planted)
    await sign_in(http, "acme.admin")
    assert http.cookies[DEVELOPMENT_COOKIE] != planted
    assert (await viewer(http)).json()["data"]["viewer"]["login"] == "acme.admin"
    plant(http, DEVELOPMENT_COOKIE, planted)
    assert (await viewer(http)).status_code == 401


async def test_a_cookie_signed_request_without_the_preflight_header_is_refused(http):
    await sign_in(http, "acme.admin")
    for response in (
        await http.post("/graphql", json=VIEWER),
        await http.get("/graphql", params={"query": VIEWER["query"]}),
        await http.post("/graphql/stream", json=VIEWER, headers={"Accept": "text/event-stream"}),
    ):
        assert response.status_code == 403, response.text
        assert response.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
        assert "X-Corpcare-Preflight" in response.json()["errors"][0]["message"]
    # A form posted from another site is refused before it is read, as before.
    form = await http.post("/graphql", data={"query": VIEWER["query"]})
    assert form.status_code == 400


async def test_a_sign_in_form_from_another_site_is_refused(http):
    for origin in ("https://evil.example", None, "null"):
        answer = await sign_in(http, "acme.admin", origin=origin)
        assert answer.status_code == 403, origin
        assert DEVELOPMENT_COOKIE not in http.cookies
    for site in ("cross-site", "same-site", "none"):
        headers = {"Origin": "null", "Sec-Fetch-Site": site}
        answer = await http.post("/auth/sign-in", data={"login": "acme.admin"}, headers=headers)
        assert answer.status_code == 403, site
    assert (await viewer(http)).status_code == 401
    # A browser that sends "null" for a page of this very origin says so in Sec-Fetch-Site.
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert (await http.post("/auth/sign-in", data={"login": "acme.admin"}, headers=headers)).status_code == 303


async def test_only_a_portal_user_can_sign_in_and_only_to_a_page_of_this_site(http):
    for login in ("nobody.here", "svc:acme:reporting", "", "x" * 500):
        answer = await sign_in(http, login)
        assert answer.status_code == 400, login
        assert "cannot sign in" in answer.text
        assert DEVELOPMENT_COOKIE not in http.cookies
    for target in (
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "lines",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
    ):
        answer = await sign_in(http, "acme.admin", next_=target)
        assert answer.headers["location"] == "/", target


async def test_signing_out_ends_the_session_on_the_server(http):
    await sign_in(http, "acme.admin")
    secret = http.cookies[DEVELOPMENT_COOKIE]

    refused = await http.post("/auth/sign-out")  # CSRF: a cross-site form cannot sign anyone out
    assert refused.status_code == 403
    assert (await viewer(http)).status_code == 200

    answer = await http.post("/auth/sign-out", headers=PREFLIGHT)
    assert answer.status_code == 204
    assert f'{DEVELOPMENT_COOKIE}=""' in answer.headers["set-cookie"]
    plant(http, DEVELOPMENT_COOKIE, secret)  # a copy of the cookie kept somewhere
    ended = await viewer(http)
    assert ended.status_code == 401
    assert ended.json()["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}


async def test_a_bearer_token_wins_over_a_cookie_and_needs_no_preflight_header(http):
    from server.auth import issue_token

    await sign_in(http, "acme.admin")
    token = issue_token(make_settings(), "acme.finance")
    answer = await http.post("/graphql", json=VIEWER, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    assert answer.json()["data"]["viewer"]["login"] == "acme.finance"


async def test_production_keeps_the_cookie_secure_and_host_only_and_serves_no_demo_sign_in(writable_world):
    settings = make_settings(env="production")
    app = create_app(settings, sources=writable_world.sources)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://corpcare.test") as http:
        assert (await http.get("/auth/sign-in")).status_code == 404
        assert (await sign_in(http, "acme.admin", origin="https://corpcare.test")).status_code in (404, 405)
        secret = await writable_world.sources.sessions.begin("acme.admin", datetime.now(UTC), settings.session_times)
        plant(http, DEVELOPMENT_COOKIE, secret)  # the development name means nothing here
        assert (await viewer(http)).status_code == 401
        plant(http, PRODUCTION_COOKIE, secret)
        assert (await viewer(http)).json()["data"]["viewer"]["login"] == "acme.admin"
        out = await http.post("/auth/sign-out", headers=PREFLIGHT)
        assert out.status_code == 204
        cleared = out.headers["set-cookie"]
        assert cleared.startswith(f"{PRODUCTION_COOKIE}=") and "Secure" in cleared and "HttpOnly" in cleared


async def test_a_portal_page_of_this_server_subscribes_with_its_cookie_and_no_other_site_can(writable_world):
    app = create_app(make_settings(), sources=writable_world.sources)
    secret = await writable_world.sources.sessions.begin("acme.admin", datetime.now(UTC), TIMES)
    cookie = f"{DEVELOPMENT_COOKIE}={secret}"
    ask = [{"type": "connection_init", "payload": {}},
           {"id": "1", "type": "subscribe", "payload": {"query": VIEWER["query"]}}]  # fmt: skip

    answers = await socket_exchange(app, ask, "complete", headers={"Origin": BASE, "Cookie": cookie})
    assert answers[0]["type"] == "connection_ack"
    assert answers[1]["payload"]["data"]["viewer"]["login"] == "acme.admin"

    # Cross-site WebSocket hijacking: another site's page is refused at the handshake (1008), a
    # client that names no page is not signed in by the cookie (4403).
    for origin, code in (({"Origin": "https://evil.example"}, 1008), ({}, 4403)):
        with pytest.raises(AssertionError, match=f"'code': {code}"):
            await socket_exchange(app, ask, "complete", headers=origin | {"Cookie": cookie})

    await writable_world.sources.sessions.end(secret)
    with pytest.raises(AssertionError, match="4403"):
        await socket_exchange(app, ask, "complete", headers={"Origin": BASE, "Cookie": cookie})


@pytest.fixture(params=["database", "redis"])
async def store(request, writable_world) -> AsyncIterator[SessionStore]:
    """Each store a server may keep its sessions in: the state database (SQLite, PostgreSQL), Redis."""
    if request.param == "database":
        yield writable_world.sources.sessions
        return
    await (await reachable_redis()).aclose()  # fails in CI, skips elsewhere, when Redis is not there
    redis_store = RedisSessionStore(REDIS_URL, f"{REDIS_PREFIX}{uuid.uuid4().hex[:8]}:")
    try:
        yield redis_store
    finally:
        await redis_store.close()


# --- the store: time limits with the clock given ---------------------------------------------


async def test_a_session_ends_once_idle_too_long(store):
    start = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    secret = await store.begin("acme.admin", start, TIMES)
    assert (await store.find(secret, start + TIMES.idle - timedelta(seconds=1), TIMES)) is not None
    later = start + TIMES.idle - timedelta(seconds=1) + TIMES.idle - timedelta(seconds=1)
    assert (await store.find(secret, later, TIMES)) is not None  # seen at the first find: idle counts from there
    assert (await store.find(secret, later + TIMES.idle, TIMES)) is None
    assert (await store.find(secret, later, TIMES)) is None  # deleted when found idle, not only refused


async def test_a_session_ends_at_its_absolute_limit_however_used(store):
    start = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    secret = await store.begin("acme.admin", start, TIMES)
    moment = start
    while moment + timedelta(minutes=20) < start + TIMES.absolute:
        moment += timedelta(minutes=20)
        assert (await store.find(secret, moment, TIMES)) is not None
    assert (await store.find(secret, start + TIMES.absolute, TIMES)) is None


async def test_a_session_in_use_is_written_at_most_once_a_minute(store):
    start = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    secret = await store.begin("acme.admin", start, TIMES)

    async def last_seen(at: datetime) -> datetime:
        found = await store.find(secret, at, TIMES)
        assert found is not None
        return found.last_seen_at  # as stored before this find marked it

    assert await last_seen(start + TOUCH_EVERY / 2) == start  # not written: too soon
    assert await last_seen(start + TOUCH_EVERY) == start
    assert await last_seen(start + TOUCH_EVERY + timedelta(seconds=1)) == start + TOUCH_EVERY  # written then


async def test_malformed_and_unknown_secrets_name_no_session(store):
    now = datetime.now(UTC)
    await store.begin("acme.admin", now, TIMES, ending="' or 1=1 --")  # a malformed previous secret ends nothing
    for secret in ("", "x", "' or 1=1 --", "A" * 43, "A" * 44, "é" * 43):
        assert await store.find(secret, now, TIMES) is None
        assert await store.end(secret) is False


async def test_redis_that_does_not_answer_says_so_and_signs_nobody_out():
    dead = RedisSessionStore("redis://127.0.0.1:1/0", REDIS_PREFIX, timeout_seconds=0.2)
    try:
        with pytest.raises(BackendUnavailable, match="session store"):
            await dead.find("A" * 43, datetime.now(UTC), TIMES)
        with pytest.raises(BackendUnavailable):
            await dead.begin("acme.admin", datetime.now(UTC), TIMES)
    finally:
        await dead.close()


async def test_a_server_with_redis_keeps_its_sessions_there(writable_world):
    redis = await reachable_redis()
    store = RedisSessionStore(REDIS_URL, f"{REDIS_PREFIX}{uuid.uuid4().hex[:8]}:")
    try:
        sources = dataclasses.replace(writable_world.sources, sessions=store)
        app = create_app(make_settings(), sources=sources)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
            await sign_in(http, "acme.admin")
            assert (await viewer(http)).json()["data"]["viewer"]["login"] == "acme.admin"
            assert await writable_world.scalar("state", "select count(*) from portal_sessions") == 0
            assert await redis.exists(store._prefix + secret_hash(http.cookies[DEVELOPMENT_COOKIE]))
            await http.post("/auth/sign-out", headers=PREFLIGHT)
            assert (await viewer(http)).status_code == 401
    finally:
        await store.close()
        await redis.aclose()


async def test_signing_in_while_the_session_store_does_not_answer_is_a_503_page(writable_world):
    dead = RedisSessionStore("redis://127.0.0.1:1/0", REDIS_PREFIX, timeout_seconds=0.2)
    try:
        app = create_app(make_settings(), sources=dataclasses.replace(writable_world.sources, sessions=dead))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
            answer = await sign_in(http, "acme.admin")
            assert answer.status_code == 503
            assert "try again in a moment" in answer.text and "Traceback" not in answer.text
            assert DEVELOPMENT_COOKIE not in http.cookies
            plant(http, DEVELOPMENT_COOKIE, "A" * 43)
            held = await viewer(http)
            assert held.status_code == 503  # not a 401: nobody is signed out by an outage
            assert held.json()["errors"][0]["extensions"]["code"] == "BACKEND_UNAVAILABLE"
    finally:
        await dead.close()


@pytest.mark.parametrize(
    ("login", "landing"),
    [("acme.employee", "/me"), ("acme.admin", None), ("acme.finance", None)],
)
async def test_opening_the_portal_sends_a_signed_in_employee_to_their_own_line(http, login, landing):
    signed_out = await http.get("/")
    assert signed_out.status_code == 200 and '<div id="root">' in signed_out.text
    await sign_in(http, login)
    opened = await http.get("/")
    if landing is None:
        assert opened.status_code == 200 and '<div id="root">' in opened.text
    else:
        assert opened.status_code == 303 and opened.headers["location"] == landing
        assert opened.headers["x-frame-options"] == "DENY"
    # A cookie whose session has ended is a signed-out visit: the page, which sends it to sign in.
    plant(http, DEVELOPMENT_COOKIE, "no-such-session")
    ended = await http.get("/")
    assert ended.status_code == 200 and '<div id="root">' in ended.text
