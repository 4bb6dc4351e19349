"""The application factory uvicorn imports (one call per worker process).

The demo's usage feed runs here only when CORPCARE_USAGE_FEED_PER_SECOND asks for it: besides
the CLI (``corpcare seed``, ``corpcare simulate-usage``), that setting is the one thing that starts the demo."""

from __future__ import annotations

from functools import partial

from starlette.applications import Starlette

from server import drain, log_format, tracing
from server.app import Background, create_app
from server.settings import Settings


def app() -> Starlette:
    settings = Settings()
    log_format.configure(settings.json_logs)  # uvicorn configured the same already (server/cli.py)
    provider = tracing.start()  # per worker: each process exports its own spans (None: tracing is off)
    # The process's drain: the server's signal hook (server/graceful.py) turns it.
    made = create_app(settings, background=demo_feed(settings.usage_feed_per_second), drain=drain.PROCESS)
    if provider is not None:
        tracing.shut_down_with(made, provider)
    return made


def demo_feed(per_second: float) -> Background | None:
    """The demo's usage feed at ``per_second`` events a second; None when that is 0 (off)."""
    if not per_second:
        return None
    from demo.feed import feed_forever  # the demo is loaded only when it is asked for

    return partial(feed_forever, per_second=per_second)
