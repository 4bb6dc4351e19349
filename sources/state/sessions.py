"""The portal's sign-in sessions (``core/sessions.py``): begun at sign-in, found by the browser's
cookie, ended at sign-out, once idle too long, or once old enough whatever their use.

Every sign-in begins a new session, so a secret planted in a browser before it signs in is worth
nothing after (session fixation). Two stores keep them, each shared by every server process: the
state database (``SqlSessionStore``, the embedded default) and Redis when one is configured
(``infra/redis_sessions.py``), where each session expires by itself.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, insert, or_, select, update

from core.sessions import TOUCH_EVERY, PortalSession, SessionTimes, new_secret, secret_hash
from core.values import aware
from sources.db import SqlSource
from sources.state.models import PortalSessionRecord

_S = PortalSessionRecord


class SessionStore(Protocol):
    async def begin(self, login: str, now: datetime, times: SessionTimes, *, ending: str | None = None) -> str:
        """A new session for ``login`` and its secret (the cookie's value); the session ``ending``
        names (the browser's previous one, if any) ends with it."""
        ...

    async def find(self, secret: str, now: datetime, times: SessionTimes) -> PortalSession | None:
        """The live session ``secret`` names, marked as seen now (at most once a minute); None for
        an unknown, ended or malformed secret and for one past its time."""
        ...

    async def end(self, secret: str) -> bool:
        """End the session ``secret`` names; False when there was none."""
        ...


class SqlSessionStore(SqlSource):
    """Sessions in the state database; those past their time are deleted when found, and at each sign-in."""

    async def begin(self, login: str, now: datetime, times: SessionTimes, *, ending: str | None = None) -> str:
        secret = new_secret()
        now = now.astimezone(UTC)  # SQLite keeps wall-clock time without a zone: UTC everywhere
        ended = secret_hash(ending) if ending is not None else None
        async with self.backend.begin() as conn:
            if ended is not None:
                await conn.execute(delete(_S).where(_S.secret_hash == ended))
            await conn.execute(
                delete(_S).where(or_(_S.last_seen_at <= now - times.idle, _S.created_at <= now - times.absolute))
            )
            await conn.execute(
                insert(_S).values(secret_hash=secret_hash(secret), login=login, created_at=now, last_seen_at=now)
            )
        return secret

    async def find(self, secret: str, now: datetime, times: SessionTimes) -> PortalSession | None:
        hashed = secret_hash(secret)
        if hashed is None:
            return None
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
        hashed = secret_hash(secret)
        return hashed is not None and await self._delete(hashed)

    async def _delete(self, hashed: str) -> bool:
        async with self.backend.begin() as conn:
            return (await conn.execute(delete(_S).where(_S.secret_hash == hashed))).rowcount > 0
