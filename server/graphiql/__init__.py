"""GraphiQL for development, served from corpcare's own files under a strict CSP.

The page at ``/graphql`` loads React, ReactDOM and GraphiQL from ``/graphiql/…`` (vendored
in ``static/``; versions and the refresh script in ``README.md`` beside this module), so it
works offline and needs no CDN. Production serves neither the page nor the files.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

__all__ = ["CSP", "PREFIX", "page", "routes"]

HERE = Path(__file__).parent
PREFIX = "/graphiql"
# Scripts only from corpcare's own files: no inline script, no eval (GraphiQL needs neither).
# Inline styles are allowed because GraphiQL's dialogs inject a <style> element (scroll lock) whose
# content varies with the scrollbar width, so no hash fits. Its fonts and icons are data: URLs.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
_PAGE = (HERE / "page.html").read_text(encoding="utf-8")


def page() -> HTMLResponse:
    return HTMLResponse(_PAGE, headers={"Content-Security-Policy": CSP})


class _Assets(StaticFiles):
    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        response.headers["Content-Security-Policy"] = CSP
        # The files change only with a release: let the browser keep them and revalidate (ETag).
        response.headers["Cache-Control"] = "no-cache"
        return response


def routes(development: bool) -> list[BaseRoute]:
    """The asset files at ``/graphiql/``, in development only."""
    if not development:
        return []
    return [Mount(PREFIX, app=_Assets(directory=HERE / "static"), name="graphiql")]
