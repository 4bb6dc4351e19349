"""The Starlette application: lifespan-owned backends, authentication, and /graphql."""

from __future__ import annotations

import asyncio
import gc
import hmac
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from resolvers.context import Context, PageLimits
from schema import build_schema
from server import graphiql
from server.auth import BearerAuth, Principals, PrincipalUser, unauthenticated
from server.exports import report_export
from server.health import healthz, readyz
from server.http_errors import (
    HTTP_CODES,
    coded_response,
    http_error,
    internal_error,
    refuse_body,
    request_id_of,
    server_error,
)
from server.http_guard import HttpGuard
from server.logs import log_request
from server.metrics import Metrics
from server.settings import Settings
from server.worker import BulkWorker
from sources import Sources, telemetry
from sources.cache import create_cache
from sources.db import Engines, create_engine
from sources.telemetry import RequestStats

log = logging.getLogger("corpcare.errors")
GRAPHQL_MEDIA = "application/graphql-response+json"
# Errors of the request itself (nothing was executed): 400 under the GraphQL response media type.
REQUEST_ERRORS = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX", "BAD_USER_INPUT"}


class GraphQLEndpoint(GraphQL[Context, None]):
    def __init__(self, settings: Settings, metrics: Metrics) -> None:
        self.limits = settings.query_limits
        schema = build_schema(self.limits, production=not settings.development)
        super().__init__(schema, graphql_ide="graphiql" if settings.development else None)
        self.pages = PageLimits(settings.default_page_size, settings.max_page_size)
        self.request_seconds = settings.request_timeout_seconds
        self.slow_seconds = settings.slow_operation_seconds
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        user = scope.get("user")
        # BearerAuth lets only the GraphiQL page through unauthenticated (in development):
        # the page needs no sign-in, the queries sent from it do.
        if not isinstance(user, PrincipalUser):
            await graphiql.page()(scope, receive, send)
            return
        stats = RequestStats(request_id_of(scope), principal=str(user.principal.user_id))
        stats.customer = user.principal.customer_id
        token = telemetry.current.set(stats)
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [*message.get("headers", []), (b"x-request-id", stats.request_id.encode())]
                message = {**message, "headers": headers}
            await send(message)

        try:
            try:
                request = Request(scope, receive)
                refusal = await refuse_body(request)
                if refusal is not None:
                    raise HTTPException(400, refusal)
                async with asyncio.timeout(self.request_seconds):
                    response = await self.run(request)
            except HTTPException as error:
                # Strawberry's refusals of the request itself (bad JSON, no query, a batch, a
                # mutation over GET): the same coded JSON as every other error.
                status_code = error.status_code
                if "not allowed when using GET" in error.reason:
                    status_code = 405  # GraphQL over HTTP: a mutation over GET is 405 Method Not Allowed
                code = HTTP_CODES.get(status_code, "BAD_REQUEST")
                response = coded_response(status_code, code, error.reason)
                if status_code == 405:
                    response.headers["Allow"] = "POST"
                stats.codes = [code]
            except TimeoutError:
                message = f"The request took longer than {self.request_seconds:g} s and was stopped."
                response = coded_response(503, "TIMEOUT", message, retry_after=1)
                stats.codes = ["TIMEOUT"]
            except Exception:
                log.exception("unexpected error in request %s", stats.request_id)
                response = internal_error(stats.request_id)
                stats.codes = ["INTERNAL_SERVER_ERROR"]
            await response(scope, receive, sending)
        finally:
            telemetry.current.reset(token)
            self._record(stats, status)

    def _record(self, stats: RequestStats, status: int) -> None:
        kind = stats.operation_type or "none"
        outcome = "failed" if status >= 500 else "refused" if status >= 400 else "errors" if stats.codes else "ok"
        self.metrics.requests.labels(kind, outcome).inc()
        self.metrics.latency.labels(kind).observe(stats.seconds())
        for code in stats.codes:
            self.metrics.errors.labels(code).inc()
        if log_request(stats, outcome, stats.codes, status, self.slow_seconds, stats.query):
            self.metrics.slow.inc()

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return graphiql.page()

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        user = request.user
        assert isinstance(user, PrincipalUser), "authentication runs before GraphQL"
        sources: Sources = request.app.state.sources
        today = datetime.now(UTC).date()
        stats = telemetry.current.get()
        request_id = stats.request_id if stats is not None else uuid.uuid4().hex
        if isinstance(response, Response):
            # GraphQL over HTTP: a client that accepts the GraphQL response media type gets it,
            # and request errors with it are 4xx rather than 200.
            response.graphql_media = GRAPHQL_MEDIA in request.headers.get("accept", "")  # type: ignore[attr-defined]
        return Context.of(
            user.principal, sources, request_id=request_id, pages=self.pages, limits=self.limits, today=today
        )

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if not isinstance(response_data, dict):
            return response
        extensions = [e.get("extensions") or {} for e in response_data.get("errors") or ()]
        codes = [str(x.get("code")) for x in extensions]
        stats = telemetry.current.get()
        if stats is not None:
            stats.codes = codes
        if any(x.get("reason") == "BUSY" for x in extensions):
            # No connection came free in time: say so at once rather than queue the caller.
            response.status_code = 503
            response.headers["Retry-After"] = "1"
        elif getattr(sub_response, "graphql_media", False):
            response.headers["content-type"] = f"{GRAPHQL_MEDIA}; charset=utf-8"
            if response_data.get("data") is None and codes and set(codes) <= REQUEST_ERRORS:
                response.status_code = 400
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def metrics_endpoint(metrics: Metrics, token: str | None) -> Any:
    async def endpoint(request: Request) -> Response:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if token is not None and not hmac.compare_digest(given.encode(), token.encode()):
            return coded_response(401, "UNAUTHENTICATED", "Send 'Authorization: Bearer <metrics token>'.")
        return await metrics.endpoint(request)

    return endpoint


def create_app(settings: Settings, sources: Sources | None = None) -> Starlette:
    """The app; it opens its own backends from ``settings`` unless ``sources`` are given."""
    metrics = Metrics()

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
        cache = create_cache(settings.redis_url, observer=metrics)
        opened = Sources.over(engines, cache, engines.backends(settings.backend_limits, metrics), metrics)
        _attach(app, opened, settings, metrics)
        worker = None
        if settings.bulk_worker:
            worker = BulkWorker(opened, lease=settings.bulk_lease, concurrency=settings.bulk_concurrency)
        if worker is not None:
            worker.start()
        tune_garbage_collector()
        try:
            yield
        finally:
            if worker is not None:
                await worker.stop()
            await cache.close()
            await engines.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", GraphQLEndpoint(settings, metrics), methods=["GET", "POST"]),
            Route("/reports/{report}.csv", report_export),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint(metrics, settings.metrics_token)),
            *graphiql.routes(settings.development),
        ],
        middleware=[
            Middleware(HttpGuard, max_body_bytes=settings.max_body_bytes, hsts_seconds=settings.hsts_seconds),
            # Only the listed origins get CORS headers; with none listed, browsers of other sites are refused.
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "X-Corpcare-Preflight", "X-Request-Id"],
                expose_headers=["X-Request-Id"],
                max_age=600,
            ),
            Middleware(AuthenticationMiddleware, backend=BearerAuth(settings), on_error=unauthenticated),
        ],
        exception_handlers={StarletteHTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    if sources is not None:
        _attach(app, sources, settings, metrics)
    return app


def tune_garbage_collector() -> None:
    """A response builds tens of thousands of short-lived objects; with the default
    thresholds the collector keeps re-scanning the long-lived ones (modules, schema) and
    shows up as latency spikes. Freeze what exists at start-up and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _attach(app: Starlette, sources: Sources, settings: Settings, metrics: Metrics) -> None:
    metrics.watch(sources.backends())
    for backend in sources.backends():
        telemetry.count_statements(backend.engine)
    app.state.sources = sources
    app.state.principals = Principals(sources, settings.principal_cache_seconds)
