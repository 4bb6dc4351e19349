"""The portal's sign-in sessions in Redis (``sources/state/sessions.py`` says what a store does).

A session is a hash (login, when it began, when it was last seen) under its secret's SHA-256,
expiring by itself when it would end unseen: at the earlier of its idle and its absolute limit,
moved on each time it is marked as seen. Unlike the cache, this store is not optional once
configured: when Redis does not answer, nobody can be told signed in, and the caller hears so
(``BackendUnavailable``, a 503) rather than being signed out.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis.exceptions import RedisError

from core.errors import BackendUnavailable
from core.sessions import TOUCH_EVERY, PortalSession, SessionTimes, new_secret, secret_hash
from infra.redis_client import redis_client


class RedisSessionStore:
    def __init__(self, url: str, prefix: str = "corpcare:", timeout_seconds: float = 0.5) -> None:
        self._redis = redis_client(url, timeout_seconds)
        self._prefix = f"{prefix}session:"

    async def begin(self, login: str, now: datetime, times: SessionTimes, *, ending: str | None = None) -> str:
        secret = new_secret()
        hashed = secret_hash(secret)
        assert hashed is not None
        stamp = now.timestamp()
        ended = secret_hash(ending) if ending is not None else None
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                if ended is not None:
                    pipe.delete(self._prefix + ended)
                pipe.hset(self._prefix + hashed, mapping={"login": login, "created": stamp, "seen": stamp})
                pipe.pexpire(self._prefix + hashed, _milliseconds(min(times.idle, times.absolute)))
                await pipe.execute()
        except (RedisError, OSError) as error:
            raise _unavailable(error) from error
        return secret

    async def find(self, secret: str, now: datetime, times: SessionTimes) -> PortalSession | None:
        hashed = secret_hash(secret)
        if hashed is None:
            return None
        key = self._prefix + hashed
        try:
            fields = await self._redis.hgetall(key)
            if not fields:
                return None
            values = {_text(name): _text(value) for name, value in fields.items()}
            session = PortalSession(
                hashed,
                values["login"],
                datetime.fromtimestamp(float(values["created"]), UTC),
                datetime.fromtimestamp(float(values["seen"]), UTC),
            )
            if not session.live(now, times):
                await self._redis.delete(key)
                return None
            if now - session.last_seen_at >= TOUCH_EVERY:
                seen = PortalSession(hashed, session.login, session.created_at, now)
                async with self._redis.pipeline(transaction=True) as pipe:
                    pipe.hset(key, "seen", now.timestamp())
                    pipe.pexpire(key, _milliseconds(seen.left(now, times)))
                    await pipe.execute()
        except (RedisError, OSError) as error:
            raise _unavailable(error) from error
        return session

    async def end(self, secret: str) -> bool:
        hashed = secret_hash(secret)
        if hashed is None:
            return False
        try:
            return bool(await self._redis.delete(self._prefix + hashed))
        except (RedisError, OSError) as error:
            raise _unavailable(error) from error

    async def close(self) -> None:
        await self._redis.aclose()


def _milliseconds(span: timedelta) -> int:
    return max(int(span.total_seconds() * 1000), 1)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _unavailable(error: BaseException) -> BackendUnavailable:
    return BackendUnavailable(f"The session store (Redis) did not answer: {type(error).__name__}.", backend="redis")
