"""OpenTelemetry traces of a request, read from the SDK's in-memory exporter: the caller's
``traceparent`` continued, and under the request's span its operation, the loaders' batches,
their SQL statements and the Redis calls."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from engine import tracing as engine_tracing
from infra import tracing as infra_tracing
from server import tracing
from server.app import create_app
from server.auth import issue_token
from sources.billing.live import alerts_channel
from sources.crm.models import Subscriber
from tests.api.subscriptions.test_live_usage import alert_about, line_of
from tests.support import REDIS_PREFIX, REDIS_URL, reachable_redis
from tests.system.frames import received
from tests.system.test_faults import served
from tests.system.test_http import make_settings
from tests.system.test_http_limits import real_server
from tests.system.test_json_logs import with_request_id
from tests.system.test_observability import urls_of
from tests.system.test_sse import ALERTS, EVENTS, STREAM, Events, operation, signed_in
from tests.system.test_sse import served as sse_served
from tests.unit.server.test_log_format import json_logs  # noqa: F401  (the fixture)
from tests.waiting import eventually, within

# The portal's dashboard (web/src/dashboard/Dashboard.tsx), as it asks.
DASHBOARD = """
fragment UnitFigures on OrgUnit {
  id name subscriberCount
  monthlyBudget { amount currency }
  spendingByCurrency { period total { amount currency } }
}
fragment UnitTree on OrgUnit { ...UnitFigures descendants { ...UnitFigures parent { id } } }
query Dashboard($customer: ID) {
  customer(id: $customer) { id orgRoot { ...UnitTree } }
  viewer { scope { units { ...UnitTree } } }
  budgetReport(input: { customer: $customer }) {
    asOf
    rows(first: 50) {
      nodes {
        orgUnit { id name } month
        budget { amount currency } actual { amount currency } forecast { amount currency }
        percentUsed overBudget
      }
    }
  }
}"""
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = tracing.started_with(SimpleSpanProcessor(exporter))
    try:
        yield exporter
    finally:
        tracing.stop(provider)


@pytest.fixture
async def redis_url() -> AsyncIterator[str]:
    client = await reachable_redis()
    await client.aclose()
    yield REDIS_URL


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[int]:
    found = []
    parent = span.parent
    while parent is not None:
        found.append(parent.span_id)
        above = by_id.get(parent.span_id)
        parent = above.parent if above is not None else None
    return found


def is_sql(span: ReadableSpan) -> bool:
    return (span.attributes or {}).get("db.system.name") in ("sqlite", "postgresql")


def http_spans(exporter: InMemorySpanExporter) -> list[ReadableSpan]:
    return [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]


async def test_a_dashboard_request_is_traced_from_the_callers_span_down_to_its_sql(world, spans, redis_url):
    async with served(**urls_of(world), redis_url=redis_url, redis_prefix=f"{REDIS_PREFIX}traces:") as http:
        spans.clear()  # the lifespan's own work
        response = await http.post(
            "/graphql",
            json={"query": DASHBOARD, "variables": {"customer": None}},
            headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01", "tracestate": "vendor=x"},
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    assert body["data"]["customer"]["orgRoot"]["descendants"]
    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    [request] = http_spans(spans)
    # The request continues the caller's trace, as a child of the caller's span.
    assert request.context.trace_id == int(TRACE_ID, 16)
    assert request.parent is not None and request.parent.span_id == int(CALLER_SPAN, 16) and request.parent.is_remote
    assert request.name == "POST /graphql"
    attributes = request.attributes or {}
    assert attributes["http.request.method"] == "POST" and attributes["http.route"] == "/graphql"
    assert attributes["http.response.status_code"] == 200 and attributes["url.path"] == "/graphql"
    assert {s.context.trace_id for s in finished} == {int(TRACE_ID, 16)}
    # The operation is the request's child, named after the GraphQL semantic conventions, with no variables.
    [operation] = [s for s in finished if s.name == "query Dashboard"]
    assert operation.parent is not None and operation.parent.span_id == request.context.span_id
    shown = operation.attributes or {}
    assert shown["graphql.operation.name"] == "Dashboard" and shown["graphql.operation.type"] == "query"
    assert "budgetReport" in str(shown["graphql.document"])
    assert not any("variables" in key for key in shown)
    # Each loader batch, and the statements, under the operation; some statements under a batch.
    batches = [s for s in finished if s.name.startswith("load ")]
    statements = [s for s in finished if is_sql(s)]
    assert batches and statements
    assert all(operation.context.span_id in ancestors(s, by_id) for s in batches)
    for batch in batches:
        assert (batch.attributes or {})["corpcare.loader"] == batch.name.removeprefix("load ")
        assert int((batch.attributes or {})["corpcare.batch.size"]) >= 1
    under_operation = [s for s in statements if operation.context.span_id in ancestors(s, by_id)]
    assert under_operation
    assert all(request.context.span_id in ancestors(s, by_id) for s in statements)
    assert any(by_id[s.parent.span_id].name.startswith("load ") for s in statements if s.parent is not None)
    for statement in statements:
        text = str((statement.attributes or {})["db.query.text"])
        assert statement.kind is SpanKind.CLIENT and statement.name == text.split()[0].upper()
    # The statements' text holds placeholders, never the caller's values.
    login = "acme.admin"
    assert not any(login in str((s.attributes or {}).get("db.query.text")) for s in statements)
    # The shared cache's Redis calls, in the same trace.
    calls = [s for s in finished if (s.attributes or {}).get("db.system.name") == "redis"]
    assert calls and all(request.context.span_id in ancestors(s, by_id) for s in calls)


@pytest.mark.parametrize("header", [None, "00-zz-not-a-trace-01", f"00-{'0' * 32}-{CALLER_SPAN}-01", "garbage"])
async def test_a_request_without_a_valid_traceparent_starts_a_new_trace(world, spans, header):
    async with served(**urls_of(world)) as http:
        spans.clear()
        headers = {"traceparent": header} if header is not None else {}
        response = await http.post("/graphql", json={"query": "{ viewer { login } }"}, headers=headers)
    assert response.status_code == 200 and response.json()["data"] == {"viewer": {"login": "acme.admin"}}
    [request] = http_spans(spans)
    assert request.parent is None
    assert request.context.trace_id not in (0, int(TRACE_ID, 16))
    [operation] = [s for s in spans.get_finished_spans() if s.name == "query"]
    assert operation.parent is not None and operation.parent.span_id == request.context.span_id


async def test_with_tracing_off_nothing_is_recorded(world):
    exporter = InMemorySpanExporter()
    provider = tracing.started_with(SimpleSpanProcessor(exporter))
    tracing.stop(provider)
    async with served(**urls_of(world)) as http:
        headers = {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"}
        response = await http.post("/graphql", json={"query": "{ viewer { login } }"}, headers=headers)
    assert response.json()["data"] == {"viewer": {"login": "acme.admin"}}
    assert exporter.get_finished_spans() == ()


def test_tracing_is_on_only_when_an_exporter_is_named_and_the_sdk_is_not_disabled():
    assert tracing.configured({}) == []
    assert tracing.configured({"OTEL_TRACES_EXPORTER": "none"}) == []
    assert tracing.configured({"OTEL_TRACES_EXPORTER": "otlp"}) == ["otlp"]
    assert tracing.configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"}) == ["otlp"]
    assert tracing.configured({"OTEL_TRACES_EXPORTER": "otlp,console", "OTEL_SDK_DISABLED": "true"}) == []
    assert tracing.configured({"OTEL_TRACES_EXPORTER": "console"}) == ["console"]
    with pytest.raises(ValueError, match="zipkin"):
        tracing.exporter("zipkin", {})


def test_the_service_is_named_corpcare_unless_the_environment_names_it(monkeypatch):
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    assert tracing.resource().attributes["service.name"] == "corpcare"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "selfcare-eu")
    assert tracing.resource().attributes["service.name"] == "selfcare-eu"


async def test_a_subscription_over_server_sent_events_has_a_span_for_its_start_in_the_callers_trace(world, spans):
    alert = await alert_about(world, "line", Subscriber.id == await line_of(world, "acme.employee"))
    channel = alerts_channel(alert.customer_id)
    bus = world.sources.events
    before = bus.listeners(channel)
    headers = signed_in("acme.finance", **EVENTS) | {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"}
    async with sse_served(world) as http:
        async with http.stream("POST", STREAM, json=operation(ALERTS), headers=headers) as response:
            assert response.status_code == 200
            events = Events(response)
            await eventually(lambda: bus.listeners(channel) == before + 1, "the stream to listen")
            await bus.publish(channel, alert.encode())
            event, _ = await within(events.next())
        assert event == "next"
        # The client went away: the stream, its operation and its request end.
        await eventually(lambda: len(http_spans(spans)) == 1, "the request's span to end")
    finished = spans.get_finished_spans()
    by_id = {s.context.span_id: s for s in finished}
    [request] = http_spans(spans)
    assert request.parent is not None and request.parent.span_id == int(CALLER_SPAN, 16)
    assert request.name == "POST /graphql/stream"
    [start] = [s for s in finished if s.name == "subscribe"]
    assert start.context.trace_id == int(TRACE_ID, 16)
    assert (start.attributes or {})["graphql.operation.type"] == "subscription"
    [stream] = [s for s in finished if s.name == "subscription"]
    assert start.parent is not None and start.parent.span_id == stream.context.span_id
    assert request.context.span_id in ancestors(stream, by_id)


async def test_probes_and_scrapes_are_not_traced(world, spans):
    async with served(**urls_of(world), metrics_token="scraper") as http:
        spans.clear()
        for path in ("/healthz", "/readyz", "/metrics"):
            response = await http.get(path, headers={"authorization": "Bearer scraper"})
            assert response.status_code == 200, path
        response = await http.post("/graphql", json={"query": "{ viewer { login } }"})
    assert [s.name for s in http_spans(spans)] == ["POST /graphql"]


async def test_a_websocket_subscription_follows_the_handshakes_span_in_the_callers_trace(world, spans):
    alert = await alert_about(world, "line", Subscriber.id == await line_of(world, "acme.employee"))
    channel = alerts_channel(alert.customer_id)
    bus = world.sources.events
    before = bus.listeners(channel)
    app = create_app(make_settings(), sources=world.sources)
    async with real_server(app) as port:
        async with connect(
            f"ws://127.0.0.1:{port}/graphql",
            subprotocols=[Subprotocol("graphql-transport-ws")],
            additional_headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"},
        ) as socket:
            token = issue_token(make_settings(), "acme.finance")
            await socket.send(json.dumps({"type": "connection_init", "payload": {"Authorization": f"Bearer {token}"}}))
            assert (await received(socket))["type"] == "connection_ack"
            await socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": ALERTS}}))
            await eventually(lambda: bus.listeners(channel) == before + 1, "the subscription to listen")
            await bus.publish(channel, alert.encode())
            assert (await within(received(socket)))["type"] == "next"
        await eventually(lambda: any(s.name == "subscription" for s in spans.get_finished_spans()), "the stream's end")
    finished = spans.get_finished_spans()
    [handshake] = http_spans(spans)
    assert handshake.name == "GET /graphql" and handshake.parent is not None
    assert handshake.parent.span_id == int(CALLER_SPAN, 16) and handshake.context.trace_id == int(TRACE_ID, 16)
    assert (handshake.attributes or {})["http.response.status_code"] == 101
    [stream] = [s for s in finished if s.name == "subscription"]
    [start] = [s for s in finished if s.name == "subscribe"]
    assert stream.parent is not None and stream.parent.span_id == handshake.context.span_id
    assert start.parent is not None and start.parent.span_id == stream.context.span_id
    assert stream.status.is_ok  # the client leaving ends the stream; it is not a failure


async def test_the_log_line_of_a_traced_request_names_the_requests_trace_and_span(world, spans, json_logs):  # noqa: F811
    async with served(**urls_of(world)) as http:
        traceparent = {"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"}
        response = await http.post("/graphql", json={"query": "query Me { viewer { login } }"}, headers=traceparent)
    line = with_request_id("corpcare.requests", response.headers["x-request-id"])(json_logs())
    [request] = http_spans(spans)
    assert line is not None
    assert (line["trace_id"], line["span_id"]) == (TRACE_ID, f"{request.context.span_id:016x}")


def test_a_failed_span_records_the_kind_of_its_error_and_never_its_text(spans):
    # A backend's error chains the driver's, whose text can hold a statement's bound values.
    with pytest.raises(RuntimeError), infra_tracing.span("load Lines"):
        try:
            raise ValueError("WHERE msisdn = '+79161234567'")
        except ValueError as driver_error:
            raise RuntimeError("backend failed: +79161234567") from driver_error
    [failed] = spans.get_finished_spans()
    assert failed.attributes["error.type"] == "RuntimeError"
    assert failed.status.status_code is StatusCode.ERROR and failed.status.description is None
    assert not failed.events  # no exception event: its stack trace would print the chained text


async def test_a_document_too_long_to_blank_cheaply_is_recorded_by_its_length(world, spans):
    short = "query Short { viewer { login } }"
    long = "query Long { viewer { login } }" + " " * engine_tracing.DOCUMENT_CHARS
    async with served(**urls_of(world)) as http:
        spans.clear()
        for query in (short, long):
            response = await http.post("/graphql", json={"query": query})
            assert response.json()["data"] == {"viewer": {"login": "acme.admin"}}
    documents = {
        s.name: s.attributes["graphql.document"] for s in spans.get_finished_spans() if s.name.startswith("query")
    }
    assert documents == {
        "query Short": "query Short {\n  viewer {\n    login\n  }\n}",
        "query Long": f"<{len(long)} characters>",
    }
