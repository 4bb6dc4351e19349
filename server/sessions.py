"""Signing in to the portal with a browser: a session cookie, and the pages that begin and end it.

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

Development serves a sign-in page listing the demo users (``/auth/sign-in``); production signs in
through the operator's identity provider instead, and never serves that page.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.text import LOGIN
from demo.users import DEMO_USERS
from permissions.service_accounts import is_service_account
from server.settings import Settings
from sources import Sources

DEVELOPMENT_COOKIE = "corpcare_session"
# ``__Host-``: only a secure page of this exact host may set it, for the whole site.
PRODUCTION_COOKIE = "__Host-corpcare_session"
PREFLIGHT_HEADERS = ("x-corpcare-preflight", "apollo-require-preflight")
SIGN_IN = "/auth/sign-in"
SIGN_OUT = "/auth/sign-out"
FORM_PATHS = (SIGN_IN,)  # a form's POST: HttpGuard lets it through, the route checks its Origin
# The sign-in page runs no script and loads nothing: its policy allows nothing but posting its forms.
Endpoint = Callable[[Request], Awaitable[Response]]
_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def cookie_name(settings: Settings) -> str:
    return DEVELOPMENT_COOKIE if settings.development else PRODUCTION_COOKIE


def session_secret(conn: HTTPConnection, settings: Settings) -> str | None:
    """The session secret the browser sent, if any."""
    return conn.cookies.get(cookie_name(settings)) or None


def has_preflight_header(conn: HTTPConnection) -> bool:
    return any(name in conn.headers for name in PREFLIGHT_HEADERS)


def same_origin(conn: HTTPConnection, settings: Settings) -> bool:
    """The request comes from a page of this server or of a listed origin: its ``Origin`` names one."""
    origin = conn.headers.get("origin")
    if not origin:
        return False
    if origin in settings.cors_origins:
        return True
    return urlsplit(origin).netloc.lower() == conn.headers.get("host", "").lower()


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


def _clear_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        cookie_name(settings), path="/", secure=not settings.development, httponly=True, samesite="lax"
    )


def _local_path(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//elsewhere`` or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def routes(settings: Settings) -> list[BaseRoute]:
    sign_out = Route(SIGN_OUT, _sign_out(settings), methods=["POST"])
    if not settings.development:
        return [sign_out]
    return [Route(SIGN_IN, _demo_sign_in(settings), methods=["GET", "POST"]), sign_out]


def _sign_out(settings: Settings) -> Endpoint:
    async def sign_out(request: Request) -> Response:
        """Ends the session server-side and clears the cookie; 204 either way (signed out is signed out)."""
        if not has_preflight_header(request):
            return _refused("Signing out needs the X-Corpcare-Preflight header (CSRF protection).")
        secret = session_secret(request, settings)
        if secret is not None:
            sources: Sources = request.app.state.sources
            await sources.sessions.end(secret)
        response = Response(status_code=204)
        _clear_cookie(response, settings)
        return response

    return sign_out


def _demo_sign_in(settings: Settings) -> Endpoint:
    async def sign_in(request: Request) -> Response:
        """Development only: the demo users as buttons; a button signs in as that user."""
        target = _local_path(request.query_params.get("next"))
        if request.method == "GET":
            return _page(target)
        # A form cannot carry the preflight header: it must come from this server's own page.
        if not same_origin(request, settings):
            return _refused("Sign in from this server's own sign-in page.")
        form = await _form(request)
        login = form.get("login", "")
        target = _local_path(form.get("next") or target)
        sources: Sources = request.app.state.sources
        known = 0 < len(login) <= LOGIN and not is_service_account(login)
        if not known or await request.app.state.principals.for_login(login) is None:
            return _page(target, error="That user cannot sign in.", status=400)
        secret = await sources.sessions.begin(
            login, datetime.now(UTC), settings.session_times, ending=session_secret(request, settings)
        )
        response = RedirectResponse(target, status_code=303)
        _set_cookie(response, settings, secret)
        return response

    return sign_in


async def _form(request: Request) -> dict[str, str]:
    """An HTML form's fields (``application/x-www-form-urlencoded``, the only kind the page sends)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    try:
        fields = parse_qs((await request.body()).decode(), max_num_fields=10, strict_parsing=False)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items()}


def _refused(message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}, status_code=403)


def _page(target: str, *, error: str | None = None, status: int = 200) -> HTMLResponse:
    rows = "\n".join(
        f'<li><button name="login" value="{html.escape(login)}">{html.escape(login)}</button>'
        f" <span>{html.escape(role.replace('_', ' '))}: {html.escape(description)}</span></li>"
        for login, role, description in DEMO_USERS
    )
    alert = f'<p role="alert">{html.escape(error)}</p>' if error else ""
    body = f"""<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in — corpcare (development)</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}}
ul{{list-style:none;padding:0}}li{{margin:.75rem 0}}
button{{font:inherit;padding:.4rem .8rem;min-width:12rem;text-align:left}}</style>
</head>
<body><main>
<h1>Sign in as a demo user</h1>
<p>Development only: production signs in through the operator's identity provider.</p>
{alert}
<form method="post" action="{SIGN_IN}">
<input type="hidden" name="next" value="{html.escape(target)}">
<ul>
{rows}
</ul>
</form>
</main></body>
</html>
"""
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": _PAGE_CSP})
