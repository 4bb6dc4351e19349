"""Cost-allowance buckets in process and in Redis: the same arithmetic on both, all-or-nothing charges
to two buckets, refunds capped at the maximum, atomic charges from several instances, buckets
that vanish when full, and a Redis that stops (charged in process, logged once, counted)."""

from __future__ import annotations

import asyncio
import logging
import math
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

from core.errors import BackendUnavailable
from infra.breaker import Breaker
from infra.redis_throttle import RedisThrottle
from infra.telemetry import Observer
from infra.throttle import Bucket, Charge, InProcessThrottle, Throttle
from tests.faults import PrivateRedis, free_port
from tests.support import REDIS_URL, reachable_redis
from tests.waiting import PATIENCE, eventually

SLOW = 0.001  # a restore rate that nothing in a test's lifetime notices


@asynccontextmanager
async def on_test_redis() -> AsyncIterator[RedisThrottle]:
    """A throttle on the test Redis under a prefix of its own, whose keys are removed afterwards."""
    probe = await reachable_redis()
    throttle = RedisThrottle(REDIS_URL, prefix=f"corpcare-test-{uuid.uuid4().hex}:")
    try:
        yield throttle
    finally:
        keys = [key async for key in probe.scan_iter(match=throttle.prefix + "*")]
        if keys:
            await probe.delete(*keys)
        await probe.aclose()
        await throttle.close()


@pytest.fixture
async def redis_throttle() -> AsyncIterator[RedisThrottle]:
    async with on_test_redis() as throttle:
        yield throttle


@pytest.fixture(params=["in-process", "redis"])
async def throttle(request: pytest.FixtureRequest) -> AsyncIterator[Throttle]:
    if request.param == "in-process":
        yield InProcessThrottle()
        return
    async with on_test_redis() as throttle:
        yield throttle


def near(value: float, expected: float, within: float = 0.05) -> bool:
    return abs(value - expected) <= within


async def test_a_charge_takes_from_every_bucket_and_says_what_is_left(throttle):
    own, company = Bucket("{c1}:user:1", 10, SLOW), Bucket("{c1}", 100, SLOW)
    charge = await throttle.charge([own, company], 4)
    assert charge.allowed and charge.retry_after == 0 and charge.short is None
    assert near(charge.available[0], 6) and near(charge.available[1], 96)
    again = await throttle.charge([own, company], 4)
    assert again.allowed and near(again.available[0], 2) and near(again.available[1], 92)


async def test_a_charge_that_one_bucket_cannot_pay_is_refused_and_charges_neither(throttle):
    own, company = Bucket("{c2}:user:1", 10, SLOW), Bucket("{c2}", 5, SLOW)
    assert (await throttle.charge([own, company], 4)).allowed  # 6 and 1 left
    refused = await throttle.charge([own, company], 4)
    assert not refused.allowed and refused.short == 1
    # 3 points short at a point in 1,000 s, less the time since the first charge.
    assert 3000 - 60 < refused.retry_after <= 3000
    assert near(refused.available[0], 6) and near(refused.available[1], 1)
    # The refused charge took nothing from the bucket that had the points.
    small = await throttle.charge([own, company], 1)
    assert small.allowed and near(small.available[0], 5) and near(small.available[1], 0)


async def test_buckets_refill_at_their_restore_rate_up_to_their_maximum(throttle):
    """Measured against the clock, whatever the machine's load: the points back lie between the
    rate times the shortest and times the longest time that can have passed."""
    rate = 5.0
    bucket = Bucket("{c3}:user:1", 10, rate)
    emptying = time.monotonic()
    assert near((await throttle.charge([bucket], 10)).available[0], 0)
    emptied = time.monotonic()
    refused = await throttle.charge([bucket], 10)  # the whole bucket again: two seconds away
    assert not refused.allowed and near(refused.retry_after, (10 - refused.available[0]) / rate, within=0.01)

    async def back(points: float) -> tuple[float, float, float] | None:
        asked = time.monotonic()
        level = (await throttle.charge([bucket], 0)).available[0]
        return (level, asked, time.monotonic()) if level >= points else None

    level, asked, answered = await eventually(lambda: back(5), "five points back")
    assert rate * (asked - emptied) - 0.05 <= level <= rate * (answered - emptying) + 0.05
    charge = await throttle.charge([bucket], 4)
    assert charge.allowed and near(charge.available[0], level - 4, within=rate * (time.monotonic() - asked) + 0.05)
    await eventually(lambda: back(10), "the bucket full again")
    await asyncio.sleep(1.0)  # at least five points' worth more: full, and no more
    assert (await throttle.charge([bucket], 0)).available == (10,)


async def test_a_settlement_refunds_up_to_the_maximum_and_takes_an_overrun_down_to_zero(throttle):
    bucket = Bucket("{c4}:user:1", 10, SLOW)
    charge = await throttle.charge([bucket], 8)
    refunded = await throttle.settle(charge, 3)
    assert near(refunded.available[0], 7)  # 2 left, and the 5 not used given back
    overrun = await throttle.settle(await throttle.charge([bucket], 5), 20)  # 2 left, then 5 more taken
    assert overrun.available == (0,)
    unchanged = await throttle.settle(charge, 8)
    assert unchanged is charge

    quick = Bucket("{c4}:user:2", 10, 100.0)
    spent = await throttle.charge([quick], 8)
    await asyncio.sleep(0.1)  # full again by itself
    assert (await throttle.settle(spent, 0)).available == (10,)


async def test_an_operation_costlier_than_a_whole_bucket_needs_the_whole_bucket(throttle):
    bucket = Bucket("{c5}:user:1", 10, SLOW)
    charge = await throttle.charge([bucket], 50)
    assert charge.allowed and near(charge.available[0], 0)
    assert not (await throttle.charge([bucket], 1)).allowed


async def test_the_in_process_bucket_follows_its_clock_and_forgets_full_buckets():
    now = [100.0]
    throttle = InProcessThrottle(clock=lambda: now[0], max_keys=2)
    bucket = Bucket("a", 10, 2.0)
    assert (await throttle.charge([bucket], 10)).available == (0,)
    now[0] += 2.5
    assert (await throttle.charge([bucket], 0)).available == (5,)
    refused = await throttle.charge([bucket], 8)
    assert not refused.allowed and refused.retry_after == 1.5
    now[0] += 10
    await throttle.charge([Bucket("b", 10, 2.0)], 1)
    await throttle.charge([Bucket("c", 10, 2.0)], 1)  # "a" is full by now and makes room
    assert set(throttle._levels) == {"b", "c"}


async def test_instances_sharing_redis_never_overspend_a_bucket_between_them(redis_throttle):
    other = RedisThrottle(REDIS_URL, prefix=redis_throttle.prefix)
    try:
        bucket = Bucket("{c6}:user:1", 10, SLOW)
        charges = await asyncio.gather(*(t.charge([bucket], 1) for t in (redis_throttle, other) for _ in range(15)))
    finally:
        await other.close()
    assert sum(c.allowed for c in charges) == 10
    assert {c.limiter for c in charges} == {"redis"}


async def test_a_bucket_in_redis_refills_by_the_servers_clock_and_expires_when_it_would_be_full(redis_throttle):
    redis = await reachable_redis()
    try:
        bucket = Bucket("{c7}:user:1", 10, 2.0)
        key = redis_throttle.prefix + bucket.key

        async def server_ms() -> int:
            seconds, micros = await redis.time()
            return int(seconds * 1000 + micros // 1000)

        # Empty a second before ``before`` by the server's clock: two points back by then, and
        # two a second more for however long the charge took to arrive on a busy machine.
        before = await server_ms()
        await redis.hset(key, mapping={"level": "0", "at": str(before - 1000)})
        charge = await redis_throttle.charge([bucket], 1)
        after = await server_ms()
        left = charge.available[0]
        assert charge.allowed and 1 - 0.01 <= left <= 2 * (after - before + 1000) / 1000 - 1 + 0.01
        stored = await redis.hgetall(key)
        assert before <= int(stored[b"at"]) <= after
        # Gone when it would be full (the points short at two a second), plus a second's margin.
        expires = math.ceil((10 - left) / 2 * 1000) + 1000
        remaining = await redis.pttl(key)
        assert expires - (await server_ms() - before) - 1 <= remaining <= expires + 1
        # A refund that fills it: nothing is left behind.
        spent = Charge((bucket,), cost=10, allowed=True, available=(0,), limiter="redis")
        assert (await redis_throttle.settle(spent, 0)).available == (10,)
        assert not await redis.exists(key)
    finally:
        await redis.aclose()


class Counting(Observer):
    def __init__(self) -> None:
        self.fallbacks = 0

    def throttle_fallback(self) -> None:
        self.fallbacks += 1


async def test_with_redis_unreachable_reads_are_charged_in_process_and_writes_refused(caplog):
    caplog.set_level(logging.WARNING, logger="corpcare.throttle")
    observer = Counting()
    throttle = RedisThrottle(f"redis://127.0.0.1:{free_port()}/0", observer=observer)  # nothing listens
    bucket = Bucket("{c8}:user:1", 10, SLOW)
    try:
        charges = [await throttle.charge([bucket], 3) for _ in range(3)]
        assert [c.allowed for c in charges] == [True, True, True]
        assert {c.limiter for c in charges} == {"fallback"} and near(charges[-1].available[0], 1)
        assert near((await throttle.settle(charges[-1], 0)).available[0], 4)  # settled where charged
        with pytest.raises(BackendUnavailable) as refused:
            await throttle.charge([bucket], 1, fail_open=False)
        assert refused.value.extensions["backend"] == "budgets" and refused.value.extensions["retryAfterSeconds"] > 0
    finally:
        await throttle.close()
    assert observer.fallbacks == 3
    assert len([r for r in caplog.records if r.name == "corpcare.throttle"]) == 1


async def test_allowances_are_shared_again_once_redis_is_back(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="corpcare.throttle")
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    throttle = RedisThrottle(redis.url, breaker=Breaker(failures=1, reset_seconds=0.1))
    bucket = Bucket("{c9}:user:1", 10, SLOW)
    try:
        assert (await throttle.charge([bucket], 2)).limiter == "redis"
        redis.stop()
        assert [(await throttle.charge([bucket], 2)).limiter for _ in range(3)] == ["fallback"] * 3
        redis.start()  # empty: no scripts loaded, no buckets
        limiter = "fallback"
        async with asyncio.timeout(PATIENCE):
            while limiter == "fallback":
                await asyncio.sleep(0.1)
                charge = await throttle.charge([bucket], 2)
                limiter = charge.limiter
        assert limiter == "redis" and near(charge.available[0], 8)
    finally:
        await throttle.close()
        redis.stop()
    messages = [r.getMessage() for r in caplog.records if r.name == "corpcare.throttle"]
    assert len(messages) == 2 and "kept in this process" in messages[0] and "again" in messages[1]


async def test_a_burst_of_charges_is_kept_in_redis_not_sent_to_the_fallback(redis_throttle):
    # Limits no busy host reaches: under load a thousand charges took longer than the 5 s a caller
    # may wait for a connection, and the throttle rightly fell back. What is checked here is that a
    # charge past the pool's size waits for a connection instead of going to the fallback.
    patient = RedisThrottle(REDIS_URL, prefix=redis_throttle.prefix, timeout_seconds=PATIENCE)
    bucket = Bucket("{c9}:user:1", 10_000, SLOW)
    try:
        charges = await asyncio.gather(*(patient.charge([bucket], 1) for _ in range(1000)))
    finally:
        await patient.close()
    assert {charge.limiter for charge in charges} == {"redis"}
    assert sorted(charge.available[0] for charge in charges) == pytest.approx(range(9000, 10_000), abs=0.5)
