"""Portal sign-in sessions as values: their time limits, and the secret a browser holds.

The cookie holds 32 random bytes; only their SHA-256 is stored (as for API keys: a slow hash
guards guessable secrets, 256 random bits cannot be guessed from a fast one, and a session is
checked on every request). A session in use is marked as seen at most once a minute
(``TOUCH_EVERY``): no write per request.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

TOUCH_EVERY = timedelta(minutes=1)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True, slots=True)
class SessionTimes:
    """How long a session lasts: ``idle`` since it was last seen, ``absolute`` since sign-in."""

    idle: timedelta
    absolute: timedelta


@dataclass(frozen=True, slots=True)
class PortalSession:
    secret_hash: str
    login: str
    created_at: datetime
    last_seen_at: datetime

    def live(self, now: datetime, times: SessionTimes) -> bool:
        return now - self.last_seen_at < times.idle and now - self.created_at < times.absolute

    def left(self, now: datetime, times: SessionTimes) -> timedelta:
        """How long it lasts from ``now`` if not seen again."""
        return min(self.last_seen_at + times.idle, self.created_at + times.absolute) - now


def new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")


def secret_hash(secret: str) -> str | None:
    """The stored form of a secret; None for anything that cannot be one (never looked up)."""
    return hashlib.sha256(secret.encode()).hexdigest() if _SECRET.match(secret) else None
