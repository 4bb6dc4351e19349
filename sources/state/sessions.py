"""The portal's sign-in sessions: begun at sign-in, found by the browser's cookie, ended at
sign-out, once idle too long, or once old enough whatever their use.

The cookie holds 32 random bytes; only their SHA-256 is stored (as for API keys: a slow hash
guards guessable secrets, 256 random bits cannot be guessed from a fast one, and a session is
checked on every request). Every sign-in begins a new session, so a secret planted in a browser
before it signs in is worth nothing after (session fixation). A session in use is marked as seen
at most once a minute (``TOUCH_EVERY``), by any process: no write per request. Sessions are kept
in the state database, which every server process shares.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, or_, select, update

from core.values import aware
from sources.db import SqlSource
from sources.state.models import PortalSessionRecord

_S = PortalSessionRecord
_SECRET = re.compile(r"^[A-Za-z0-9_-]{43}$")
TOUCH_EVERY = timedelta(minutes=1)


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


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SessionStore(SqlSource):
    async def begin(self, login: str, now: datetime, times: SessionTimes, *, ending: str | None = None) -> str:
        """A new session for ``login`` and its secret (the cookie's value); the session ``ending``
        names (the browser's previous one, if any) ends in the same transaction, and sessions
        past their time are cleared away."""
        secret = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode().rstrip("=")
        now = now.astimezone(UTC)  # SQLite keeps wall-clock time without a zone: UTC everywhere
        async with self.backend.begin() as conn:
            if ending is not None and _SECRET.match(ending):
                await conn.execute(delete(_S).where(_S.secret_hash == _digest(ending)))
            await conn.execute(
                delete(_S).where(or_(_S.last_seen_at <= now - times.idle, _S.created_at <= now - times.absolute))
            )
            await conn.execute(
                insert(_S).values(secret_hash=_digest(secret), login=login, created_at=now, last_seen_at=now)
            )
        return secret

    async def find(self, secret: str, now: datetime, times: SessionTimes) -> PortalSession | None:
        """The live session ``secret`` names, marked as seen now (at most once a minute); None for
        an unknown, ended or malformed secret and for one past its time (then deleted)."""
        if not _SECRET.match(secret):
            return None
        hashed = _digest(secret)
        rows = await self._rows(select(_S.login, _S.created_at, _S.last_seen_at).where(_S.secret_hash == hashed))
        if not rows:
            return None
        row = rows[0]
        session = PortalSession(hashed, row.login, aware(row.created_at), aware(row.last_seen_at))
        if not session.live(now, times):
            await self._delete(hashed)
            return None
        if now - session.last_seen_at >= TOUCH_EVERY:
            statement = (
                update(_S)
                .where(_S.secret_hash == hashed, _S.last_seen_at <= now - TOUCH_EVERY)
                .values(last_seen_at=now.astimezone(UTC))
            )
            async with self.backend.begin() as conn:
                await conn.execute(statement)
        return session

    async def end(self, secret: str) -> bool:
        """End the session ``secret`` names; False when there was none."""
        return _SECRET.match(secret) is not None and await self._delete(_digest(secret))

    async def _delete(self, hashed: str) -> bool:
        async with self.backend.begin() as conn:
            return (await conn.execute(delete(_S).where(_S.secret_hash == hashed))).rowcount > 0
