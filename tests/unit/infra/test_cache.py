"""The cache port on Redis and in-process, and principals surviving a cache that refuses."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from redis.asyncio import Redis

from infra.cache import Cache, InProcessCache, RedisCache
from server.auth import Principals
from tests.faults import PrivateRedis
from tests.support import REDIS_PREFIX, REDIS_URL, reachable_redis
from tests.waiting import PATIENCE, eventually


@pytest.fixture(params=["in-process", "redis"])
async def cache(request: pytest.FixtureRequest) -> AsyncIterator[Cache]:
    if request.param == "in-process":
        yield InProcessCache()
        return
    await (await reachable_redis()).aclose()
    redis_cache = RedisCache(REDIS_URL, prefix=f"{REDIS_PREFIX}{uuid.uuid4().hex}:")
    yield redis_cache
    await redis_cache.close()


async def test_values_are_kept_until_they_expire_or_are_deleted(cache):
    assert await cache.get("missing") is None
    started = time.monotonic()
    await cache.set("a", b"1", ttl_seconds=0.2)
    await cache.set("b", b"2", ttl_seconds=30)
    # There until its time to live has passed (which, on a busy machine, it may have by now).
    assert await cache.get("a") == b"1" or time.monotonic() - started >= 0.2

    async def expired() -> bool:
        return await cache.get("a") is None

    await eventually(expired, "the entry to expire")
    assert time.monotonic() - started >= 0.2 and await cache.get("b") == b"2"
    await cache.delete("b")
    assert await cache.get("b") is None


async def test_in_process_cache_stays_bounded():
    cache = InProcessCache(max_entries=10)
    for i in range(25):
        await cache.set(f"k{i}", b"v", ttl_seconds=60)
    assert await cache.get("k24") == b"v"
    assert await cache.get("k0") is None


async def test_principals_are_cached_and_survive_a_cache_that_refuses(world):
    refusing = RedisCache("redis://127.0.0.1:1/0")  # nothing listens on port 1
    principals = Principals(replace(world.sources, cache=refusing), 30)
    principal = await principals.for_login("acme.sales.admin")
    assert principal is not None and principal.scope.org_paths is not None
    await refusing.close()

    cached = Principals(replace(world.sources, cache=InProcessCache()), 30)
    first = await cached.for_login("acme.finance")
    world.counter.reset()
    again = await cached.for_login("acme.finance")
    assert again == first and world.counter.count == 0
    assert await cached.for_login("nobody") is None


async def test_a_burst_of_readers_waits_for_redis_connections_rather_than_going_without(cache):
    """Many more requests at once than the pool has connections (a crowd of subscriptions
    opening): each one waits its turn, and none is told the cache is unavailable."""
    if isinstance(cache, RedisCache):
        # Limits no busy host reaches: under load a thousand readers took longer than the 5 s a
        # caller may wait for a connection, and the cache rightly went without Redis. What is
        # checked here is that a reader past the pool's size waits instead of being refused.
        cache = RedisCache(REDIS_URL, prefix=f"{REDIS_PREFIX}{uuid.uuid4().hex}:", timeout_seconds=PATIENCE)
    results: Counter[str] = Counter()
    cache.observer.cache = lambda result: results.update([result])  # type: ignore[method-assign]
    try:
        await cache.set("burst", b"1", ttl_seconds=30)
        found = await asyncio.gather(*(cache.get("burst") for _ in range(1000)))
    finally:
        await cache.close()
    assert found == [b"1"] * 1000
    assert results == {"hit": 1000}


async def test_an_invalidation_redis_missed_is_made_as_soon_as_it_answers_again(tmp_path):
    """A change made while Redis was down (a user's grants, the org tree) must not be hidden by
    the entry it outdated once Redis is back: the instance that made it deletes it first."""
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    first, second = RedisCache(redis.url), RedisCache(redis.url)  # two instances
    results: Counter[str] = Counter()
    first.observer.cache = lambda result: results.update([result])  # type: ignore[method-assign]
    try:
        await first.set("principal:acme.admin", b"before the change", ttl_seconds=60)
        client = Redis.from_url(redis.url)
        await client.save()  # the entry outlives the restart, as with a persistent Redis
        await client.aclose()
        redis.stop()
        await second.delete("principal:acme.admin")  # the change, on the other instance
        assert await second.get("principal:acme.admin") is None  # Redis is down: nothing to read
        redis.start()
        for cache in (second, first):  # each one's first call after the outage finds its connections gone
            await cache.get("anything")
        results.clear()
        assert await first.get("principal:acme.admin") is None
        assert results == {"miss": 1}  # Redis answered, and the entry was gone
    finally:
        await first.close()
        await second.close()
        redis.stop()
