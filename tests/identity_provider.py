"""A small OpenID Connect provider for the tests: discovery, the authorization endpoint (the person
signing in is whoever the test says, consent given), the token endpoint (client secret, PKCE S256,
codes used once) and its keys; served by uvicorn on a loopback port in the test's own event loop.

``misbehave`` makes the ID tokens it signs wrong in one way, to see the portal refuse them.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode

import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.faults import free_port
from tests.waiting import eventually

CLIENT_ID = "corpcare-portal"
CLIENT_SECRET = "portal-client-secret-of-the-tests"


@dataclass
class IdentityProvider:
    issuer: str
    login: str = "acme.admin"  # who signs in at the provider next
    misbehave: str | None = None  # "nonce", "audience", "issuer", "expired", "key"
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    other_key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
        ])  # fmt: skip

    async def discovery(self, _request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })  # fmt: skip

    async def authorize(self, request: Request) -> Response:
        params = request.query_params
        if params.get("client_id") != CLIENT_ID or params.get("response_type") != "code":
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return JSONResponse({"error": "invalid_request", "error_description": "PKCE S256 required"}, 400)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"login": self.login, "nonce": params.get("nonce"), "redirect_uri": params["redirect_uri"],
                            "challenge": params["code_challenge"]}  # fmt: skip
        answer = urlencode({"code": code, "state": params.get("state", "")})
        return RedirectResponse(f"{params['redirect_uri']}?{answer}", status_code=302)

    async def token(self, request: Request) -> Response:
        given = request.headers.get("authorization", "")
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if given != f"Basic {expected}":
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        form = {name: values[0] for name, values in parse_qs((await request.body()).decode()).items()}
        grant = self.codes.pop(str(form.get("code")), None)  # used once
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if challenge != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        return JSONResponse({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                             "id_token": self._id_token(grant)})  # fmt: skip

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": f"person-{grant['login']}", "aud": CLIENT_ID, "iat": now,
                  "exp": now + 300, "nonce": grant["nonce"], "preferred_username": grant["login"]}  # fmt: skip
        key = self.key
        if self.misbehave == "nonce":
            claims["nonce"] = "another"
        elif self.misbehave == "audience":
            claims["aud"] = "another-client"
        elif self.misbehave == "issuer":
            claims["iss"] = "https://elsewhere.example"
        elif self.misbehave == "expired":
            claims["exp"], claims["iat"] = now - 60, now - 400
        elif self.misbehave == "key":
            key = self.other_key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": "test-key"})

    async def jwks(self, _request: Request) -> Response:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [public | {"kid": "test-key", "use": "sig", "alg": "RS256"}]})


@asynccontextmanager
async def identity_provider() -> AsyncIterator[IdentityProvider]:
    """The provider, listening on a loopback port until the block ends."""
    port = free_port()
    provider = IdentityProvider(issuer=f"http://127.0.0.1:{port}")
    server = uvicorn.Server(uvicorn.Config(provider.app(), host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))  # fmt: skip
    serving = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started or serving.done(), "the identity provider to listen")
        if serving.done():
            serving.result()  # it failed to start: say why
        yield provider
    finally:
        server.should_exit = True
        await serving
