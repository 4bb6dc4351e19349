"""The portal: the corporate self-care web app, its build (``dist/``, from ``web/``) served at ``/``.

``index.html`` answers the portal's screens (the paths its router knows, ``SCREENS``); the
hashed files under ``/assets/`` never change under their name, so browsers keep them for a
year. Everything is corpcare's own: the CSP allows no inline script and no other origin, and
no page may frame the portal. The persisted-documents manifest beside ``index.html`` is not
served; ``register_at_start`` stores it at start-up so the portal runs in safelist mode.
"""

from __future__ import annotations

import gzip
from pathlib import Path

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from server.portal.manifest import register_at_start

__all__ = ["CSP", "DIST", "SCREENS", "register_at_start", "routes"]

DIST = Path(__file__).parent / "dist"
# The router's paths (web/src/screens.ts, ":id" there is "{id}" here); any other path is not the portal's.
SCREENS = ("/", "/lines", "/me", "/lines/{id}", "/reports")
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
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSED = (".js", ".css", ".svg", ".json", ".map", ".txt")


async def index(request: Request) -> Response:
    # Revalidated each time: a release changes the asset names index.html points at.
    body = (DIST / "index.html").read_bytes()
    headers = {**FRAMING, "Cache-Control": "no-cache", "Referrer-Policy": "same-origin"}
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


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


def routes() -> list[BaseRoute]:
    """The screens' paths and ``/assets/``."""
    screens: list[BaseRoute] = [Route(path, index, methods=["GET", "HEAD"]) for path in SCREENS]
    return [*screens, Mount("/assets", app=_HashedAssets(directory=DIST / "assets"), name="portal-assets")]
