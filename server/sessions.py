"""A browser signed in to the portal: its session cookie, and how a request shows it comes from a page of ours.

A browser signed in to the portal holds the session's secret in an ``HttpOnly`` cookie that
scripts cannot read (``SameSite=Lax``; ``Secure`` with the ``__Host-`` prefix in production, so
that no other site or sub-domain can set it). The session itself is kept by the server
(``sources/state/sessions.py``): sign-out ends it there, and a copied cookie is then worth
nothing. Every sign-in begins a new session (fixation) and ends the one the browser held.

A cookie is sent by the browser whoever asks, so a request signed in by it must show that a page
of ours sent it: GraphQL over HTTP needs the ``X-Corpcare-Preflight`` header (a cross-site page
cannot send it without a CORS preflight, which only the listed origins pass), and a WebSocket
needs an ``Origin`` of this server or a listed origin (``same_origin``). Bearer tokens and API keys
work as before and need neither.

The routes that begin and end sessions are in ``server/sign_in.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from server.settings import Settings
from sources import Sources

DEVELOPMENT_COOKIE = "corpcare_session"
# ``__Host-``: only a secure page of this exact host may set it, for the whole site.
PRODUCTION_COOKIE = "__Host-corpcare_session"
PREFLIGHT_HEADERS = ("x-corpcare-preflight", "apollo-require-preflight")


def cookie_name(settings: Settings) -> str:
    return DEVELOPMENT_COOKIE if settings.development else PRODUCTION_COOKIE


def session_secret(conn: HTTPConnection, settings: Settings) -> str | None:
    """The session secret the browser sent, if any."""
    return conn.cookies.get(cookie_name(settings)) or None


def has_preflight_header(conn: HTTPConnection) -> bool:
    return any(name in conn.headers for name in PREFLIGHT_HEADERS)


def same_origin(conn: HTTPConnection, settings: Settings) -> bool:
    """The request comes from a page of this server or of a listed origin: its ``Origin`` names one,
    or, where the browser sends ``Origin: null`` (a page under ``Referrer-Policy: no-referrer``),
    its ``Sec-Fetch-Site`` says the page was of this very origin."""
    origin = conn.headers.get("origin")
    if origin in (None, "", "null"):
        return conn.headers.get("sec-fetch-site") == "same-origin"
    if origin in settings.cors_origins:
        return True
    return urlsplit(origin).netloc.lower() == conn.headers.get("host", "").lower()


async def begin_session(request: Request, response: Response, settings: Settings, login: str) -> None:
    """A new session for ``login`` set on ``response``; the one the browser held ends (fixation)."""
    sources: Sources = request.app.state.sources
    secret = await sources.sessions.begin(
        login, datetime.now(UTC), settings.session_times, ending=session_secret(request, settings)
    )
    _set_cookie(response, settings, secret)


async def end_session(request: Request, response: Response, settings: Settings) -> None:
    """The browser's session ended on the server, its cookie cleared."""
    secret = session_secret(request, settings)
    if secret is not None:
        sources: Sources = request.app.state.sources
        await sources.sessions.end(secret)
    response.delete_cookie(
        cookie_name(settings), path="/", secure=not settings.development, httponly=True, samesite="lax"
    )


def _set_cookie(response: Response, settings: Settings, secret: str) -> None:
    response.set_cookie(
        cookie_name(settings),
        secret,
        max_age=settings.session_absolute_seconds,
        path="/",
        secure=not settings.development,
        httponly=True,
        samesite="lax",
    )


def local_path(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//elsewhere`` or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"
