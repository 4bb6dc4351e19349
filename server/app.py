"""The Starlette application: lifespan-owned backends, authentication, and /graphql."""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from resolvers.context import Context, PageLimits
from schema import build_schema
from server.auth import BearerAuth, Principals, PrincipalUser, unauthenticated
from server.exports import report_export
from server.http_guard import HttpGuard
from server.settings import Settings
from server.worker import BulkWorker
from sources import Sources
from sources.cache import create_cache
from sources.db import Engines, create_engine

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
GRAPHQL_MEDIA = "application/graphql-response+json"
# Errors of the request itself (nothing was executed): 400 under the GraphQL response media type.
REQUEST_ERRORS = {"GRAPHQL_PARSE_FAILED", "GRAPHQL_VALIDATION_FAILED", "QUERY_TOO_COMPLEX", "BAD_USER_INPUT"}


class GraphQLEndpoint(GraphQL[Context, None]):
    def __init__(self, settings: Settings) -> None:
        self.limits = settings.query_limits
        schema = build_schema(self.limits, production=not settings.development)
        super().__init__(schema, graphql_ide="graphiql" if settings.development else None)
        self.pages = PageLimits(settings.default_page_size, settings.max_page_size)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # BearerAuth lets only the GraphiQL page through unauthenticated (in development):
        # the page needs no sign-in, the queries sent from it do.
        if scope["type"] == "http" and not isinstance(scope.get("user"), PrincipalUser):
            await HTMLResponse(self.graphql_ide_html)(scope, receive, send)
            return
        await super().__call__(scope, receive, send)

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Context:
        user = request.user
        assert isinstance(user, PrincipalUser), "authentication runs before GraphQL"
        sources: Sources = request.app.state.sources
        today = datetime.now(UTC).date()
        given = request.headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        if isinstance(response, Response):
            response.headers["X-Request-Id"] = request_id
            # GraphQL over HTTP: a client that accepts the GraphQL response media type gets it,
            # and request errors with it are 4xx rather than 200.
            response.graphql_media = GRAPHQL_MEDIA in request.headers.get("accept", "")  # type: ignore[attr-defined]
        return Context.of(
            user.principal, sources, request_id=request_id, pages=self.pages, limits=self.limits, today=today
        )

    def create_response(self, response_data: Any, sub_response: Response) -> Response:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "graphql_media", False) and isinstance(response_data, dict):
            response.headers["content-type"] = f"{GRAPHQL_MEDIA}; charset=utf-8"
            codes = {(e.get("extensions") or {}).get("code") for e in response_data.get("errors") or ()}
            if response_data.get("data") is None and codes and codes <= REQUEST_ERRORS:
                response.status_code = 400
        return response

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_app(settings: Settings, sources: Sources | None = None) -> Starlette:
    """The app; it opens its own backends from ``settings`` unless ``sources`` are given."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if sources is not None:
            yield
            return
        engines = Engines(*(create_engine(url) for url in settings.urls))
        cache = create_cache(settings.redis_url)
        opened = Sources.over(engines, cache)
        _attach(app, opened, settings)
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
            Route("/graphql", GraphQLEndpoint(settings), methods=["GET", "POST"]),
            Route("/reports/{report}.csv", report_export),
            Route("/healthz", health),
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
        lifespan=lifespan,
    )
    if sources is not None:
        _attach(app, sources, settings)
    return app


def tune_garbage_collector() -> None:
    """A response builds tens of thousands of short-lived objects; with the default
    thresholds the collector keeps re-scanning the long-lived ones (modules, schema) and
    shows up as latency spikes. Freeze what exists at start-up and collect less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)


def _attach(app: Starlette, sources: Sources, settings: Settings) -> None:
    app.state.sources = sources
    app.state.principals = Principals(sources, settings.principal_cache_seconds)
