"""Past capacity: a bounded number of requests run at once per process, a bounded number wait,
and the excess is shed at once (503 ``OVERLOADED``, ``Retry-After``) while health, readiness and
metrics still answer; the time limit counts from arrival; and a request whose client went away
is cancelled and logged as a disconnect, never as a 500.

Executions are held by a fault-injected CRM source that waits on an event, so nothing here
depends on how fast the machine is. The app is served by uvicorn over a real socket in this
process (the events are the test's own)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from core.ids import to_global_id
from server.admission import ARRIVED, Admission, AdmissionLimits, Shed
from server.app import create_app
from server.auth import issue_token
from sources.crm.source import CrmSource
from tests.api.lines.test_reserved_keys import BUDGET
from tests.api.lines.test_reserved_keys import HeldWriter as HeldBudgets
from tests.system.test_faults import metric
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually, within

LINES = {"query": "{ subscribers(first: 2) { nodes { id } } }"}


class Held:
    """The executions the test holds: each subscriber list waits until ``opened``."""

    def __init__(self) -> None:
        self.entered = 0
        self.opened = asyncio.Event()
        self.cancelled = asyncio.Event()

    def source(self, crm: CrmSource) -> CrmSource:
        held = self

        class HeldCrm(CrmSource):
            async def subscriber_page(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
                held.entered += 1
                try:
                    await held.opened.wait()
                except asyncio.CancelledError:
                    held.cancelled.set()
                    raise
                return await super().subscriber_page(*args, **kwargs)

        return HeldCrm(crm.backend)


@asynccontextmanager
async def served(app: ASGIApp) -> AsyncIterator[str]:
    """``app`` behind uvicorn on a real socket of this process; its base URL."""
    # The bound on shutdown only ends a test whose held request was never let go (or cancelled).
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off",
                            timeout_graceful_shutdown=int(PATIENCE))  # fmt: skip
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, "the server to start")
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        await task


def held_app(world: Any, held: Held, **settings: Any) -> Any:
    sources = replace(world.sources, crm=held.source(world.sources.crm))
    return create_app(make_settings(**settings), sources=sources)


async def test_past_capacity_the_excess_is_shed_at_once_and_the_admitted_are_answered(world):
    held = Held()
    # Waits longer than the test could: only the queue's length sheds here.
    app = held_app(world, held, max_concurrent_requests=2, max_queued_requests=2,
                   max_queue_wait_seconds=10 * PATIENCE, request_timeout_seconds=10 * PATIENCE)  # fmt: skip
    acme = bearer(issue_token(make_settings(), "acme.admin"))
    borealis = bearer(issue_token(make_settings(), "borealis.admin"))
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=2 * PATIENCE) as http:

        def post(token: dict[str, str]) -> asyncio.Task[httpx.Response]:
            return asyncio.create_task(http.post("/graphql", json=LINES, headers=token))

        admitted = [post(acme), post(acme)]
        await eventually(lambda: held.entered == 2, "two requests running")
        admitted.append(post(acme))
        await eventually(lambda: app.state.admission.queued == 1, "Acme's request queued")
        # Acme holds its half of the queue: its next request is its own excess (429), at once.
        over_share = await within(http.post("/graphql", json=LINES, headers=acme))
        admitted.append(post(borealis))  # Borealis still finds room
        await eventually(lambda: app.state.admission.queued == 2, "Borealis's request queued")
        shed = await within(http.post("/graphql", json=LINES, headers=borealis))

        # Both answered while every admitted request is still held: refused at once, not queued.
        assert not held.opened.is_set() and held.entered == 2
        assert over_share.status_code == 429, over_share.text
        assert over_share.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
        assert over_share.json()["errors"][0]["extensions"]["reason"] == "QUEUE_SHARE"
        assert int(over_share.headers["retry-after"]) >= 1
        assert shed.status_code == 503, shed.text
        retry = int(shed.headers["retry-after"])
        assert retry >= 1
        assert shed.json() == {"data": None, "errors": [{
            "message": f"The server is at capacity; try again in {retry} s.",
            "extensions": {"code": "OVERLOADED", "reason": "QUEUE_FULL", "retryAfterSeconds": retry}}]}  # fmt: skip
        assert shed.headers["x-content-type-options"] == "nosniff"  # an answer of the app like any other
        for path in ("/healthz", "/readyz", "/metrics"):  # never shed
            assert (await within(http.get(path))).status_code == 200, path
        metrics = (await http.get("/metrics")).text
        assert metric(metrics, 'corpcare_shed_requests_total{reason="QUEUE_FULL"}') == 1
        assert metric(metrics, 'corpcare_shed_requests_total{reason="QUEUE_SHARE"}') == 1
        assert metric(metrics, "corpcare_admission_queued ") == 2

        held.opened.set()
        answers = await within(asyncio.gather(*admitted))
    for answer in answers:
        assert answer.status_code == 200 and len(answer.json()["data"]["subscribers"]["nodes"]) == 2, answer.text


async def test_a_request_that_cannot_start_before_its_deadline_is_shed_at_once_and_the_queue_keeps_its_order():
    now = [0.0]
    admission = Admission(AdmissionLimits(running=2, queued=10, wait_seconds=5.0), clock=lambda: now[0])
    async with admission.turn(deadline=5.0):
        now[0] += 4.0  # a turn takes 4 s
    release = asyncio.Event()
    order: list[int] = []

    async def request(number: int) -> None:
        async with admission.turn(deadline=now[0] + 5.0):
            order.append(number)
            await release.wait()

    running = [asyncio.create_task(request(n)) for n in (1, 2)]
    await eventually(lambda: admission.running == 2, "two turns taken")
    # Two turns free up every 4 s: the first in the queue waits 2 s, the second 4 s; both within 5 s.
    queued = [asyncio.create_task(request(n)) for n in (3, 4)]
    await eventually(lambda: admission.queued == 2, "two requests queued")
    # The third would wait 6 s: more than its 5 s, so it is told at once, and when to come back.
    with pytest.raises(Shed) as shed:
        async with admission.turn(deadline=now[0] + 5.0):
            raise AssertionError("admitted past its deadline")
    assert (shed.value.reason, shed.value.retry_after) == ("WAIT_TOO_LONG", 6)
    release.set()
    await within(asyncio.gather(*running, *queued))
    assert order == [1, 2, 3, 4] and admission.running == 0 and admission.queued == 0


async def test_a_request_whose_deadline_passes_in_the_queue_is_shed_and_leaves_it():
    admission = Admission(AdmissionLimits(running=1, queued=10, wait_seconds=5.0))
    loop = asyncio.get_running_loop()
    release = asyncio.Event()

    async def holder() -> None:
        async with admission.turn(deadline=loop.time() + PATIENCE):
            await release.wait()

    held = asyncio.create_task(holder())
    await eventually(lambda: admission.running == 1, "the turn taken")
    with pytest.raises(Shed) as shed:  # the only turn is held until after this: the deadline always passes first
        async with admission.turn(deadline=loop.time() + 0.05):
            raise AssertionError("admitted while the only turn was held")
    assert shed.value.reason == "WAITED_TOO_LONG" and admission.queued == 0
    release.set()
    await within(held)
    assert admission.running == 0


def arrived_long_ago(app: ASGIApp, seconds: float) -> Callable[[Scope, Receive, Send], Any]:
    """``app`` behind a layer that saw each request arrive ``seconds`` ago (as a slow sign-in,
    body or queue would have made it)."""

    async def earlier(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope[ARRIVED] = asyncio.get_running_loop().time() - seconds
        await app(scope, receive, send)

    return earlier


async def test_the_request_time_limit_counts_from_arrival_not_from_the_start_of_execution(world):
    held = Held()  # never opened: the request stops at its limit, never between a connection and its pool
    app = held_app(world, held, request_timeout_seconds=10 * PATIENCE)
    token = bearer(issue_token(make_settings(), "acme.admin"))
    transport = httpx.ASGITransport(app=arrived_long_ago(app, 10 * PATIENCE))
    async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test") as http:
        response = await within(http.post("/graphql", json=LINES, headers=token))
    assert response.status_code == 503 and response.headers["retry-after"] == "1"
    assert response.json()["errors"][0]["extensions"] == {"code": "TIMEOUT"}
    assert "from its arrival" in response.json()["errors"][0]["message"]


def raw_request(request_id: str) -> bytes:
    """A GraphQL request as the client writes it on its socket."""
    body = httpx.Request("POST", "/", json=LINES).read()
    token = issue_token(make_settings(), "acme.admin")
    return (
        f"POST /graphql HTTP/1.1\r\nhost: corpcare.test\r\nauthorization: Bearer {token}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\nx-request-id: {request_id}\r\n\r\n"
    ).encode() + body


async def sent(base: str, request: bytes) -> asyncio.StreamWriter:
    _, writer = await asyncio.open_connection("127.0.0.1", int(base.rsplit(":", 1)[1]))
    writer.write(request)
    await writer.drain()
    return writer


def disconnects(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage().startswith("client disconnected")]


async def test_a_client_that_goes_away_has_its_request_cancelled_and_logged_as_a_disconnect(world, caplog):
    held = Held()
    app = held_app(world, held, request_timeout_seconds=10 * PATIENCE)  # only the disconnect can stop it
    caplog.set_level(logging.INFO)
    async with served(app) as base:
        writer = await sent(base, raw_request("gone-1"))
        await eventually(lambda: held.entered == 1, "the request to run")
        writer.close()  # the client gives up
        await writer.wait_closed()
        await within(held.cancelled.wait())  # the execution was stopped, not left to finish
        await eventually(lambda: app.state.admission.running == 0, "the turn handed back")
        async with httpx.AsyncClient(base_url=base) as http:
            metrics = (await http.get("/metrics")).text
    gone = disconnects(caplog)
    assert len(gone) == 1 and gone[0].levelno == logging.INFO and gone[0].request_id == "gone-1", caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert not [r for r in caplog.records if getattr(r, "status", None) == 500], caplog.text
    assert "Traceback" not in caplog.text
    assert metric(metrics, 'corpcare_requests_total{operation_type="query",outcome="disconnected"}') == 1
    assert metric(metrics, "corpcare_client_disconnects_total") == 1
    assert not held.opened.is_set()


@pytest.mark.executed_once
async def test_a_queued_request_whose_client_goes_away_leaves_the_queue(world, caplog):
    held = Held()
    app = held_app(world, held, max_concurrent_requests=1, max_queue_wait_seconds=10 * PATIENCE,
                   request_timeout_seconds=10 * PATIENCE)  # fmt: skip
    token = bearer(issue_token(make_settings(), "acme.admin"))
    caplog.set_level(logging.INFO)
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=2 * PATIENCE) as http:
        running = asyncio.create_task(http.post("/graphql", json=LINES, headers=token))
        await eventually(lambda: held.entered == 1, "the first request to run")
        writer = await sent(base, raw_request("gone-2"))
        await eventually(lambda: app.state.admission.queued == 1, "the second request to queue")
        writer.close()
        await writer.wait_closed()
        await eventually(lambda: app.state.admission.queued == 0, "the queue to empty")
        assert [r.request_id for r in disconnects(caplog)] == ["gone-2"]  # type: ignore[attr-defined]
        held.opened.set()
        answer = await within(running)
    assert answer.status_code == 200 and held.entered == 1  # the request that left never ran


async def test_a_copy_waiting_for_its_keys_first_answer_gives_its_turn_to_the_next_request(writable_world):
    """Copies of one change sent with one key wait for the first answer; they hold no turn while
    they wait, so other requests are still served (else 20 copies would fill every turn)."""
    world = writable_world
    writer = HeldBudgets(world.sources.crm_writer)
    sources = replace(world.sources, crm_writer=writer)
    app = create_app(make_settings(max_concurrent_requests=2, request_timeout_seconds=10 * PATIENCE,
                                   max_queue_wait_seconds=10 * PATIENCE), sources=sources)  # fmt: skip
    acme = bearer(issue_token(make_settings(), "acme.admin"))
    borealis = bearer(issue_token(make_settings(), "borealis.admin"))
    unit = await world.scalar("crm", "select id from org_units where name = 'Sales'")
    change = {
        "query": BUDGET,
        "variables": {
            "input": {"orgUnit": to_global_id("OrgUnit", unit), "monthlyBudget": "4321.00", "idempotencyKey": "k-aside"}
        },
    }
    async with served(app) as base, httpx.AsyncClient(base_url=base, timeout=2 * PATIENCE) as http:
        first = asyncio.create_task(http.post("/graphql", json=change, headers=acme))
        await within(writer.entered.wait())
        copies = [asyncio.create_task(http.post("/graphql", json=change, headers=acme)) for _ in range(3)]
        await eventually(lambda: app.state.admission.running == 1, "the copies to give their turns away")
        other = await within(http.post("/graphql", json=LINES, headers=borealis))
        assert other.status_code == 200 and "errors" not in other.json(), other.text
        writer.go.set()
        answers = [(await within(task)).json() for task in (first, *copies)]
    assert all(answer["data"] == answers[0]["data"] for answer in answers), answers
    assert answers[0]["data"]["orgUnitSetBudget"]["userErrors"] == []
