"""OpenTelemetry traces: the process's tracer provider, set up from the standard ``OTEL_*``
variables, and one server span per HTTP request (or WebSocket handshake) that continues the
caller's W3C ``traceparent``.

Tracing is on when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``) or an OTLP
endpoint is given (``OTEL_EXPORTER_OTLP_ENDPOINT``, ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``), and
``OTEL_SDK_DISABLED`` is not ``true``. Off, nothing is set up: the spans of ``infra/tracing.py``,
``engine/tracing.py`` and the loaders are one test each, and this middleware passes requests on.
The SDK reads the rest itself: ``OTEL_TRACES_SAMPLER`` (and ``_ARG``), ``OTEL_RESOURCE_ATTRIBUTES``,
``OTEL_SERVICE_NAME`` (corpcare when unset), ``OTEL_EXPORTER_OTLP_*`` and ``OTEL_BSP_*``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra import tracing

DEFAULT_SERVICE = "corpcare"
# Probes and scrapes, every few seconds from every replica: traces of nothing.
UNTRACED = frozenset({"/healthz", "/readyz", "/metrics"})
INSTRUMENTATION = "corpcare"


def configured(environ: Mapping[str, str] = os.environ) -> list[str]:
    """The trace exporters the environment asks for; [] when tracing is off."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return []
    named = [name.strip().lower() for name in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if name.strip()]
    if not named and (environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")):
        named = ["otlp"]
    return [name for name in named if name != "none"]


def exporter(name: str, environ: Mapping[str, str] = os.environ) -> SpanExporter:
    if name == "console":
        return ConsoleSpanExporter()
    if name != "otlp":
        raise ValueError(f"OTEL_TRACES_EXPORTER={name!r}: corpcare exports traces by 'otlp' or 'console' (or 'none').")
    protocol = environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
    if protocol not in (None, "", "http/protobuf"):
        raise ValueError(f"OTLP protocol {protocol!r}: corpcare sends traces over 'http/protobuf' (port 4318).")
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def resource() -> Resource:
    """The SDK's resource from the environment, named corpcare unless the environment names it."""
    found = Resource.create()
    if str(found.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        found = found.merge(Resource({SERVICE_NAME: DEFAULT_SERVICE}))
    return found


def start(environ: Mapping[str, str] = os.environ) -> TracerProvider | None:
    """The process's tracer provider with the exporters the environment names, made the global one
    and the one corpcare's spans use; None (tracing off) when it names none."""
    names = configured(environ)
    if not names:
        return None
    provider = TracerProvider(resource=resource())
    for name in names:
        provider.add_span_processor(BatchSpanProcessor(exporter(name, environ)))
    trace.set_tracer_provider(provider)
    tracing.use(provider.get_tracer(INSTRUMENTATION))
    return provider


def started_with(processor: SpanProcessor) -> TracerProvider:
    """A provider exporting through ``processor`` only, used by corpcare's spans (for tests: the
    global provider can be set once per process)."""
    provider = TracerProvider(resource=resource())
    provider.add_span_processor(processor)
    tracing.use(provider.get_tracer(INSTRUMENTATION))
    return provider


def stop(provider: TracerProvider) -> None:
    """Send what is still queued (for 5 s at most: the rest of the pod's grace period is the
    requests' and the bulk leases') and stop exporting."""
    tracing.use(None)
    provider.force_flush(timeout_millis=5_000)
    provider.shutdown()


def shut_down_with(app: Starlette, provider: TracerProvider) -> None:
    """Flush and stop ``provider`` when ``app``'s lifespan ends (the worker is shutting down)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[Any]:
        try:
            async with inner(app) as state:
                yield state
        finally:
            await asyncio.to_thread(stop, provider)

    app.router.lifespan_context = lifespan


class TraceRequests:
    """The server span of each HTTP request (and of each WebSocket handshake), after the HTTP
    semantic conventions, child of the caller's span when the request carries a valid
    ``traceparent``; the request runs inside it. A malformed header is ignored: a new trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tracer = tracing.tracer
        kind = scope["type"]
        if tracer is None or kind not in ("http", "websocket") or scope.get("path") in UNTRACED:
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        parent = propagate.extract(headers)
        method = scope.get("method", "GET") if kind == "http" else "GET"
        span = tracer.start_span(
            method, context=parent, kind=SpanKind.SERVER, attributes=_request_attributes(scope, headers, method)
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        status = 0

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "websocket.accept":
                status = 101
            await send(message)
            if kind == "websocket" and message["type"] in ("websocket.accept", "websocket.close"):
                _end(span, scope, status or 403)  # the handshake's span; the socket's operations follow it

        try:
            await self.app(scope, receive, sending)
        except Exception as error:  # not a cancellation: the client went away
            span.set_attribute("error.type", type(error).__qualname__)  # its kind only (infra/tracing.py's Current)
            span.set_status(Status(StatusCode.ERROR))
            raise
        finally:
            otel_context.detach(token)
            _end(span, scope, status)


def _end(span: Any, scope: Scope, status: int) -> None:
    if not span.is_recording():
        return
    route = scope.get("route")
    path = getattr(route, "path", None)
    method = scope.get("method", "GET")
    if path is not None:
        span.set_attribute("http.route", path)
        span.update_name(f"{method} {path}")
    if status:
        span.set_attribute("http.response.status_code", status)
        if status >= 500:
            span.set_attribute("error.type", str(status))
            span.set_status(Status(StatusCode.ERROR))
    span.end()


def _headers(scope: Scope) -> dict[str, str]:
    found: dict[str, str] = {}
    for name, value in scope.get("headers", ()):
        key = name.decode("latin-1").lower()
        if key in ("traceparent", "tracestate", "baggage", "host", "user-agent"):
            found[key] = value.decode("latin-1")
    return found


def _request_attributes(scope: Scope, headers: dict[str, str], method: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.path": scope.get("path", ""),
        "url.scheme": scope.get("scheme", "http"),
        "network.protocol.version": scope.get("http_version", "1.1"),
    }
    server = scope.get("server")
    if server:
        attributes["server.address"], attributes["server.port"] = server[0], server[1]
    if host := headers.get("host"):
        address, _, port = host.rpartition(":") if host.rsplit(":", 1)[-1].isdigit() else (host, "", "")
        attributes["server.address"] = address
        if port:
            attributes["server.port"] = int(port)
    client = scope.get("client")
    if client:
        attributes["client.address"] = client[0]
    if agent := headers.get("user-agent"):
        attributes["user_agent.original"] = agent[:512]  # a header's text is the caller's: bounded
    return attributes
