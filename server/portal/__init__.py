"""The portal: the corporate self-care web app, its build (``dist/``, from ``web/``) served at ``/``.

``index.html`` answers the portal's screens (the paths its router knows, ``SCREENS``), each
naming the chunks of its own code for the browser to fetch at once (``preload``); the
hashed files under ``/assets/`` never change under their name, so browsers keep them for a
year. Everything is corpcare's own: the CSP allows no inline script and no other origin, and
no page may frame the portal. The persisted-documents manifest beside ``index.html`` is not
served; ``register_at_start`` stores it at start-up so the portal runs in safelist mode.
"""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from core.errors import BackendUnavailable
from permissions.roles import Permission
from server.portal.manifest import register_at_start
from server.portal.preload import preloading, read_build_manifest
from server.sessions import session_secret
from server.settings import Settings

__all__ = ["CSP", "DIST", "SCREENS", "register_at_start", "routes"]

DIST = Path(__file__).parent / "dist"
# The router's paths (web/src/screens.ts, ":id" there is "{id}" here) and each screen's module (its
# lazyScreen import there); any other path is not the portal's.
SCREENS = {
    "/": "src/dashboard/Dashboard.tsx",
    "/lines": "src/lines/Lines.tsx",
    "/org": "src/org/Org.tsx",
    "/me": "src/me/MyLine.tsx",
    "/lines/{id}": "src/line/LineScreen.tsx",
    "/invoices": "src/invoices/Invoices.tsx",
    "/invoices/{id}": "src/invoices/InvoiceScreen.tsx",
    "/reports": "src/reports/Reports.tsx",
    "/access": "src/access/Access.tsx",
}
# No 'unsafe-inline' anywhere: React sets widths through the CSSOM, which style-src does not govern.
CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FRAMING = {"Content-Security-Policy": CSP, "X-Frame-Options": "DENY"}
OWN_LINE = "/me"
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSED = (".js", ".css", ".svg", ".json", ".map", ".txt")


@cache
def page_of(module: str) -> bytes:
    """index.html for the screen whose code is ``module``: read once per process, like the assets."""
    return preloading((DIST / "index.html").read_bytes(), read_build_manifest(DIST), module)


def screen(module: str) -> Callable[[Request], Awaitable[Response]]:
    async def index(request: Request) -> Response:
        # Revalidated each time: a release changes the asset names index.html points at.
        headers = {**FRAMING, "Cache-Control": "no-cache", "Referrer-Policy": "same-origin"}
        return Response(page_of(module), media_type="text/html; charset=utf-8", headers=headers)

    return index


class _HashedAssets(StaticFiles):
    """The hashed files, gzipped for browsers that take it (nearly all: the script shrinks to about
    a third): each file compressed once per process, on its first request, and kept."""

    def __init__(self, *, directory: Path) -> None:
        super().__init__(directory=directory)
        self._gzipped: dict[str, bytes] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            if Path(path).suffix in COMPRESSED:
                if isinstance(response, FileResponse) and _takes_gzip(scope):
                    response = self._gzip(path, response)
                response.headers["Vary"] = "Accept-Encoding"  # a cache between keeps both apart
            response.headers["Cache-Control"] = IMMUTABLE
        response.headers.update(FRAMING)
        return response

    def _gzip(self, path: str, plain: FileResponse) -> Response:
        body = self._gzipped.get(path)
        if body is None:
            # mtime=0: the same bytes in every process and on every host behind the balancer.
            body = self._gzipped[path] = gzip.compress(Path(plain.path).read_bytes(), compresslevel=9, mtime=0)
        etag = plain.headers["etag"].strip('"')
        headers = {"Content-Encoding": "gzip", "ETag": f'"{etag}-gz"'}
        return Response(body, media_type=plain.media_type, headers=headers)


def _takes_gzip(scope: Scope) -> bool:
    for part in Headers(scope=scope).get("accept-encoding", "").split(","):
        name, _, weight = part.partition(";")
        if name.strip().lower() == "gzip":
            return weight.replace(" ", "").rstrip("0").rstrip(".") not in ("q=", "q=0")
    return False


def landing(settings: Settings) -> Callable[[Request], Awaitable[Response]]:
    """``/``, the dashboard, except for a signed-in employee: their portal is their own line, and
    they are sent there before the dashboard's code or operation is asked for (the page does the
    same when it navigates to ``/``)."""
    dashboard = screen(SCREENS["/"])

    async def index(request: Request) -> Response:
        if await _own_line_only(request, settings):
            return RedirectResponse(OWN_LINE, status_code=303, headers=FRAMING)
        return await dashboard(request)

    return index


async def _own_line_only(request: Request, settings: Settings) -> bool:
    secret = session_secret(request, settings)
    if secret is None:
        return False
    try:
        principal = await request.app.state.principals.for_session(secret, settings.session_times)
    except BackendUnavailable:
        return False  # the page itself will say so
    return principal is not None and not principal.can(Permission.ORG_READ) and principal.subscriber_id is not None


def routes(settings: Settings) -> list[BaseRoute]:
    """The screens' paths and ``/assets/``."""
    screens: list[BaseRoute] = [
        Route(path, landing(settings) if path == "/" else screen(code), methods=["GET", "HEAD"])
        for path, code in SCREENS.items()
    ]
    return [*screens, Mount("/assets", app=_HashedAssets(directory=DIST / "assets"), name="portal-assets")]
