"""One company cannot hold the server from another (issue 13, findings 6 and 7): over HTTP through
the real app, each customer's heavy operations, operations and worker time are bounded per
process, and the excess is refused at once with 429 and Retry-After, while the other company is
served. Company A's operations are held mid-run by a fault on the CRM backend, released by events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from infra import telemetry
from infra.fair_share import FairShare
from server.app import create_app
from server.auth import issue_token
from sources.backend import Backend
from tests.system.in_process_socket import socket_exchange
from tests.system.test_http import bearer, make_settings

HEAVY = {"query": "query Lines { subscribers(first: 10) { nodes { id orgUnit { id } } } }"}
LIGHT = {"query": "query Me { viewer { login } }"}
SHARE = {"heavy_operation_cost": 5, "max_heavy_operations_per_customer": 2, "max_operations_per_customer": 3}


@dataclass
class HeldCrm:
    """A fault on the CRM backend: while ``holding``, each operation of ``customer`` that reads the
    CRM waits for ``release`` (after saying so on ``entered``); ``on_read`` runs for every read."""

    backend: Backend
    customer: int
    holding: bool = False
    entered: asyncio.Queue[int] = field(default_factory=asyncio.Queue)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    on_read: Callable[[int | None], None] = lambda customer: None
    _seen: set[str] = field(default_factory=set)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        # Both ways a read takes a connection: through SQLAlchemy, and lent as it is (a read learned).
        for name in ("read", "lend"):
            monkeypatch.setattr(self.backend, name, self._held(getattr(self.backend, name)))

    def _held(self, original: Callable[..., Any]) -> Callable[..., Any]:
        def read(**kwargs: Any) -> Any:
            @asynccontextmanager
            async def held() -> AsyncIterator[Any]:
                stats = telemetry.current.get()
                # Only inside GraphQL execution (the sign-in reads the CRM too), once per request.
                if stats is not None and stats.operation_type is not None and stats.request_id not in self._seen:
                    self._seen.add(stats.request_id)
                    self.on_read(stats.customer)
                    if self.holding and stats.customer == self.customer:
                        self.entered.put_nowait(stats.customer)
                        await self.release.wait()
                async with original(**kwargs) as conn:
                    yield conn

            return held()

        return read


@asynccontextmanager
async def two_companies(world: Any, **share: Any) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient, Any]]:
    settings = make_settings(**share)
    app = create_app(settings, sources=world.sources)
    transport = httpx.ASGITransport(app=app)
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as acme,
        httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as borealis,
    ):
        acme.headers.update(bearer(issue_token(settings, "acme.admin")))
        borealis.headers.update(bearer(issue_token(settings, "borealis.admin")))
        for http in (acme, borealis):  # signed in (and the sign-in cached) before any fault
            assert (await http.post("/graphql", json=LIGHT)).status_code == 200
        yield acme, borealis, app


async def customer_of(world: Any, login: str) -> int:
    return int(await world.scalar("crm", f"select customer_id from portal_users where login = '{login}'"))


async def acme_held(
    world: Any, monkeypatch: pytest.MonkeyPatch, acme: httpx.AsyncClient, count: int
) -> tuple[HeldCrm, list[asyncio.Task[httpx.Response]]]:
    """``count`` of acme's heavy operations, each running and held inside the CRM until released."""
    held = HeldCrm(world.sources.crm.backend, await customer_of(world, "acme.admin"), holding=True)
    held.install(monkeypatch)
    running = [asyncio.create_task(acme.post("/graphql", json=HEAVY)) for _ in range(count)]
    for _ in running:
        await held.entered.get()
    return held, running


async def refused_before_it_runs(held: HeldCrm, request: asyncio.Task[httpx.Response]) -> httpx.Response:
    """The answer to ``request``; the test fails if the request got as far as the held CRM."""
    entering = asyncio.ensure_future(held.entered.get())
    done, _ = await asyncio.wait({request, entering}, return_when=asyncio.FIRST_COMPLETED)
    if entering in done:
        held.release.set()
        await request
        pytest.fail("the request over the customer's limit was run (and queued behind the others), not refused")
    entering.cancel()
    return request.result()


def rate_limited(response: httpx.Response, reason: str) -> dict[str, Any]:
    assert response.status_code == 429, response.text
    body = response.json()
    assert body["data"] is None and [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"]
    extensions: dict[str, Any] = body["errors"][0]["extensions"]
    assert extensions["reason"] == reason
    assert int(response.headers["retry-after"]) >= 1
    return extensions


async def test_a_company_at_its_heavy_limit_gets_429_while_another_company_is_served(world, monkeypatch):
    async with two_companies(world, **SHARE) as (acme, borealis, _):
        held, running = await acme_held(world, monkeypatch, acme, 2)

        extra = asyncio.create_task(acme.post("/graphql", json=HEAVY))
        rate_limited(await refused_before_it_runs(held, extra), "HEAVY_CONCURRENCY")
        other = await borealis.post("/graphql", json=HEAVY)
        assert other.status_code == 200 and "errors" not in other.json()

        held.release.set()
        for response in await asyncio.gather(*running):
            assert response.status_code == 200 and "errors" not in response.json()
        assert (await acme.post("/graphql", json=HEAVY)).status_code == 200  # its places are free again


async def test_a_company_at_its_operation_limit_gets_429_for_any_further_operation(world, monkeypatch):
    async with two_companies(world, **{**SHARE, "heavy_operation_cost": 100_000}) as (acme, borealis, _):
        held, running = await acme_held(world, monkeypatch, acme, 3)
        extra = asyncio.create_task(acme.post("/graphql", json=HEAVY))
        rate_limited(await refused_before_it_runs(held, extra), "CONCURRENCY")
        assert (await borealis.post("/graphql", json=HEAVY)).status_code == 200
        held.release.set()
        assert all(r.status_code == 200 for r in await asyncio.gather(*running))


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_a_company_that_took_more_than_its_share_of_worker_time_waits_for_heavy_work(world, monkeypatch):
    async with two_companies(world, **SHARE) as (acme, borealis, app):
        clock = Clock()
        endpoint = next(route for route in app.routes if getattr(route, "path", None) == "/graphql").endpoint
        endpoint.fair_share = FairShare(endpoint.fair_share.limits, clock)  # the default window: 10 s
        acme_id = await customer_of(world, "acme.admin")
        # Each of acme's operations takes 8 s of the server's time, each of borealis's 1 s.
        seconds = {acme_id: 8.0}

        def elapse(customer: int | None) -> None:
            clock.now += seconds.get(customer or 0, 1.0)

        held = HeldCrm(world.sources.crm.backend, acme_id, on_read=elapse)
        held.install(monkeypatch)
        assert (await acme.post("/graphql", json=HEAVY)).status_code == 200
        assert (await borealis.post("/graphql", json=HEAVY)).status_code == 200

        # 8 s of the last 10 while borealis was active too: more than its half.
        refused = rate_limited(await acme.post("/graphql", json=HEAVY), "TIME_SHARE")
        assert refused["retryAfterSeconds"] == 3
        assert (await acme.post("/graphql", json=LIGHT)).status_code == 200  # light work still goes
        assert (await borealis.post("/graphql", json=HEAVY)).status_code == 200

        clock.now += 10  # its share recovered: heavy work goes again
        assert (await acme.post("/graphql", json=HEAVY)).status_code == 200


async def test_a_query_sent_over_a_websocket_is_gated_like_one_sent_over_http(world, monkeypatch):
    async with two_companies(world, **SHARE) as (acme, _, app):
        held, running = await acme_held(world, monkeypatch, acme, 2)

        token = issue_token(make_settings(), "acme.admin")
        init = {"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}
        over_socket = asyncio.create_task(
            socket_exchange(app, [init, {"id": "1", "type": "subscribe", "payload": HEAVY}], "complete")
        )
        received = await refused_before_it_runs(held, over_socket)  # type: ignore[arg-type]
        [answer] = [m for m in received if m["type"] == "next"]
        assert answer["payload"]["data"] is None
        [error] = answer["payload"]["errors"]
        assert (error["extensions"]["code"], error["extensions"]["reason"]) == ("RATE_LIMITED", "HEAVY_CONCURRENCY")
        held.release.set()
        assert all(r.status_code == 200 for r in await asyncio.gather(*running))


async def test_a_csv_export_takes_one_of_its_companys_places_and_gives_it_back(world, monkeypatch):
    export = "/reports/spending.csv?from=2026-01&to=2026-03&groupBy=ORG_UNIT,MONTH"
    async with two_companies(world, **SHARE) as (acme, borealis, _):
        held, running = await acme_held(world, monkeypatch, acme, 2)
        refused = await acme.get(export)
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
        assert refused.json()["errors"][0]["extensions"]["reason"] == "HEAVY_CONCURRENCY"
        assert (await borealis.get(export)).status_code == 200
        held.release.set()
        assert all(r.status_code == 200 for r in await asyncio.gather(*running))
        held.holding = False
        # Each finished export gave its place back: more than the limit of them, one after another.
        for _ in range(SHARE["max_heavy_operations_per_customer"] + 1):
            assert (await acme.get(export)).status_code == 200


async def test_a_company_alone_may_run_heavy_work_side_by_side_for_longer_than_the_window(world, monkeypatch):
    """Its operations' time adds up past the window while nobody else is active: not refused for
    it; once another company is active, the share holds it back again."""
    async with two_companies(world, **SHARE) as (acme, borealis, app):
        clock = Clock()
        endpoint = next(route for route in app.routes if getattr(route, "path", None) == "/graphql").endpoint
        endpoint.fair_share = FairShare(endpoint.fair_share.limits, clock)  # the default window: 10 s
        held, running = await acme_held(world, monkeypatch, acme, 2)
        clock.now += 8  # both ran 8 s: 16 s of the server's last 10
        held.release.set()
        assert [r.status_code for r in await asyncio.gather(*running)] == [200, 200]
        held.holding = False
        alone = await acme.post("/graphql", json=HEAVY)
        assert alone.status_code == 200 and "errors" not in alone.json(), alone.text

        assert (await borealis.post("/graphql", json=LIGHT)).status_code == 200  # now borealis is active
        rate_limited(await acme.post("/graphql", json=HEAVY), "TIME_SHARE")
        assert (await borealis.post("/graphql", json=HEAVY)).status_code == 200
