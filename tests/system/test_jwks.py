"""Production tokens: RS256 and ES256 verified against an issuer's key set served over HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from server.app import create_app
from server.settings import Settings

ISSUER = "https://issuer.corpcare.test"
AUDIENCE = "corpcare"
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())


def public_jwk(key: object, algorithm: type[RSAAlgorithm] | type[ECAlgorithm], kid: str, alg: str) -> dict:
    jwk = json.loads(algorithm.to_jwk(key.public_key()))  # type: ignore[attr-defined]
    return jwk | {"kid": kid, "alg": alg, "use": "sig"}


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    body = json.dumps(
        {
            "keys": [
                public_jwk(RSA_KEY, RSAAlgorithm, "rsa-1", "RS256"),
                public_jwk(EC_KEY, ECAlgorithm, "ec-1", "ES256"),
            ]
        }
    ).encode()

    class KeySet(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), KeySet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/.well-known/jwks.json"
    server.shutdown()
    server.server_close()


def token(key: object, alg: str, kid: str, **claims: object) -> str:
    payload = {"sub": "acme.finance", "iss": ISSUER, "aud": AUDIENCE, "exp": 4_000_000_000} | claims
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})  # type: ignore[arg-type]


async def test_rs256_and_es256_tokens_from_the_issuer_are_accepted_and_others_refused(world, jwks_url):
    settings = Settings(_env_file=None, env="production", jwks_url=jwks_url, jwt_issuer=ISSUER, jwt_audience=AUDIENCE)  # type: ignore[call-arg]
    app = create_app(settings, sources=world.sources)
    query = {"query": "{ viewer { login } }"}
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        for good in (token(RSA_KEY, "RS256", "rsa-1"), token(EC_KEY, "ES256", "ec-1")):
            response = await http.post("/graphql", json=query, headers={"Authorization": f"Bearer {good}"})
            assert response.status_code == 200, response.text
            assert response.json()["data"] == {"viewer": {"login": "acme.finance"}}
        refused = [
            token(other_rsa, "RS256", "rsa-1"),  # right key id, wrong key
            token(RSA_KEY, "RS256", "rsa-1", aud="someone-else"),
            token(RSA_KEY, "RS256", "rsa-1", iss="https://elsewhere.test"),
            token(RSA_KEY, "RS256", "unknown-kid"),
            jwt.encode({"sub": "acme.finance", "exp": 4_000_000_000}, settings.jwt_secret, algorithm="HS256"),
        ]
        for bad in refused:
            response = await http.post("/graphql", json=query, headers={"Authorization": f"Bearer {bad}"})
            assert response.status_code == 401, bad
            assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
