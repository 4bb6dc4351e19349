"""Bearer tokens: one signed with the local secret is verified once, then only its expiry is checked."""

from __future__ import annotations

import time

import jwt
import pytest
from starlette.authentication import AuthenticationError

from server.auth import TokenVerifier, issue_token
from server.settings import Settings

SECRET = "unit-test-secret-of-at-least-thirty-two-bytes"


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every token PyJWT is asked to verify."""
    seen: list[str] = []
    real = jwt.decode

    def decode(token: str, *args: object, **kwargs: object) -> object:
        seen.append(token)
        return real(token, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(jwt, "decode", decode)
    return seen


async def test_a_token_is_verified_once_and_refused_as_expired_once_its_time_is_up(decoded):
    settings = Settings(_env_file=None, jwt_secret=SECRET)  # type: ignore[call-arg]
    now = [time.time()]
    verifier = TokenVerifier(settings, clock=lambda: now[0])
    token = issue_token(settings, "acme.admin", ttl_seconds=60)

    for _ in range(3):
        assert await verifier.login_of(token) == "acme.admin"
    assert decoded == [token]

    now[0] += 60
    with pytest.raises(AuthenticationError, match="The token has expired"):
        await verifier.login_of(token)
    # Forgotten: PyJWT judges it again (and, on the real clock, still accepts it).
    assert await verifier.login_of(token) == "acme.admin"
    assert decoded == [token, token]


async def test_a_token_that_fails_verification_is_never_remembered(decoded):
    settings = Settings(_env_file=None, jwt_secret=SECRET)  # type: ignore[call-arg]
    verifier = TokenVerifier(settings)
    forged = issue_token(Settings(_env_file=None, jwt_secret="another-secret-of-at-least-thirty-two-bytes"), "x")  # type: ignore[call-arg]
    expired = issue_token(settings, "acme.admin", ttl_seconds=-1)

    for _ in range(2):
        with pytest.raises(AuthenticationError, match="The token is not valid"):
            await verifier.login_of(forged)
        with pytest.raises(AuthenticationError, match="The token has expired"):
            await verifier.login_of(expired)
    assert decoded == [forged, expired, forged, expired]
