"""Signing in through the operator's identity provider: OpenID Connect's authorization code flow
with PKCE, for a confidential client (the server holds the client secret; the browser never sees a
token).

``/auth/sign-in`` (``server/sign_in.py``) draws a state, a nonce and a PKCE verifier, keeps them in a short-lived signed
cookie (``HttpOnly``; ``SameSite=Lax``, so that the provider's redirect back, a top-level GET,
carries it) and sends the browser to the provider. ``/auth/callback`` checks the state against
that cookie, exchanges the code at the token endpoint (with the verifier and the client secret),
verifies the ID token (signature by the provider's published keys, issuer, audience, expiry,
nonce), finds the portal user its login claim names, begins a session (``server/sessions.py``)
and sends the browser where its sign-in began. Anything wrong ends on a plain page that says
what, with a link to try again; nothing of a failed attempt is kept.

The provider's metadata comes from its discovery document, read once per process.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import html
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from permissions.service_accounts import is_service_account
from server.settings import Settings

log = logging.getLogger("corpcare.auth")

CALLBACK = "/auth/callback"
DEVELOPMENT_FLOW_COOKIE = "corpcare_sign_in"
PRODUCTION_FLOW_COOKIE = "__Host-corpcare_sign_in"
FLOW_SECONDS = 600  # a sign-in not finished within ten minutes starts again
PROVIDER_SECONDS = 10.0
_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"


class SignInFailed(Exception):
    """A sign-in that cannot finish; its message is shown to the person signing in."""


@dataclass(frozen=True, slots=True)
class Provider:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks: jwt.PyJWKClient


class OpenIdSignIn:
    """The two routes of the code flow, and what they need to remember of the provider."""

    def __init__(self, settings: Settings) -> None:
        assert settings.oidc_issuer and settings.oidc_client_id and settings.oidc_client_secret
        self.settings = settings
        self.issuer = settings.oidc_issuer.rstrip("/")
        self.client_id = settings.oidc_client_id
        self.client_secret = settings.oidc_client_secret
        # The flow cookie is signed with a key only this deployment knows (derived from its client secret).
        self._flow_key = hashlib.sha256(b"corpcare sign-in flow\0" + self.client_secret.encode()).digest()
        self._provider: Provider | None = None
        self._discovering = asyncio.Lock()

    @property
    def flow_cookie(self) -> str:
        return DEVELOPMENT_FLOW_COOKIE if self.settings.development else PRODUCTION_FLOW_COOKIE

    async def provider(self) -> Provider:
        async with self._discovering:
            if self._provider is None:
                url = f"{self.issuer}/.well-known/openid-configuration"
                async with httpx.AsyncClient(timeout=PROVIDER_SECONDS) as http:
                    metadata = (await http.get(url)).raise_for_status().json()
                if metadata.get("issuer", "").rstrip("/") != self.issuer:
                    raise SignInFailed("The identity provider names another issuer than the one configured.")
                self._provider = Provider(
                    issuer=metadata["issuer"],
                    authorization_endpoint=metadata["authorization_endpoint"],
                    token_endpoint=metadata["token_endpoint"],
                    jwks=jwt.PyJWKClient(metadata["jwks_uri"], cache_keys=True, timeout=int(PROVIDER_SECONDS)),
                )
        return self._provider

    def redirect_uri(self, request: Request) -> str:
        return self.settings.oidc_redirect_url or str(request.url.replace(path=CALLBACK, query=""))

    async def start(self, request: Request, target: str) -> Response:
        """Off to the provider, with this attempt's state, nonce and PKCE challenge remembered."""
        try:
            provider = await self.provider()
        except (httpx.HTTPError, KeyError, ValueError, SignInFailed) as error:
            log.warning("the identity provider's discovery failed: %s", error)
            return failure("The identity provider cannot be reached. Try again in a moment.", status=503)
        state, nonce, verifier = (secrets.token_urlsafe(32) for _ in range(3))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        query = urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": self.redirect_uri(request),
            "scope": "openid profile email", "state": state, "nonce": nonce,
            "code_challenge": challenge, "code_challenge_method": "S256",
        })  # fmt: skip
        response = RedirectResponse(f"{provider.authorization_endpoint}?{query}", status_code=303)
        flow = {"state": state, "nonce": nonce, "verifier": verifier, "next": target,
                "exp": int(time.time()) + FLOW_SECONDS}  # fmt: skip
        response.set_cookie(
            self.flow_cookie, jwt.encode(flow, self._flow_key, algorithm="HS256"), max_age=FLOW_SECONDS,
            path="/", secure=not self.settings.development, httponly=True, samesite="lax",
        )  # fmt: skip
        return response

    async def finish(self, request: Request) -> tuple[str, str]:
        """The login the provider vouches for and where to go next; ``SignInFailed`` otherwise."""
        params = request.query_params
        if "error" in params:
            raise SignInFailed(f"The identity provider refused the sign-in ({params['error'][:100]}).")
        flow = self._flow(request)
        if not secrets.compare_digest(str(params.get("state", "")), flow["state"]):
            raise SignInFailed("This sign-in was not started here, or was started again since.")
        code = params.get("code")
        if not code:
            raise SignInFailed("The identity provider sent no code.")
        provider = await self.provider()
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": self.redirect_uri(request),
                "code_verifier": flow["verifier"]}  # fmt: skip
        try:
            async with httpx.AsyncClient(timeout=PROVIDER_SECONDS) as http:
                answer = await http.post(provider.token_endpoint, data=form, auth=(self.client_id, self.client_secret))
            tokens = answer.raise_for_status().json()
            claims = await self._claims(provider, str(tokens["id_token"]), flow["nonce"])
        except (httpx.HTTPError, KeyError, ValueError, TypeError) as error:
            log.warning("the identity provider's token exchange failed: %s", error)
            raise SignInFailed("The identity provider did not confirm the sign-in.") from None
        login = claims.get(self.settings.oidc_login_claim)
        if not isinstance(login, str) or not login or is_service_account(login):
            raise SignInFailed("The identity provider named no portal user.")
        return login, str(flow["next"])

    def _flow(self, request: Request) -> dict[str, Any]:
        cookie = request.cookies.get(self.flow_cookie)
        if not cookie:
            raise SignInFailed("This sign-in was not started here, or took too long.")
        try:
            return dict(jwt.decode(cookie, self._flow_key, algorithms=["HS256"], options={"require": ["exp"]}))
        except jwt.PyJWTError:
            raise SignInFailed("This sign-in was not started here, or took too long.") from None

    async def _claims(self, provider: Provider, id_token: str, nonce: str) -> dict[str, Any]:
        try:
            key = (await asyncio.to_thread(provider.jwks.get_signing_key_from_jwt, id_token)).key
            claims: dict[str, Any] = jwt.decode(
                id_token, key, algorithms=["RS256", "ES256", "PS256"], audience=self.client_id,
                issuer=provider.issuer, options={"require": ["exp", "iat", "sub", "nonce"]},
            )  # fmt: skip
        except jwt.PyJWTError as error:
            log.warning("an ID token was refused: %s", error)
            raise SignInFailed("The identity provider's answer could not be verified.") from None
        if not secrets.compare_digest(str(claims["nonce"]), nonce):
            raise SignInFailed("The identity provider's answer was not for this sign-in.")
        return claims

    def forget_flow(self, response: Response) -> None:
        """The attempt's cookie cleared: a code is used once, and so is its state."""
        response.delete_cookie(
            self.flow_cookie, path="/", secure=not self.settings.development, httponly=True, samesite="lax"
        )


def failure(message: str, *, status: int = 400) -> HTMLResponse:
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign-in failed — corpcare</title></head>
<body><main><h1>Sign-in failed</h1><p role="alert">{html.escape(message)}</p>
<p><a href="/auth/sign-in">Sign in again</a></p></main></body></html>
"""
    return HTMLResponse(body, status_code=status, headers={"Content-Security-Policy": _PAGE_CSP})
