"""The application factory uvicorn imports (one call per worker process)."""

from __future__ import annotations

from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings


def app() -> Starlette:
    return create_app(Settings())
