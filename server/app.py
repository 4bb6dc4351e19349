"""The Starlette application: lifespan-owned backends, middleware and routes."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute

from infra import telemetry, tracing
from infra.cache import create_cache
from infra.events import InProcessEvents, create_events
from infra.redis_sessions import RedisSessionStore
from infra.redis_throttle import create_throttle
from jobs.recovery_pass import recover_forever
from jobs.worker import BulkWorker
from server import graphiql, portal, sign_in
from server.admission import Admission, AdmissionGate, Arrival
from server.auth import BearerAuth, Principals, unauthenticated
from server.collector import Refreeze, freeze_and_tune
from server.disconnects import CancelOnDisconnect
from server.drain import Drain, ReconnectOnDrain
from server.endpoint import GraphQLEndpoint
from server.exports.routes import report_export
from server.health import healthz, readyz
from server.http_errors import (
    coded_response,
    http_error,
    server_error,
)
from server.http_guard import BodyGuard, HttpGuard
from server.metrics import Metrics
from server.refusals import RefusalGate
from server.settings import Settings
from server.sse import EventStreams
from server.tracing import TraceRequests
from sources import Sources
from sources.db import Engines, create_engine


def metrics_endpoint(metrics: Metrics, token: str | None, *, production: bool = False) -> Any:
    async def endpoint(request: Request) -> Response:
        if production and token is None:
            # Request counts, error codes and backend health are for the operator, not for anyone
            # who finds the address: production shows them only to a scraper with the token.
            return coded_response(403, "FORBIDDEN", "/metrics is closed: set CORPCARE_METRICS_TOKEN to open it.")
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token is not None and not hmac.compare_digest(given.encode(), token.encode()):
            return coded_response(401, "UNAUTHENTICATED", "Send 'Authorization: Bearer <metrics token>'.")
        return await metrics.endpoint(request)

    return endpoint


# Work a process runs beside its requests, over the backends and the event bus its lifespan opened
# (the demo's usage feed, when the process entry asks for it: server/asgi.py).
Background = Callable[[Engines, InProcessEvents], Coroutine[None, None, None]]


def create_app(
    settings: Settings, sources: Sources | None = None, background: Background | None = None, drain: Drain | None = None
) -> Starlette:
    """The app; it opens its own backends from ``settings`` unless ``sources`` are given, and then
    runs ``background`` beside the requests until it stops. ``drain`` is the process's shutdown as
    the server drives it (``server/graceful.py``); by default one of the app's own."""
    metrics = Metrics(settings.known_clients)
    drain = drain or Drain()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if sources is not None:
            yield
            return
        engines = Engines(*(
            create_engine(url, pool_size=settings.pool_size, pool_timeout=settings.pool_timeout_seconds,
                          statement_seconds=settings.backend_call_seconds)
            for url in settings.urls
        ))  # fmt: skip
        cache = create_cache(settings.redis_url, metrics, settings.redis_prefix)
        events = create_events(settings.redis_url, settings.redis_prefix)
        throttle = create_throttle(settings.redis_url, metrics, settings.redis_prefix)
        sessions = RedisSessionStore(settings.redis_url, settings.redis_prefix) if settings.redis_url else None
        backends = engines.backends(settings.backend_limits, metrics)
        opened = Sources.over(engines, cache, backends, metrics, events, throttle=throttle, sessions=sessions)
        await portal.register_at_start(opened.persisted_operations)  # the portal runs in safelist mode too
        _attach(app, opened, settings, metrics)
        worker = None
        if settings.bulk_worker:
            worker = BulkWorker(
                opened, lease=settings.bulk_lease, concurrency=settings.bulk_concurrency, share=graphql.fair_share
            )
        if worker is not None:
            worker.start()
        recovery = asyncio.create_task(recover_forever(opened), name="recovery pass")
        sampling = asyncio.create_task(metrics.sample_forever(), name="metrics samples")  # multiprocess mode
        beside = None
        if background is not None:
            beside = asyncio.create_task(background(engines, events), name="background")
        freeze_and_tune(settings.gc_thresholds)
        try:
            yield
        finally:
            for task in (recovery, sampling):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if beside is not None:
                beside.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beside
            if worker is not None:
                await worker.stop()
            await events.close()
            await throttle.close()
            await cache.close()
            if sessions is not None:
                await sessions.close()
            await engines.dispose()

    graphql = GraphQLEndpoint(settings, metrics)
    streams = EventStreams(graphql)
    drain.at_close(streams.end_all)
    admission = Admission(settings.admission_limits)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            # GraphQL over Server-Sent Events (graphql-sse), both of its modes.
            Route("/graphql/stream", streams, methods=["GET", "POST", "PUT", "DELETE"]),
            WebSocketRoute("/graphql", graphql),
            Route("/reports/{report}.csv", report_export),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint(metrics, settings.metrics_token, production=not settings.development)),
            *graphiql.routes(settings.development),
            *sign_in.routes(settings),
            *portal.routes(settings),
        ],
        middleware=[
            # On the way out, sockets are closed with 1012 so that their clients reconnect elsewhere.
            Middleware(ReconnectOnDrain, drain=drain),
            Middleware(Refreeze, after=settings.gc_freeze_after),  # outermost: it sees every request end
            Middleware(TraceRequests),  # the request's span holds all the work below (server/tracing.py)
            Middleware(Arrival),  # first: every wait counts against the request's time limit
            Middleware(HttpGuard, hsts_seconds=settings.hsts_seconds, form_paths=sign_in.FORM_PATHS),
            # Only the listed origins get CORS headers; with none listed, browsers of other sites are refused.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "DELETE"],  # PUT and DELETE: graphql-sse's single connection
                allow_headers=[
                    "Authorization",
                    "Content-Type",
                    "X-Corpcare-Preflight",
                    "X-Request-Id",
                    "X-GraphQL-Event-Stream-Token",
                ],
                expose_headers=["X-Request-Id"],
                max_age=600,
            ),
            Middleware(AuthenticationMiddleware, backend=BearerAuth(settings), on_error=unauthenticated),
            # Outside the body guard: its 413s and 408s count as refusals too.
            Middleware(RefusalGate, budget=graphql.refusals),
            Middleware(
                BodyGuard,
                max_body_bytes=settings.max_body_bytes,
                reader_body_bytes=settings.reader_body_bytes,
                body_timeout_seconds=settings.body_read_timeout_seconds,
            ),
            # With the body in, the connection is watched while the request waits for its turn and runs.
            Middleware(CancelOnDisconnect, metrics=metrics),
            # Innermost: a turn is held for execution only, never while a slow client sends its body.
            Middleware(
                AdmissionGate,
                admission=admission,
                request_seconds=settings.request_timeout_seconds,
                metrics=metrics,
            ),
        ],
        exception_handlers={StarletteHTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.refusals = graphql.refusals
    app.state.drain = drain  # /readyz answers 503 once it drains
    app.state.metrics = metrics
    app.state.admission = admission
    app.state.event_streams = streams
    app.state.fair_share = graphql.fair_share  # CSV exports take their company's places too
    if sources is not None:
        _attach(app, sources, settings, metrics)
    return app


def _attach(app: Starlette, sources: Sources, settings: Settings, metrics: Metrics) -> None:
    metrics.watch(sources.backends())
    for backend in sources.backends():
        telemetry.count_statements(backend.engine)
        tracing.trace_statements(backend.engine)
    app.state.sources = sources
    app.state.principals = Principals(sources, settings.principal_cache_seconds)
    app.state.min_group_size = settings.min_group_size  # for CSV exports (GraphQL: the endpoint)
    app.state.cost_allowances = settings.cost_allowances_in_force  # CSV exports are charged too
