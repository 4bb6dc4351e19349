"""Liveness and readiness for the orchestrator.

``/healthz`` says the process answers (also while it drains: it is alive). ``/readyz`` asks each
backend database for ``SELECT 1`` and pings the cache, each under a short time limit: a database
that does not answer makes the instance not ready (503); a cache that does not answer only
degrades it, since requests are served without one. From SIGTERM on, ``/readyz`` answers 503
``draining`` without asking anything (``server/drain.py``).
"""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse

from server.drain import Drain
from sources import Sources
from sources.backend import Backend

CHECK_SECONDS = 2.0


async def healthz(_request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    drain: Drain = request.app.state.drain
    if drain.draining:  # shutting down (server/graceful.py): the load balancer sends elsewhere
        return JSONResponse({"status": "draining"}, status_code=503)
    sources: Sources = request.app.state.sources
    backends = sources.backends()
    databases = await asyncio.gather(*(_database(backend) for backend in backends))
    cache = "ok" if await _within(sources.cache.ping()) else "unavailable"
    checks = {backend.name: state for backend, state in zip(backends, databases, strict=True)} | {"cache": cache}
    ready = all(state == "ok" for state in databases)
    status = ("ok" if cache == "ok" else "degraded") if ready else "unavailable"
    return JSONResponse({"status": status, "checks": checks}, status_code=200 if ready else 503)


async def _database(backend: Backend) -> str:
    async def probe() -> bool:
        # Past the breaker on purpose: readiness must see the database itself, and a success
        # here is not counted as a request served.
        async with backend.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True

    return "ok" if await _within(probe()) else "unavailable"


async def _within(check: object) -> bool:
    try:
        return bool(await asyncio.wait_for(check, CHECK_SECONDS))  # type: ignore[arg-type]
    except Exception:
        return False
