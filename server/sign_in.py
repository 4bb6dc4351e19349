"""The routes that begin and end a portal session (``server/sessions.py``).

- ``/auth/sign-in``: with an identity provider configured, off to it (``server/oidc.py``), and
  back at ``/auth/callback``. Without one, development serves a page listing the database's
  people (the demo users, on the demo; a button signs in as that user); production serves
  nothing there (bearer tokens and API keys still work).
- ``/auth/sign-out`` (POST, with the preflight header): the session ends on the server.

Where to go after signing in (``next``) is a path of this site only, never another site.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from core.errors import BackendUnavailable
from permissions.service_accounts import is_service_account
from server.auth import storable_login
from server.oidc import CALLBACK, OpenIdSignIn, SignInFailed, failure
from server.sessions import begin_session, end_session, has_preflight_header, same_origin
from server.settings import Settings
from sources import Sources

SIGN_IN = "/auth/sign-in"
SIGN_OUT = "/auth/sign-out"
FORM_PATHS = (SIGN_IN,)  # a form's POST: HttpGuard lets it through, the route checks its Origin
Endpoint = Callable[[Request], Awaitable[Response]]
PEOPLE_LISTED = 50
# The demo sign-in page runs no script and loads nothing: its policy allows nothing but posting its form.
_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"


def routes(settings: Settings) -> list[BaseRoute]:
    found: list[BaseRoute] = [Route(SIGN_OUT, _answered(_sign_out(settings)), methods=["POST"])]
    if settings.oidc_issuer:
        provider = OpenIdSignIn(settings)
        found += [
            Route(SIGN_IN, _answered(_off_to(provider)), methods=["GET"]),
            Route(CALLBACK, _answered(_back_from(provider, settings))),
        ]
    elif settings.development:
        found.append(Route(SIGN_IN, _answered(_demo_sign_in(settings)), methods=["GET", "POST"]))
    return found


def _answered(endpoint: Endpoint) -> Endpoint:
    """A store of users or sessions that does not answer is said plainly (503), never a 500."""

    async def answered(request: Request) -> Response:
        try:
            return await endpoint(request)
        except BackendUnavailable:
            response = failure("Signing in is not possible right now: try again in a moment.", status=503)
            response.headers["Retry-After"] = "5"
            return response

    return answered


def local_path(value: str | None) -> str:
    """Where to go after signing in: a path of this site only (never ``//elsewhere`` or a URL)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    if not value.isprintable() or any(ch.isspace() for ch in value):  # "/\t/elsewhere" is "//elsewhere" to a browser
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def _sign_out(settings: Settings) -> Endpoint:
    async def sign_out(request: Request) -> Response:
        """Ends the session server-side and clears the cookie; 204 either way (signed out is signed out)."""
        if not has_preflight_header(request):
            return _refused("Signing out needs the X-Corpcare-Preflight header (CSRF protection).")
        response = Response(status_code=204)
        await end_session(request, response, settings)
        return response

    return sign_out


def _off_to(provider: OpenIdSignIn) -> Endpoint:
    async def sign_in(request: Request) -> Response:
        return await provider.start(request, local_path(request.query_params.get("next")))

    return sign_in


def _back_from(provider: OpenIdSignIn, settings: Settings) -> Endpoint:
    async def callback(request: Request) -> Response:
        response: Response
        try:
            login, target = await provider.finish(request)
            if not _could_sign_in(login) or await request.app.state.principals.for_login(login) is None:
                raise SignInFailed("You have no access to this portal: ask your company's administrator.")
        except SignInFailed as error:
            response = failure(str(error))
        else:
            response = RedirectResponse(local_path(target), status_code=303)
            await begin_session(request, response, settings, login)
        provider.forget_flow(response)
        return response

    return callback


def _could_sign_in(login: str) -> bool:
    return storable_login(login) and not is_service_account(login)


def _demo_sign_in(settings: Settings) -> Endpoint:
    async def sign_in(request: Request) -> Response:
        """Development only: the database's people as buttons; a button signs in as that user."""
        target = local_path(request.query_params.get("next"))
        if request.method == "GET":
            return _page(target, await _people(request))
        # A form cannot carry the preflight header: it must come from this server's own page.
        if not same_origin(request, settings):
            return _refused("Sign in from this server's own sign-in page.")
        form = await _form(request)
        login = form.get("login", "")
        target = local_path(form.get("next") or target)
        if not _could_sign_in(login) or await request.app.state.principals.for_login(login) is None:
            return _page(target, await _people(request), error="That user cannot sign in.", status=400)
        response = RedirectResponse(target, status_code=303)
        await begin_session(request, response, settings, login)
        return response

    return sign_in


async def _form(request: Request) -> dict[str, str]:
    """An HTML form's fields (``application/x-www-form-urlencoded``, the only kind the page sends)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/x-www-form-urlencoded":
        return {}
    try:
        fields = parse_qs((await request.body()).decode(), max_num_fields=10)
    except (UnicodeDecodeError, ValueError):
        return {}
    return {name: values[0] for name, values in fields.items()}


def _refused(message: str) -> Response:
    return JSONResponse({"errors": [{"message": message, "extensions": {"code": "FORBIDDEN"}}]}, status_code=403)


async def _people(request: Request) -> list[tuple[str, str, str]]:
    sources: Sources = request.app.state.sources
    return await sources.crm.people_who_sign_in(PEOPLE_LISTED)


def _page(
    target: str, people: list[tuple[str, str, str]], *, error: str | None = None, status: int = 200
) -> HTMLResponse:
    rows = "\n".join(
        f'<li><button name="login" value="{html.escape(login)}">{html.escape(login)}</button>'
        f" <span>{html.escape(name)}, {html.escape(role.replace('_', ' '))}</span></li>"
        for login, role, name in people
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
<h1>Sign in as a user of this database</h1>
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
    # With the default ``no-referrer``, Chromium posts the form with ``Origin: null``.
    headers = {"Content-Security-Policy": _PAGE_CSP, "Referrer-Policy": "same-origin"}
    return HTMLResponse(body, status_code=status, headers=headers)
