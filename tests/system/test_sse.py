"""GraphQL over Server-Sent Events (the graphql-sse protocol) at /graphql/stream, over real HTTP
to the app behind uvicorn: both modes, sign-in, field rules in each event, the persisted-query
rules, a caller's limit, a token that runs out, and a client that leaves freeing its subscription."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
import pytest

from core.ids import to_global_id
from request import context as context_module
from server import event_stream, sse
from server.app import create_app
from server.auth import issue_token
from sources.billing.live import alerts_channel
from sources.crm.models import Subscriber
from tests.api.subscriptions.test_live_usage import alert_about, line_of
from tests.system.test_http import assert_unauthenticated, bearer, make_settings
from tests.system.test_http_limits import real_server
from tests.waiting import PATIENCE, eventually, within

STREAM = "/graphql/stream"
EVENTS = {"Accept": "text/event-stream"}
# Finance reads lines but not the people behind them: the number is FORBIDDEN in each alert.
ALERTS = "subscription { spendingAlerts { subject threshold line { id msisdn } } }"
BALANCES = "subscription($line: ID!) { bundleUpdates(subscriber: $line) { kind used remaining } }"
# A token's life: long enough to be signed in with on a busy machine, short enough to run out in the
# test. Its expiry is a whole second, so it lasts a second less at worst: 3 s left as little as 2 s
# for the server to start, the stream to sign in and the first event to be heard before it ran out.
SHORT_TTL = 10


def signed_in(login: str, **headers: str) -> dict[str, str]:
    return bearer(issue_token(make_settings(), login)) | headers


@asynccontextmanager
async def served(world: Any, **settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(make_settings(**settings), sources=world.sources)
    async with (
        real_server(app) as port,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=PATIENCE) as http,
    ):
        http.app = app  # type: ignore[attr-defined]
        yield http


def operation(query: str, op_id: str | None = None, **variables: Any) -> dict[str, Any]:
    """A GraphQL request's body; with ``op_id``, for a reserved stream."""
    return {"query": query, "variables": variables, "extensions": {"operationId": op_id} if op_id else {}}


def streamed(http: httpx.AsyncClient, login: str, query: str) -> Any:
    """A stream of one operation (distinct connections mode), as ``login``."""
    return http.stream("POST", STREAM, json=operation(query), headers=signed_in(login, **EVENTS))


class Events:
    """The events of one text/event-stream response, parsed as the graphql-sse client does."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def next(self) -> tuple[str, Any]:
        """The next event and its data (keep-alive comments skipped); ("end", None) when the stream ends."""
        event, data = None, ""
        async for line in self.lines:
            if line.startswith(":"):
                continue
            if not line:
                if event is not None:
                    return event, orjson.loads(data) if data else None
                continue
            field, _, value = line.partition(":")
            if field == "event":
                event = value.strip()
            elif field == "data":
                data += value.strip()
        return "end", None

    async def until_end(self) -> list[tuple[str, Any]]:
        seen = [await within(self.next())]
        while seen[-1][0] != "end":
            seen.append(await within(self.next()))
        return seen[:-1]


def running(http: httpx.AsyncClient) -> int:
    return sum(http.app.state.event_streams.running.values())  # type: ignore[attr-defined]


def codes(payload: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in payload.get("errors") or ()]


async def test_a_stream_needs_a_valid_bearer_token_and_is_never_opened_without_one(world):
    app = create_app(make_settings(), sources=world.sources)
    expired = bearer(issue_token(make_settings(), "acme.finance", ttl_seconds=-60))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://corpcare.test") as http:
        refused = [
            await http.post(STREAM, json={"query": ALERTS}, headers=EVENTS),
            await http.post(STREAM, json={"query": ALERTS}, headers=EVENTS | expired),
            await http.put(STREAM),
            await http.put(STREAM, headers=expired),
        ]
    for response in refused:
        assert_unauthenticated(response)
        assert response.headers["content-type"].startswith("application/json")


async def test_distinct_connections_stream_each_alert_with_forbidden_fields_and_free_the_listener_on_leaving(world):
    alert = await alert_about(world, "line", Subscriber.id == await line_of(world, "acme.employee"))
    channel = alerts_channel(alert.customer_id)
    bus = world.sources.events
    before = bus.listeners(channel)
    async with served(world) as http:
        async with streamed(http, "acme.finance", ALERTS) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = Events(response)
            await eventually(lambda: bus.listeners(channel) == before + 1, "the stream to listen")
            assert running(http) == 1
            await bus.publish(channel, alert.encode())
            event, payload = await within(events.next())
        # The client went away: its subscription stops listening, and counts no more.
        await eventually(lambda: bus.listeners(channel) == before and running(http) == 0, "the listener to go")
        metrics = (await http.get("/metrics")).text
    assert event == "next"
    line = {"id": to_global_id("Subscriber", alert.line_id), "msisdn": None}
    assert payload["data"]["spendingAlerts"]["line"] == line
    [forbidden] = payload["errors"]
    assert forbidden["extensions"]["code"] == "FORBIDDEN" and forbidden["path"] == ["spendingAlerts", "line", "msisdn"]
    assert "corpcare_sse_operations 0.0" in metrics


async def test_distinct_connections_answer_queries_and_request_errors_as_events_then_complete(world):
    async with served(world) as http:
        answers = []
        for query in (
            "{ viewer { login } }",
            "subscription { spendingAlerts { noSuchField } }",
            "subscription { spendingAlerts { ",
        ):
            async with streamed(http, "acme.admin", query) as response:
                assert response.status_code == 200
                answers.append(await Events(response).until_end())
        viewer = {"query": "{ viewer { login } }"}
        over_get = await http.get(STREAM, params=viewer, headers=signed_in("acme.admin", **EVENTS))
    [(kind, answer), (end, nothing)] = answers[0]
    assert (kind, answer["data"], end, nothing) == ("next", {"viewer": {"login": "acme.admin"}}, "complete", None)
    assert answer["extensions"]["cost"]["actualQueryCost"] == 1  # charged as over /graphql
    assert [(kind, codes(payload or {})) for kind, payload in answers[1]] == [
        ("next", ["GRAPHQL_VALIDATION_FAILED"]), ("complete", [])]  # fmt: skip
    assert [(kind, codes(payload or {})) for kind, payload in answers[2]] == [
        ("next", ["GRAPHQL_PARSE_FAILED"]), ("complete", [])]  # fmt: skip
    assert over_get.status_code == 200 and '"login":"acme.admin"' in over_get.text


async def test_single_connection_mode_runs_operations_on_one_reserved_stream(world):
    line = to_global_id("Subscriber", await line_of(world, "acme.employee"))
    me = signed_in("acme.employee")
    async with served(world) as http:
        reserved = await http.put(STREAM, headers=me)
        assert reserved.status_code == 201 and reserved.headers["content-type"].startswith("text/plain")
        ticket = {sse.TOKEN_HEADER: reserved.text}
        async with http.stream("GET", STREAM, headers=me | ticket | EVENTS) as response:
            assert response.status_code == 200
            events = Events(response)
            second = await http.get(STREAM, headers=me | ticket | EVENTS)
            posted = await http.post(STREAM, json=operation(BALANCES, "b", line=line), headers=me | ticket)
            first = await within(events.next())
            query = await http.post(STREAM, json=operation("{ viewer { login } }", "q"), headers=me | ticket)
            answered = [await within(events.next()), await within(events.next())]
            again = await http.post(STREAM, json=operation(BALANCES, "b", line=line), headers=me | ticket)
            unnamed = await http.post(STREAM, json=operation(BALANCES, line=line), headers=me | ticket)
            broken = await http.post(STREAM, json=operation("{", "x"), headers=me | ticket)
            theirs = await http.post(STREAM, json=operation("{ viewer { login } }", "t"),
                                     headers=signed_in("acme.admin") | ticket)  # fmt: skip
            assert running(http) == 1
            stopped = await http.delete(STREAM, params={"operationId": "b"}, headers=me | ticket)
            complete = await within(events.next())
            await eventually(lambda: running(http) == 0, "the stopped operation to end")
        streams = http.app.state.event_streams  # type: ignore[attr-defined]
        await eventually(lambda: not streams.reserved, "the closed stream's reservation to go")
        after = await http.post(STREAM, json=operation("{ viewer { login } }", "z"), headers=me | ticket)
    assert (second.status_code, codes(second.json())) == (409, ["CONFLICT"])
    assert posted.status_code == 202 and query.status_code == 202 and stopped.status_code == 200
    assert first[0] == "next" and first[1]["id"] == "b" and first[1]["payload"]["data"]["bundleUpdates"]
    [(kind, answer), end] = answered
    assert (kind, answer["id"], answer["payload"]["data"]) == ("next", "q", {"viewer": {"login": "acme.employee"}})
    assert end == ("complete", {"id": "q"})
    assert complete == ("complete", {"id": "b"})
    assert (again.status_code, codes(again.json())) == (409, ["CONFLICT"])
    assert (unnamed.status_code, codes(unnamed.json())) == (400, ["BAD_REQUEST"])
    assert (broken.status_code, codes(broken.json())) == (400, ["GRAPHQL_PARSE_FAILED"])
    # Another caller cannot use the token; once its stream closed, nobody can.
    assert (theirs.status_code, codes(theirs.json())) == (404, ["NOT_FOUND"])
    assert (after.status_code, codes(after.json())) == (404, ["NOT_FOUND"])


async def test_a_stream_whose_token_runs_out_ends_with_unauthenticated_then_complete(world, monkeypatch):
    monkeypatch.setattr(context_module, "RECHECK_SECONDS", 0)  # ask at every event
    alert = await alert_about(world, "line", Subscriber.id == await line_of(world, "acme.employee"))
    short = bearer(issue_token(make_settings(), "acme.finance", ttl_seconds=SHORT_TTL))
    bus = world.sources.events
    channel = alerts_channel(alert.customer_id)
    before = bus.listeners(channel)
    seen: list[tuple[str, Any]] = []
    async with served(world) as http:
        async with http.stream("POST", STREAM, json=operation(ALERTS), headers=short | EVENTS) as response:
            events = Events(response)
            await eventually(lambda: bus.listeners(channel) == before + 1, "the stream to listen")
            async with asyncio.timeout(PATIENCE):  # a bound on a token that never runs out, never a wait
                while not seen or seen[-1][0] != "end":
                    await bus.publish(channel, alert.encode())  # events, until the token has run out
                    seen.append(await within(events.next()))
                    await asyncio.sleep(0.05)  # pacing only: each event is awaited above
        await eventually(lambda: bus.listeners(channel) == before and running(http) == 0, "the listener to go")
    *heard, (signed_out, error), (complete, nothing), _ = seen
    assert heard and all(kind == "next" and codes(payload) == ["FORBIDDEN"] for kind, payload in heard)
    assert (signed_out, codes(error), complete, nothing) == ("next", ["UNAUTHENTICATED"], "complete", None)
    assert "expired" in error["errors"][0]["message"]


async def test_with_no_events_a_token_that_runs_out_is_found_at_a_keep_alive_and_ends_the_stream(world, monkeypatch):
    monkeypatch.setattr(context_module, "RECHECK_SECONDS", 0)
    monkeypatch.setattr(event_stream, "PING_SECONDS", 0.05)  # keep-alives come often; no alert ever does
    short = bearer(issue_token(make_settings(), "acme.finance", ttl_seconds=SHORT_TTL))
    async with served(world) as http:
        async with http.stream("POST", STREAM, json=operation(ALERTS), headers=short | EVENTS) as response:
            seen = await Events(response).until_end()
        await eventually(lambda: running(http) == 0, "the operation to end")
    [(signed_out, error), (complete, nothing)] = seen
    assert (signed_out, codes(error), complete, nothing) == ("next", ["UNAUTHENTICATED"], "complete", None)


async def test_in_single_connection_mode_a_token_that_runs_out_ends_every_operation_and_the_stream(world, monkeypatch):
    monkeypatch.setattr(context_module, "RECHECK_SECONDS", 0)  # ask at every event
    alert = await alert_about(world, "line", Subscriber.id == await line_of(world, "acme.employee"))
    short = bearer(issue_token(make_settings(), "acme.finance", ttl_seconds=SHORT_TTL))
    bus = world.sources.events
    channel = alerts_channel(alert.customer_id)
    before = bus.listeners(channel)
    seen: list[tuple[str, Any]] = []
    async with served(world) as http:
        ticket = {sse.TOKEN_HEADER: (await http.put(STREAM, headers=short)).text}
        async with http.stream("GET", STREAM, headers=short | ticket | EVENTS) as response:
            events = Events(response)
            accepted = [(await http.post(STREAM, json=operation(ALERTS, id), headers=short | ticket)).status_code
                        for id in ("a", "b")]  # fmt: skip
            await eventually(lambda: bus.listeners(channel) == before + 2, "both operations to listen")
            async with asyncio.timeout(PATIENCE):  # a bound on a token that never runs out, never a wait
                while not seen or seen[-1][0] != "end":
                    await bus.publish(channel, alert.encode())  # events, until the token has run out
                    seen.append(await within(events.next()))
                    await asyncio.sleep(0.05)  # pacing only: each event is awaited above
        await eventually(lambda: bus.listeners(channel) == before and running(http) == 0, "the listeners to go")
        streams = http.app.state.event_streams  # type: ignore[attr-defined]
        assert not streams.reserved  # the reservation went with its stream
    assert accepted == [202, 202]
    told = [(kind, data["id"], codes(data.get("payload") or {})) for kind, data in seen[:-1]]
    heard = [each for each in told if each[2] == ["FORBIDDEN"]]
    ends = [each for each in told if each[2] != ["FORBIDDEN"]]
    assert heard and all(kind == "next" for kind, _, _ in heard)
    for id in ("a", "b"):
        assert [(kind, got) for kind, each, got in ends if each == id] == [
            ("next", ["UNAUTHENTICATED"]), ("complete", [])]  # fmt: skip
    assert told[-len(ends) :] == ends  # nothing after them: the stream then ended


async def test_past_its_limit_a_caller_is_refused_at_once_with_429(world, monkeypatch):
    monkeypatch.setattr(sse, "MAX_OPEN", 1)
    async with served(world) as http, streamed(http, "acme.finance", ALERTS):
        await eventually(lambda: running(http) == 1, "the first stream to run")
        refused = await http.post(STREAM, json=operation(ALERTS), headers=signed_in("acme.finance", **EVENTS))
        another = await http.put(STREAM, headers=signed_in("acme.finance"))
        second_reservation = await http.put(STREAM, headers=signed_in("acme.finance"))
    assert refused.status_code == 429 and refused.headers["retry-after"] == "1"
    [error] = refused.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "reason": "SUBSCRIPTIONS", "retryAfterSeconds": 1}
    assert another.status_code == 201 and second_reservation.status_code == 429


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
async def test_in_safelist_mode_only_registered_operations_stream(world):
    async with served(world, persisted_queries="safelist") as http:
        async with streamed(http, "acme.finance", ALERTS) as response:
            answered = await Events(response).until_end()
        me = signed_in("acme.finance")
        ticket = {sse.TOKEN_HEADER: (await http.put(STREAM, headers=me)).text}
        posted = await http.post(
            STREAM, json={"query": ALERTS, "extensions": {"operationId": "a"}}, headers=me | ticket
        )
    assert [(kind, codes(payload or {})) for kind, payload in answered] == [
        ("next", ["PERSISTED_QUERY_NOT_ALLOWED"]), ("complete", [])]  # fmt: skip
    assert (posted.status_code, codes(posted.json())) == (403, ["PERSISTED_QUERY_NOT_ALLOWED"])


async def test_a_stream_opened_after_the_drain_ended_the_others_ends_at_once_without_complete(world):
    # Its start was under way when the process began to close: it must not hold the shutdown open.
    alert = await alert_about(world, "line", Subscriber.id == await line_of(world, "acme.employee"))
    channel = alerts_channel(alert.customer_id)
    bus = world.sources.events
    before = bus.listeners(channel)
    async with served(world) as http:
        http.app.state.event_streams.end_all()  # type: ignore[attr-defined]
        async with streamed(http, "acme.finance", ALERTS) as response:
            assert response.status_code == 200
            seen = await Events(response).until_end()
        await eventually(lambda: bus.listeners(channel) == before and running(http) == 0, "the listener to go")
    assert ("complete", None) not in seen and not [event for event, _ in seen if event == "next"]
