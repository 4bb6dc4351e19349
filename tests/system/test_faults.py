"""Faults survived, against real backends that stop, hang or crawl: partial data when billing
is down, a breaker that stops waiting on it, a fast 503 when the pool is exhausted or the
request runs out of time, and requests served with Redis stopped.

CRM and state live in SQLite files; billing lives in a PostgreSQL cluster of the test's own,
which the tests stop and start.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from demo import seed
from server.app import create_app
from server.auth import issue_token
from sources.db import Engines, create_engine
from tests.faults import Blackhole, PrivatePostgres, PrivateRedis, billing_locked, free_port, waiting_on_a_lock
from tests.support import today
from tests.system.test_bulk_restart import serving
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually

QUERY = """{
  viewer { login }
  customer { name orgRoot { name spending { total { amount } } } }
  subscribers(first: 3) { nodes { status services { service { name } } } }
}"""


class SplitWorld:
    def __init__(self, billing: PrivatePostgres, crm_url: str, state_url: str) -> None:
        self.billing = billing
        self.urls = {"crm_url": crm_url, "billing_url": billing.url("billing"), "state_url": state_url}


@pytest.fixture(scope="module")
async def split_world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SplitWorld]:
    root = tmp_path_factory.mktemp("faults")
    billing = PrivatePostgres()
    billing.start()
    try:
        billing.create_database("billing")
        world = SplitWorld(billing, f"sqlite+aiosqlite:///{root}/crm.db", f"sqlite+aiosqlite:///{root}/state.db")
        engines = Engines(*(create_engine(world.urls[k]) for k in ("crm_url", "billing_url", "state_url")))
        await seed(engines, subscribers=60, seed=7, as_of=today())
        await engines.dispose()
        yield world
    finally:
        if billing.running:
            billing.stop()
        billing.remove()


@pytest.fixture
def running_billing(split_world: SplitWorld) -> SplitWorld:
    """Billing up at the start of the test (a test that stops it starts it again)."""
    if not split_world.billing.running:
        split_world.billing.start()
    return split_world


@asynccontextmanager
async def served(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The real app with its own engines, cache and lifespan, reached in process."""
    settings = make_settings(bulk_worker=False, **overrides)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as http:
            http.headers.update(bearer(issue_token(settings, "acme.admin")))
            http.app = app  # type: ignore[attr-defined]
            yield http


async def ask(http: httpx.AsyncClient) -> tuple[httpx.Response, dict[str, Any]]:
    response = await http.post("/graphql", json={"query": QUERY})
    return response, response.json()


def unhurried(http: httpx.AsyncClient, *names: str) -> None:
    """The backends ``names`` of the served app given a call limit they never reach. The configured
    limit is what a test cuts billing's calls with; the CRM and state, read from SQLite files on a
    busy host, must not be cut by it too (their fields are the ones that must resolve)."""
    for backend in http.app.state.sources.backends():  # type: ignore[attr-defined]
        if backend.name in names:
            backend.limits = replace(backend.limits, call_seconds=10 * PATIENCE)


def billing_fields_are_null(body: dict[str, Any]) -> None:
    data = body["data"]
    assert data["viewer"] == {"login": "acme.admin"}
    assert data["customer"]["name"] and data["customer"]["orgRoot"]["name"]
    assert data["customer"]["orgRoot"]["spending"] is None
    nodes = data["subscribers"]["nodes"]
    assert len(nodes) == 3 and all(node["status"] and node["services"] is None for node in nodes)
    assert body["errors"] and {e["extensions"]["code"] for e in body["errors"]} == {"BACKEND_UNAVAILABLE"}
    assert {e["extensions"]["backend"] for e in body["errors"]} == {"billing"}


def metric(text_: str, name: str) -> float:
    return sum(float(line.rsplit(" ", 1)[1]) for line in text_.splitlines() if line.startswith(name))


@pytest.mark.executed_once
async def test_with_billing_stopped_crm_fields_resolve_and_billing_fields_are_null(running_billing):
    world = running_billing
    async with served(**world.urls, backend_breaker_failures=3, backend_breaker_reset_seconds=1.0) as http:
        # The breaker's clock in the test's hands: open is open, however slow the machine.
        now = [0.0]
        http.app.state.sources.spending.backend.breaker.clock = lambda: now[0]  # type: ignore[attr-defined]
        response, body = await ask(http)
        assert response.status_code == 200 and "errors" not in body
        assert body["data"]["customer"]["orgRoot"]["spending"]["total"]["amount"]

        world.billing.stop()
        try:
            response, body = await ask(http)
            assert response.status_code == 200
            billing_fields_are_null(body)
            assert "sqlalchemy" not in response.text and "127.0.0.1" not in response.text

            # The breaker is open: billing is not called, and the client is told when to retry.
            response, body = await ask(http)
            billing_fields_are_null(body)
            assert all(e["extensions"].get("retryAfterSeconds") is not None for e in body["errors"])
            metrics = (await http.get("/metrics")).text
            assert metric(metrics, 'corpcare_backend_breaker_open{backend="billing"}') == 1.0
            assert metric(metrics, 'corpcare_backend_calls_total{backend="billing",outcome="rejected"}') >= 1
            assert metric(metrics, 'corpcare_backend_breaker_open{backend="crm"}') == 0.0

            ready = await http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["checks"] == {"crm": "ok", "billing": "unavailable", "state": "ok", "cache": "ok"}
        finally:
            world.billing.start()

        # Once the breaker's pause is over, one trial call (the others of that request are still
        # refused) finds billing back and closes it: the next request is whole.
        now[0] += 1.1
        await ask(http)
        assert metric((await http.get("/metrics")).text, 'corpcare_backend_breaker_open{backend="billing"}') == 0.0
        response, body = await ask(http)
        assert "errors" not in body and body["data"]["customer"]["orgRoot"]["spending"] is not None
        assert (await http.get("/readyz")).json()["status"] == "ok"


@asynccontextmanager
async def billing_refusing_connections(world: SplitWorld) -> AsyncIterator[None]:
    """Billing's database set ``ALLOW_CONNECTIONS false`` and its sessions ended, as an operator
    takes it out of service: every new connection fails with SQLSTATE 55000 ("not currently
    accepting connections") while the server itself runs."""
    admin = create_async_engine(world.billing.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            await conn.execute(text("ALTER DATABASE billing ALLOW_CONNECTIONS false"))
            await conn.execute(text("select pg_terminate_backend(pid) from pg_stat_activity where datname = 'billing'"))
        try:
            yield
        finally:
            async with admin.connect() as conn:
                await conn.execute(text("ALTER DATABASE billing ALLOW_CONNECTIONS true"))
    finally:
        await admin.dispose()


async def end_billing_sessions(world: SplitWorld) -> list[int]:
    """``pg_terminate_backend`` on every session of the billing database, and each gone."""
    admin = create_async_engine(world.billing.url("postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            rows = await conn.execute(text("select pid from pg_stat_activity where datname = 'billing'"))
            ended = [int(pid) for pid in rows.scalars()]
            for pid in ended:
                await conn.execute(text(f"select pg_terminate_backend({pid})"))

        async def gone() -> bool:
            async with admin.connect() as conn:
                rows = await conn.execute(text("select count(*) from pg_stat_activity where datname = 'billing'"))
                return rows.scalar_one() == 0

        await eventually(gone, "the billing sessions to end")
        return ended
    finally:
        await admin.dispose()


async def test_billing_sessions_ended_between_requests_do_not_fail_the_next_request(running_billing):
    """No round trip checks a pooled connection before it is lent: one whose session an operator
    ended while it sat in the pool is replaced (or its read sent again), and the next request is whole."""
    world = running_billing
    async with served(**world.urls) as http:
        response, body = await ask(http)
        assert response.status_code == 200 and "errors" not in body
        assert await end_billing_sessions(world)

        response, body = await ask(http)
        assert response.status_code == 200 and "errors" not in body, body
        assert body["data"]["customer"]["orgRoot"]["spending"]["total"]["amount"]
        # Not one read failed on the way (some, such as the currencies, would not show in the answer).
        metrics = (await http.get("/metrics")).text
        assert metric(metrics, 'corpcare_backend_calls_total{backend="billing",outcome="unavailable"}') == 0
        assert http.app.state.sources.spending.backend.breaker.healthy  # type: ignore[attr-defined]


async def test_a_billing_database_not_accepting_connections_gives_partial_data_and_opens_the_breaker(running_billing):
    world = running_billing
    async with served(**world.urls, backend_breaker_failures=1, backend_breaker_reset_seconds=1.0) as http:
        now = [0.0]
        http.app.state.sources.spending.backend.breaker.clock = lambda: now[0]  # type: ignore[attr-defined]
        async with billing_refusing_connections(world):
            response, body = await ask(http)
            assert response.status_code == 200
            billing_fields_are_null(body)  # every error BACKEND_UNAVAILABLE, none INTERNAL_SERVER_ERROR
            assert "55000" not in response.text and "accepting" not in response.text

            metrics = (await http.get("/metrics")).text
            assert metric(metrics, 'corpcare_backend_breaker_open{backend="billing"}') == 1.0
            assert metric(metrics, 'corpcare_backend_calls_total{backend="billing",outcome="error"}') == 0
            response, body = await ask(http)
            billing_fields_are_null(body)
            assert all(e["extensions"].get("retryAfterSeconds") is not None for e in body["errors"])
            tried = metric(metrics, 'corpcare_backend_calls_total{backend="billing",outcome="unavailable"}')
            metrics = (await http.get("/metrics")).text
            assert metric(metrics, 'corpcare_backend_calls_total{backend="billing",outcome="unavailable"}') == tried

        now[0] += 1.1
        await ask(http)  # the trial finds billing accepting connections again
        response, body = await ask(http)
        assert "errors" not in body and body["data"]["customer"]["orgRoot"]["spending"] is not None


@pytest.mark.executed_once
async def test_a_billing_that_never_answers_is_given_up_on_at_the_call_limit(split_world, tmp_path):
    async with Blackhole() as hole:
        urls = {**split_world.urls, "billing_url": f"postgresql+asyncpg://postgres@127.0.0.1:{hole.port}/billing"}
        async with served(**urls, backend_call_seconds=0.5, request_timeout_seconds=20) as http:
            unhurried(http, "crm", "state")
            started = time.monotonic()
            response, body = await ask(http)
            elapsed = time.monotonic() - started
    assert response.status_code == 200
    billing_fields_are_null(body)
    assert elapsed < 10  # the call limit, not the 20 s request limit nor a hang


async def test_a_slow_billing_is_cut_at_the_call_limit(running_billing):
    world = running_billing
    # A limit the locked billing reaches; the CRM's calls are not held to it.
    async with served(**world.urls, backend_call_seconds=5) as http:
        unhurried(http, "crm", "state")
        async with billing_locked(world.urls["billing_url"]):
            response, body = await ask(http)
        assert response.status_code == 200
        billing_fields_are_null(body)
        assert any("in time" in e["message"] or "unavailable" in e["message"] for e in body["errors"])
        # The locks are gone: the same pool serves the next request whole (in its own time: what
        # is checked is that the calls cut left the pool usable, not how fast a busy host is).
        unhurried(http, "billing")
        response, body = await ask(http)
        assert "errors" not in body


async def test_a_request_past_its_time_limit_gets_a_coded_503(running_billing):
    world = running_billing
    # A limit the locked request reaches, and the next one, whole, keeps to on a busy machine.
    async with served(**world.urls, backend_call_seconds=60, request_timeout_seconds=5) as http:
        async with billing_locked(world.urls["billing_url"]):
            response = await http.post("/graphql", json={"query": QUERY})
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
        assert response.headers["x-request-id"]
        response, body = await ask(http)
        assert response.status_code == 200 and "errors" not in body


async def test_a_query_over_server_sent_events_past_its_time_limit_ends_with_timeout(running_billing):
    """The same time limit as over HTTP: the stream's one event is the coded TIMEOUT, then complete."""
    world = running_billing
    async with served(**world.urls, backend_call_seconds=60, request_timeout_seconds=5) as http:
        async with billing_locked(world.urls["billing_url"]):
            response = await http.post(
                "/graphql/stream", json={"query": QUERY}, headers={"Accept": "text/event-stream"}
            )
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = [block for block in response.text.split("\n\n") if block.strip() and not block.startswith(":")]
        assert [block.splitlines()[0] for block in events] == ["event: next", "event: complete"]
        payload = orjson.loads(events[0].splitlines()[1].removeprefix("data:"))
        assert [e["extensions"]["code"] for e in payload["errors"]] == ["TIMEOUT"] and "data" not in payload
        response, body = await ask(http)
        assert response.status_code == 200 and "errors" not in body


async def test_an_exhausted_pool_gets_a_fast_503_with_retry_after(running_billing):
    world = running_billing
    # A wait for a connection that the next request, whole, keeps to on a busy machine.
    async with served(**world.urls, pool_size=1, pool_timeout_seconds=2) as http:
        engine = http.app.state.sources.spending.backend.engine  # type: ignore[attr-defined]
        async with engine.connect() as first, engine.connect() as second:  # pool of 1, overflow of 1
            assert first is not second
            response = await http.post("/graphql", json={"query": QUERY})
        assert response.status_code == 503 and response.headers["retry-after"] == "1"
        body = response.json()
        busy = [e for e in body["errors"] if e["extensions"].get("reason") == "BUSY"]
        assert busy and busy[0]["extensions"]["backend"] == "billing"
        assert body["data"]["customer"]["name"]  # CRM still answered
        response, body = await ask(http)
        assert response.status_code == 200 and "errors" not in body


async def test_requests_are_served_with_redis_stopped(running_billing, tmp_path):
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    try:
        async with served(**running_billing.urls, redis_url=redis.url, principal_cache_seconds=60) as http:
            response, body = await ask(http)
            assert response.status_code == 200 and body["data"]["viewer"]["login"] == "acme.admin"
            assert (await http.get("/readyz")).json()["checks"]["cache"] == "ok"

            redis.stop()
            for _ in range(5):
                response, body = await ask(http)
                assert response.status_code == 200 and "errors" not in body
                assert body["data"]["viewer"]["login"] == "acme.admin"
            ready = await http.get("/readyz")
            assert ready.status_code == 200
            assert ready.json()["status"] == "degraded" and ready.json()["checks"]["cache"] == "unavailable"
            metrics = (await http.get("/metrics")).text
            assert metric(metrics, 'corpcare_cache_requests_total{result="unavailable"}') >= 5
    finally:
        redis.stop()


async def test_sign_in_with_the_crm_unreachable_is_a_coded_503_not_a_crash(split_world):
    closed = free_port()  # nothing listens there
    urls = {**split_world.urls, "crm_url": f"postgresql+asyncpg://postgres@127.0.0.1:{closed}/crm"}
    async with served(**urls) as http:
        response = await http.post("/graphql", json={"query": "{ viewer { login } }"})
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["errors"][0]["extensions"]["code"] == "BACKEND_UNAVAILABLE"
    assert str(closed) not in response.text


async def test_sigterm_lets_the_request_in_flight_finish_then_stops(running_billing, tmp_path):
    world = running_billing
    # The request waits on billing for as long as the test takes, however busy the machine.
    process, base = await serving({**world.urls, "backend_call_seconds": "300"}, tmp_path)

    async def refused() -> bool:
        try:
            async with httpx.AsyncClient(base_url=base, timeout=PATIENCE) as fresh:
                await fresh.get("/healthz")
        except httpx.TransportError:
            return True
        return False

    try:
        token = issue_token(make_settings(), "acme.admin")
        async with httpx.AsyncClient(base_url=base, timeout=5 * PATIENCE, headers=bearer(token)) as http:
            async with billing_locked(world.urls["billing_url"]):
                in_flight = asyncio.create_task(http.post("/graphql", json={"query": QUERY}))
                billing = world.urls["billing_url"]
                await eventually(lambda: waiting_on_a_lock(billing), "the request to wait on billing")
                process.send_signal(signal.SIGTERM)
                await eventually(refused, "the server to take no new requests")
                assert process.poll() is None, "the server must wait for the request in flight"
                assert not in_flight.done()
            response = await in_flight
        assert response.status_code == 200 and "errors" not in response.json()
        assert response.json()["data"]["customer"]["orgRoot"]["spending"] is not None
        assert process.wait(30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal it handled
        assert "Application shutdown complete" in "".join(p.read_text() for p in tmp_path.glob("server-*.log"))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


async def test_a_redis_that_hangs_is_waited_on_briefly_then_left_alone(running_billing):
    async with Blackhole() as hole:
        redis_url = f"redis://127.0.0.1:{hole.port}/0"
        async with served(**running_billing.urls, redis_url=redis_url, principal_cache_seconds=60) as http:
            for _ in range(6):
                response, body = await ask(http)
                assert response.status_code == 200 and "errors" not in body
            text_ = (await http.get("/metrics")).text
            tried = hole.connections
    # The first calls each waited out Redis's half-second timeout; after three failures its
    # breaker opened and the later sign-ins did not try Redis at all. The cost budgets do the
    # same with their own breaker, and meanwhile charge in process.
    # Each request's cache reads (sign-in, the org tree's generation) came back "unavailable".
    assert metric(text_, 'corpcare_cache_requests_total{result="unavailable"}') >= 6
    assert metric(text_, 'corpcare_cache_requests_total{result="hit"}') == 0
    assert metric(text_, "corpcare_throttle_fallbacks_total") == 6
    assert 2 <= tried <= 3 + 3
