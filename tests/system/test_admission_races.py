"""Many requests queued at once through the real app, some giving up (their client went away, or
their deadline passed) in the same turn of the event loop as turns are handed on: none is
answered 500, the ones handed a turn are served, and ``running`` and the queue (and their
gauges) are back to 0 afterwards.

The test takes the process's turns itself, so that every request queues, and ends them when it
chooses; the moments are the event loop's turns, not the clock's. The app runs in this process
behind ``httpx.ASGITransport``: cancelling a client's task cancels its request, as a client that
goes away does behind uvicorn."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx

from server.admission import ARRIVED, Admission
from server.app import create_app
from server.auth import issue_token
from tests.system.test_faults import metric
from tests.system.test_http import bearer, make_settings
from tests.waiting import PATIENCE, eventually, until, within

LINES = {"query": "{ subscribers(first: 2) { nodes { id } } }"}
TURNS, REQUESTS = 2, 16


@asynccontextmanager
async def queued_app(world: Any, arrived: float | None = None) -> AsyncIterator[tuple[httpx.AsyncClient, Admission]]:
    """The real app with ``TURNS`` turns and room in the queue for every request. Given
    ``arrived`` (on the loop's clock), each request arrives then, and the admission's clock stands
    still at the deadline of every request: a queued request's time-out fires on the loop's next
    turn, and none is ever expected to wait (no turn takes any time)."""
    app = create_app(make_settings(max_concurrent_requests=TURNS, max_queued_requests=4 * REQUESTS,
                                   max_queue_wait_seconds=10 * PATIENCE, request_timeout_seconds=10 * PATIENCE),
                     sources=world.sources)  # fmt: skip
    admission: Admission = app.state.admission
    if arrived is not None:
        deadline = arrived + admission.limits.wait_seconds
        admission.clock = lambda: deadline

    async def stamped(scope: Any, receive: Any, send: Any) -> None:
        if arrived is not None and scope["type"] == "http":
            scope[ARRIVED] = arrived
        await app(scope, receive, send)

    # An exception of the app is answered 500 by it, and seen here as that answer.
    transport = httpx.ASGITransport(app=stamped, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://corpcare.test", timeout=PATIENCE) as http:
        http.headers.update(bearer(issue_token(make_settings(), "acme.admin")))
        assert (await http.post("/graphql", json=LINES)).status_code == 200  # signed in, its sign-in cached
        yield http, admission


async def every_turn_taken(admission: Admission) -> list[AsyncExitStack]:
    """The process's turns, taken by the test; closing one hands it on."""
    turns = []
    for _ in range(TURNS):
        turn = AsyncExitStack()
        await turn.enter_async_context(admission.turn(admission._now() + 10 * PATIENCE))
        turns.append(turn)
    return turns


async def assert_back_to_zero(http: httpx.AsyncClient, admission: Admission) -> None:
    assert (admission.running, admission.queued, len(admission._queue)) == (0, 0, 0)
    metrics = (await http.get("/metrics")).text
    assert metric(metrics, "corpcare_admission_running ") == 0
    assert metric(metrics, "corpcare_admission_queued ") == 0


async def test_queued_requests_whose_clients_go_away_as_turns_are_handed_on_get_no_500_and_leave_no_count(world):
    async with queued_app(world) as (http, admission):
        turns = await every_turn_taken(admission)
        requests = [asyncio.create_task(http.post("/graphql", json=LINES)) for _ in range(REQUESTS)]
        await eventually(lambda: admission.queued == REQUESTS, "every request queued")
        # In one turn of the loop: every other client goes away, and the turns are handed on
        # before any of those requests has run again (their waiters are cancelled, still queued).
        gone = requests[::2]
        for request in gone:
            request.cancel()
        for turn in turns:
            await turn.aclose()
        answers = await within(asyncio.gather(*requests, return_exceptions=True))
        served = [a for a in answers if isinstance(a, httpx.Response)]
        assert [a.status_code for a in served] == [200] * (REQUESTS // 2), [a.text for a in served]
        assert all(isinstance(answers[requests.index(r)], asyncio.CancelledError) for r in gone)
        await assert_back_to_zero(http, admission)


async def test_queued_requests_whose_deadlines_pass_as_turns_are_handed_on_get_no_500_and_leave_no_count(world):
    async with queued_app(world, arrived=asyncio.get_running_loop().time()) as (http, admission):
        turns = await every_turn_taken(admission)
        requests = [asyncio.create_task(http.post("/graphql", json=LINES)) for _ in range(REQUESTS)]
        # The requests' waiters cancelled by their time-outs, their requests not run since: a turn is handed on now.
        await until(lambda: len(admission._queue) > admission.queued, "a deadline to pass in the queue", 100_000)
        await turns[0].aclose()
        answers = await within(asyncio.gather(*requests))
        codes = Counter(a.status_code for a in answers)
        assert set(codes) <= {200, 503} and codes[503] >= REQUESTS - 1, [a.text for a in answers]
        reasons = {a.json()["errors"][0]["extensions"]["reason"] for a in answers if a.status_code == 503}
        assert reasons == {"WAITED_TOO_LONG"}
        assert admission.running == 1  # the test's other turn, still held: none was lost or granted twice
        await turns[1].aclose()
        await assert_back_to_zero(http, admission)
