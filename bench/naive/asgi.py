"""The factory uvicorn imports to serve the naive baseline in a process of its own:

    .venv/bin/uvicorn bench.naive.asgi:app --factory --port 8001

Databases come from the same ``CORPCARE_*`` variables as corpcare's server. Nothing is seeded.
"""

from __future__ import annotations

from starlette.applications import Starlette

from bench.naive.app import create_naive_app
from server.settings import Settings
from sources.db import Engines, create_engine


def app() -> Starlette:
    settings = Settings()
    engines = Engines(*(create_engine(url) for url in settings.urls))
    return create_naive_app(settings, engines, owns_engines=True)
