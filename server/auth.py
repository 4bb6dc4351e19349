"""Authentication: a bearer credential becomes a Principal once, before GraphQL runs.

The credential is a JWT for people, or an API key (``cck_…``) for service accounts. A
service account's login never signs in with a token; a person never has an API key.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import jwt
import orjson
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse

from core.crm_records import PortalUserRecord
from core.errors import BackendUnavailable
from core.sessions import SessionTimes
from core.text import LOGIN
from permissions.principal import Principal, principal_cache_key, principal_for
from permissions.service_accounts import is_service_account
from server.sessions import has_preflight_header, session_secret
from server.settings import Settings
from server.tokens import issue_token as issue_token  # where the tests and clients have found it
from sources import Sources
from sources.state.api_keys import looks_like_api_key

log = logging.getLogger("corpcare.auth")

# Tokens remembered as verified, per process (the oldest forgotten first): a few hundred bytes each.
VERIFIED_TOKENS_KEPT = 4096

# One answer for an unknown, tampered, revoked or expired key, and for a disabled account:
# nothing to tell a prober which keys exist.
BAD_API_KEY = "The API key is not valid."


class PrincipalUser(BaseUser):
    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.principal.name


class TokenVerifier:
    """HS256 with the local secret; RS256/ES256 against the issuer's JWKS when configured.

    A portal sends the same token with every request until it expires. Signed with the local
    secret, a token verified once stays valid until its ``exp`` (its ``iat`` and ``nbf`` have
    passed, the secret does not change while the process runs), so it is remembered with its login
    and expiry and only its expiry checked again. Tokens checked against a JWKS are verified every
    time: the issuer may withdraw a key.
    """

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwks_url, cache_keys=True) if settings.jwks_url else None
        self._clock = clock
        self._verified: OrderedDict[str, tuple[str, int]] = OrderedDict()  # token → (login, exp)

    async def login_of(self, token: str) -> str:
        known = self._verified.get(token)
        if known is not None:
            login, expires = known
            if expires <= self._clock():  # as PyJWT judges ``exp``, without leeway
                del self._verified[token]
                raise AuthenticationError("The token has expired.")
            return login
        login, expires = await self._verify(token)
        if self._jwks is None:
            self._verified[token] = (login, expires)
            if len(self._verified) > VERIFIED_TOKENS_KEPT:
                self._verified.popitem(last=False)
        return login

    async def _verify(self, token: str) -> tuple[str, int]:
        settings = self.settings
        options = {"require": ["exp", "sub"], "verify_aud": settings.jwt_audience is not None}
        try:
            if self._jwks is not None:
                key: Any = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
                algorithms = ["RS256", "ES256"]
            else:
                key, algorithms = settings.jwt_secret, settings.jwt_algorithms
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=settings.jwt_audience,
                issuer=settings.jwt_issuer,
                options=options,  # type: ignore[arg-type]
            )
        except jwt.ExpiredSignatureError:
            raise AuthenticationError("The token has expired.") from None
        except (jwt.PyJWTError, ValueError):
            raise AuthenticationError("The token is not valid.") from None
        if not storable_login(claims["sub"]):
            # Validly signed, but naming no login the CRM could hold (a NUL, a lone surrogate,
            # too long, not a string): nobody, said as for any bad token, before a database sees it.
            raise AuthenticationError("The token is not valid.")
        return str(claims["sub"]), int(claims["exp"])


def storable_login(sub: object) -> bool:
    """Whether a token's subject could be a portal user's login: a string of printable
    characters (no NUL, control character or lone surrogate) that fits the login column."""
    return isinstance(sub, str) and 0 < len(sub) <= LOGIN and sub.isprintable()


class Principals:
    """Portal users by login, cached briefly (in Redis when configured) to spare the CRM."""

    def __init__(self, sources: Sources, ttl_seconds: float) -> None:
        self.sources = sources
        self.ttl_seconds = ttl_seconds

    async def for_login(self, login: str) -> Principal | None:
        key = principal_cache_key(login)
        user = await self._cached(key)
        if user is None:
            user = await self.sources.crm.portal_user_by_login(login)
            if user is None:
                return None
            await self._remember(key, user)
        return principal_for(user) if user.active else None

    async def for_session(self, secret: str, times: SessionTimes) -> Principal | None:
        """The principal of a live portal session: its store (Redis or the state database) is read
        on every request, so a sign-out anywhere ends it everywhere at once."""
        session = await self.sources.sessions.find(secret, datetime.now(UTC), times)
        if session is None or is_service_account(session.login):
            return None
        return await self.for_login(session.login)

    async def for_api_key(self, secret: str) -> Principal | None:
        """The service account's principal, if the key is valid now.

        The key itself is read from the state database on every request (one lookup by its
        unique id), never cached: a revoked key is refused from the next request on, in every
        server process. Only the account's role and grants come through the principal cache,
        as for anyone, and are forgotten when they change.
        """
        now = datetime.now(UTC)
        key = await self.sources.api_keys.verify(secret, now)
        if key is None or not is_service_account(key.login):
            return None
        principal = await self.for_login(key.login)
        if principal is None or principal.user_id != key.user_id:
            return None
        try:
            await self.sources.api_keys.touch(key, now)
        except Exception:  # when the key was used is worth knowing, not worth failing a request for
            log.warning("could not record the use of API key %s", key.prefix, exc_info=True)
        return principal

    # The cache only spares the CRM a query; it never fails a request (infra/cache.py).

    async def _cached(self, key: str) -> PortalUserRecord | None:
        cached = await self.sources.cache.get(key)
        if cached is None:
            return None
        data = orjson.loads(cached)
        data["granted_paths"] = tuple(data["granted_paths"])
        data["granted_unit_ids"] = tuple(data["granted_unit_ids"])
        return PortalUserRecord(**data)

    async def _remember(self, key: str, user: PortalUserRecord) -> None:
        await self.sources.cache.set(key, orjson.dumps(asdict(user)), self.ttl_seconds)


class BearerAuth(AuthenticationBackend):
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.verifier = TokenVerifier(settings)

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        if conn.scope["type"] == "websocket":
            return None  # signed in by its connection_init message (GraphQLEndpoint.on_ws_connect)
        path = conn.url.path
        if path == "/graphql":
            if self._is_ide_page(conn):
                return None
        elif path != "/graphql/stream" and not path.startswith("/reports/"):
            return None
        given = conn.headers.get("authorization")
        secret = session_secret(conn, self.settings) if given is None else None
        if secret is not None:
            principal = await self.principal_of_session(conn, secret)
        else:
            scheme, _, token = (given or "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise AuthenticationError("Sign in: send 'Authorization: Bearer <token>'.")
            principal = await self.principal_of(conn, token.strip())
        return AuthCredentials([p.value for p in principal.permissions]), PrincipalUser(principal)

    async def principal_of_session(self, conn: HTTPConnection, secret: str) -> Principal:
        """The principal a portal session cookie names (``server/sessions.py``). A browser sends the
        cookie whoever asks it to, so GraphQL over HTTP must also show a page of ours sent it."""
        if conn.scope["type"] == "http" and conn.url.path.startswith("/graphql") and not has_preflight_header(conn):
            raise CrossSiteRefused(
                "A request signed in by the portal's cookie needs the X-Corpcare-Preflight header (CSRF protection)."
            )
        principals: Principals = conn.app.state.principals
        try:
            principal = await principals.for_session(secret, self.settings.session_times)
        except BackendUnavailable as error:
            raise SignInUnavailable(error.message) from error
        if principal is None:
            raise AuthenticationError("The sign-in has ended: sign in again.")
        return principal

    async def principal_of(self, conn: HTTPConnection, token: str) -> Principal:
        """The principal a bearer token (JWT or API key) names; AuthenticationError otherwise."""
        try:
            return await self._principal(conn, token)
        except BackendUnavailable as error:
            raise SignInUnavailable(error.message) from error

    async def _principal(self, conn: HTTPConnection, token: str) -> Principal:
        principals: Principals = conn.app.state.principals
        if looks_like_api_key(token):
            principal = await principals.for_api_key(token)
            if principal is None:
                raise AuthenticationError(BAD_API_KEY)
        else:
            login = await self.verifier.login_of(token)
            # A service account has no sign-in: a token naming one is refused like an unknown user's.
            principal = None if is_service_account(login) else await principals.for_login(login)
            if principal is None:
                raise AuthenticationError("The token's user is unknown or disabled.")
        return principal

    def _is_ide_page(self, conn: HTTPConnection) -> bool:
        accept = conn.headers.get("accept", "")
        return (
            self.settings.development
            and conn.scope.get("method") == "GET"
            # A GET naming a persisted query (only its hash) is a GraphQL request, not the page.
            and "query" not in conn.query_params
            and "extensions" not in conn.query_params
            and ("text/html" in accept or "*/*" in accept)
        )


class SignInUnavailable(AuthenticationError):
    """The CRM or the state database could not be asked who the caller is."""


class CrossSiteRefused(AuthenticationError):
    """A cookie-signed request that does not show it comes from a page of ours."""


def unauthenticated(_conn: HTTPConnection, error: Exception) -> JSONResponse:
    if isinstance(error, SignInUnavailable):
        return JSONResponse(
            {"data": None, "errors": [{"message": str(error), "extensions": {"code": "BACKEND_UNAVAILABLE"}}]},
            status_code=503,
            headers={"Retry-After": "1"},
        )
    if isinstance(error, CrossSiteRefused):
        return JSONResponse(
            {"data": None, "errors": [{"message": str(error), "extensions": {"code": "FORBIDDEN"}}]}, status_code=403
        )
    return JSONResponse(
        {"data": None, "errors": [{"message": str(error), "extensions": {"code": "UNAUTHENTICATED"}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="corpcare"'},
    )
