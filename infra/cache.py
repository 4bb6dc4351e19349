"""The cache port: Redis when configured, otherwise an in-process dictionary.

Values are bytes with a time to live. Keys that hold scoped data must carry the scope.
A cache only spares a backend a read, so a Redis that fails or hangs never fails a request:
reads miss, writes are dropped (and logged), invalidations wait until Redis answers again, and
after a few failures in a row Redis is left alone for a while (a circuit breaker) so requests
do not each wait out its timeout.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Protocol

from redis.exceptions import RedisError

from infra.breaker import Breaker
from infra.redis_client import answers, redis_client
from infra.telemetry import Observer

log = logging.getLogger("corpcare.cache")


class Cache(Protocol):
    async def get(self, key: str) -> bytes | None: ...
    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...
    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None: ...
    async def set_many(self, values: Mapping[str, bytes], ttl_seconds: float) -> None: ...
    async def delete(self, *keys: str) -> None: ...
    async def ping(self) -> bool: ...
    async def close(self) -> None: ...


class InProcessCache:
    def __init__(self, max_entries: int = 10_000, observer: Observer | None = None) -> None:
        self._entries: dict[str, tuple[float, bytes]] = {}
        self._max_entries = max_entries
        self.observer = observer or Observer()

    async def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is not None and entry[0] < time.monotonic():
            self._entries.pop(key, None)
            entry = None
        self.observer.cache("miss" if entry is None else "hit")
        return None if entry is None else entry[1]

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return [await self.get(key) for key in keys]

    async def set_many(self, values: Mapping[str, bytes], ttl_seconds: float) -> None:
        for key, value in values.items():
            await self.set(key, value, ttl_seconds)

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        if len(self._entries) >= self._max_entries:
            # Oldest insertions go first; dicts keep insertion order.
            for stale in list(self._entries)[: self._max_entries // 10 or 1]:
                del self._entries[stale]
        self._entries[key] = (time.monotonic() + ttl_seconds, value)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            self._entries.pop(key, None)

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._entries.clear()


class RedisCache:
    def __init__(
        self, url: str, prefix: str = "corpcare:", timeout_seconds: float = 0.5, observer: Observer | None = None
    ) -> None:
        self._redis = redis_client(url, timeout_seconds)
        self._prefix = prefix
        self.breaker = Breaker(failures=3, reset_seconds=5.0)
        self.observer = observer or Observer()
        # Invalidations Redis did not take: made before anything else once it answers again, so
        # an entry a change outdated is not read after an outage (it may until then, or until
        # its time to live runs out).
        self._missed: set[str] = set()

    async def get(self, key: str) -> bytes | None:
        return (await self.get_many([key]))[0]

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        if not await self._ready():
            for _ in keys:
                self.observer.cache("unavailable")
            return [None] * len(keys)
        try:
            values = await self._redis.mget([self._prefix + key for key in keys])
        except (RedisError, OSError) as error:
            for _ in keys:
                self.observer.cache("unavailable")
            self._failed("read", error)
            return [None] * len(keys)
        self.breaker.succeeded()
        for value in values:
            self.observer.cache("miss" if value is None else "hit")
        return [value.encode() if isinstance(value, str) else value for value in values]

    async def set_many(self, values: Mapping[str, bytes], ttl_seconds: float) -> None:
        if values and await self._ready():
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for key, value in values.items():
                        pipe.set(self._prefix + key, value, px=max(int(ttl_seconds * 1000), 1))
                    await pipe.execute()
            except (RedisError, OSError) as error:
                self._failed("write", error)
            else:
                self.breaker.succeeded()

    async def set(self, key: str, value: bytes, ttl_seconds: float) -> None:
        await self.set_many({key: value}, ttl_seconds)

    async def delete(self, *keys: str) -> None:
        self._missed.update(keys)
        await self._ready()

    async def ping(self) -> bool:
        return await answers(self._redis)

    async def close(self) -> None:
        await self._redis.aclose()

    async def _ready(self) -> bool:
        """Whether Redis may be asked now, with every invalidation it missed made first."""
        if not self.breaker.allow():
            return False
        if not self._missed:
            return True
        keys = list(self._missed)
        try:
            await self._redis.delete(*(self._prefix + key for key in keys))
        except (RedisError, OSError) as error:
            self._failed("invalidation", error)
            return False
        self._missed.difference_update(keys)
        self.breaker.succeeded()
        return True

    def _failed(self, what: str, error: Exception) -> None:
        first = self.breaker.healthy
        self.breaker.failed()
        if first:
            log.warning("Redis %s failed (%s: %s); serving without the shared cache", what, type(error).__name__, error)


def create_cache(redis_url: str | None, observer: Observer | None = None, prefix: str = "corpcare:") -> Cache:
    if redis_url:
        return RedisCache(redis_url, prefix=prefix, observer=observer)
    return InProcessCache(observer=observer)
