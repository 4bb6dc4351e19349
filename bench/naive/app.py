"""The naive baseline over HTTP: corpcare's contract (``POST /graphql`` with a bearer JWT,
``GET /healthz``) in front of the naive schema, with a plain dict context."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from bench.naive.context import naive_context
from bench.naive.schema import naive_schema
from infra.cache import InProcessCache
from server.auth import BearerAuth, Principals, PrincipalUser, unauthenticated
from server.settings import Settings
from sources import Sources
from sources.db import Engines


class NaiveGraphQL(GraphQL[dict[str, Any], None]):
    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> dict[str, Any]:
        user = request.user
        assert isinstance(user, PrincipalUser), "authentication runs before GraphQL"
        return naive_context(user.principal, request.app.state.engines, datetime.now(UTC).date())


async def health(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def create_naive_app(settings: Settings, engines: Engines, *, owns_engines: bool = False) -> Starlette:
    """The app over ``engines``; with ``owns_engines`` it disposes of them when it shuts down."""

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if owns_engines:
                await engines.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", NaiveGraphQL(naive_schema(), graphql_ide=None), methods=["POST"]),
            Route("/healthz", health),
        ],
        middleware=[Middleware(AuthenticationMiddleware, backend=BearerAuth(settings), on_error=unauthenticated)],
        lifespan=lifespan,
    )
    app.state.engines = engines
    # BearerAuth reads the principal of a token's login from here, as in corpcare.
    app.state.principals = Principals(Sources.over(engines, InProcessCache()), settings.principal_cache_seconds)
    return app
