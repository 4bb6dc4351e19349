"""Development tokens: HS256 JWTs signed with the local secret (``corpcare token``, the tests).

Apart from ``server/auth.py``, which checks them, so that the command line signs one without
loading the server."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

import jwt

if TYPE_CHECKING:
    from server.settings import Settings


def issue_token(settings: Settings, login: str, *, ttl_seconds: int | None = None) -> str:
    """A development token (HS256, signed with the local secret)."""
    now = int(time.time())
    claims: dict[str, Any] = {"sub": login, "iat": now, "exp": now + (ttl_seconds or settings.token_ttl_seconds)}
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


__all__ = ["issue_token"]
