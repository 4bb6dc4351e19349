"""The application factory uvicorn imports (one call per worker process)."""

from __future__ import annotations

from starlette.applications import Starlette

from server import logs
from server.app import create_app
from server.settings import Settings


def app() -> Starlette:
    settings = Settings()
    logs.configure(settings.json_logs)
    return create_app(settings)
